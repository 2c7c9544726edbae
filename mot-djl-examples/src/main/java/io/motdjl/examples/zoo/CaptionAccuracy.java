package io.motdjl.examples.zoo;

import io.motdjl.examples.chameleon.FashionMnist;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts the captions that name their image's Fashion-MNIST class (the training captions always
 * do), per class and overall: a caption names the longest class name it contains ({@link
 * #namedClass}). The names are the written captions' ({@code FashionMnist.captionName}, e.g.
 * "t-shirt/top") unless given, e.g. the spoken captions' phrases ("t-shirt or top").
 */
public final class CaptionAccuracy {

    private final List<String> names;
    private final int[] right = new int[FashionMnist.NUM_CLASSES];
    private final int[] total = new int[FashionMnist.NUM_CLASSES];

    /** Counts captions by the written class names. */
    public CaptionAccuracy() {
        this(captionNames());
    }

    /**
     * Counts captions by other class names.
     *
     * @param names one name per class, in label order
     */
    public CaptionAccuracy(List<String> names) {
        if (names.size() != FashionMnist.NUM_CLASSES) {
            throw new IllegalArgumentException(
                    "one name per class: expected "
                            + FashionMnist.NUM_CLASSES
                            + ", got "
                            + names.size());
        }
        this.names = List.copyOf(names);
    }

    private static List<String> captionNames() {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < FashionMnist.NUM_CLASSES; c++) {
            names.add(FashionMnist.captionName(c));
        }
        return names;
    }

    /**
     * The class a caption names: the longest class name it contains (so "t-shirt/top" is not read
     * as "shirt"), or -1.
     *
     * @param caption the caption
     * @return the class, or -1 when it names none
     */
    public static int namedClass(String caption) {
        return namedClass(caption, captionNames());
    }

    /**
     * The class a caption names among {@code names}: the longest name it contains (so "t-shirt or
     * top" is not read as "shirt"), or -1.
     */
    public static int namedClass(String caption, List<String> names) {
        int best = -1;
        for (int c = 0; c < names.size(); c++) {
            String name = names.get(c);
            if (caption.contains(name) && (best < 0 || name.length() > names.get(best).length())) {
                best = c;
            }
        }
        return best;
    }

    /**
     * Counts one caption.
     *
     * @param label the image's class
     * @param caption the caption made for it
     */
    public void add(int label, String caption) {
        total[label]++;
        if (namedClass(caption, names) == label) {
            right[label]++;
        }
    }

    /** Captions of images of class {@code label} that name it. */
    public int right(int label) {
        return right[label];
    }

    /** Captions that name their image's class. */
    public int right() {
        int sum = 0;
        for (int r : right) {
            sum += r;
        }
        return sum;
    }

    /** Captions of images of class {@code label}. */
    public int total(int label) {
        return total[label];
    }

    /** Captions counted. */
    public int total() {
        int sum = 0;
        for (int t : total) {
            sum += t;
        }
        return sum;
    }

    /** The share of captions that name their image's class; 0 when none were counted. */
    public double rate() {
        return total() == 0 ? 0 : (double) right() / total();
    }
}
