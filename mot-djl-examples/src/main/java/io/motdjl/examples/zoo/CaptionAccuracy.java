package io.motdjl.examples.zoo;

import io.motdjl.examples.chameleon.FashionMnist;

/**
 * Counts the captions that name their image's Fashion-MNIST class (the training captions always
 * do), per class and overall: a caption names the longest class name it contains ({@link
 * #namedClass}).
 */
public final class CaptionAccuracy {

    private final int[] right = new int[FashionMnist.NUM_CLASSES];
    private final int[] total = new int[FashionMnist.NUM_CLASSES];

    /**
     * The class a caption names: the longest class name it contains (so "t-shirt/top" is not read
     * as "shirt"), or -1.
     *
     * @param caption the caption
     * @return the class, or -1 when it names none
     */
    public static int namedClass(String caption) {
        int best = -1;
        for (int c = 0; c < FashionMnist.NUM_CLASSES; c++) {
            String name = FashionMnist.captionName(c);
            if (caption.contains(name)
                    && (best < 0 || name.length() > FashionMnist.captionName(best).length())) {
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
        if (namedClass(caption) == label) {
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
