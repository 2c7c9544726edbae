package io.motdjl.examples.speech;

import io.motdjl.speech.SpeechUnitTokenizer;

import java.util.List;

/**
 * A nearest-centroid classifier over bags of speech units: an utterance is the share of its frames
 * each unit takes, a class the mean of its training utterances' bags, and the prediction the class
 * with the nearest mean bag (squared Euclidean distance; the lower label wins a tie). A crude test
 * of whether units carry what is said rather than who says it.
 */
public final class BagOfUnits {

    private final SpeechUnitTokenizer tokenizer;
    private final double[][] centroids;

    /**
     * Learns the class means.
     *
     * @param tokenizer turns frames into units
     * @param utterances training utterances' log-mel frames
     * @param labels their classes, from 0
     */
    public BagOfUnits(SpeechUnitTokenizer tokenizer, List<float[][]> utterances, int[] labels) {
        if (utterances.size() != labels.length) {
            throw new IllegalArgumentException(
                    utterances.size() + " utterances but " + labels.length + " labels");
        }
        this.tokenizer = tokenizer;
        int classes = 0;
        for (int label : labels) {
            classes = Math.max(classes, label + 1);
        }
        centroids = new double[classes][tokenizer.unitCount()];
        int[] counts = new int[classes];
        for (int i = 0; i < labels.length; i++) {
            double[] bag = bag(utterances.get(i));
            for (int u = 0; u < bag.length; u++) {
                centroids[labels[i]][u] += bag[u];
            }
            counts[labels[i]]++;
        }
        for (int c = 0; c < classes; c++) {
            for (int u = 0; u < centroids[c].length; u++) {
                centroids[c][u] /= Math.max(1, counts[c]);
            }
        }
    }

    /** The share of {@code frames} each unit takes. */
    double[] bag(float[][] frames) {
        return bagOfUnits(tokenizer.encodeMel(frames));
    }

    private double[] bagOfUnits(int[] units) {
        double[] bag = new double[tokenizer.unitCount()];
        for (int unit : units) {
            bag[unit] += 1.0 / units.length;
        }
        return bag;
    }

    /** The predicted class of an utterance. */
    public int predict(float[][] frames) {
        return nearest(bag(frames));
    }

    /**
     * The predicted class of an utterance given as its units, e.g. units a model generated.
     *
     * @throws IllegalArgumentException if there are none or one is outside the tokenizer's range
     */
    public int predictUnits(int[] units) {
        if (units.length == 0) {
            throw new IllegalArgumentException("an utterance needs at least one unit, got none");
        }
        for (int unit : units) {
            if (unit < 0 || unit >= tokenizer.unitCount()) {
                throw new IllegalArgumentException(
                        "unit " + unit + " is outside [0, " + tokenizer.unitCount() + ")");
            }
        }
        return nearest(bagOfUnits(units));
    }

    private int nearest(double[] bag) {
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int c = 0; c < centroids.length; c++) {
            double d = 0;
            for (int u = 0; u < bag.length; u++) {
                double diff = bag[u] - centroids[c][u];
                d += diff * diff;
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }

    /** The share of utterances predicted correctly. */
    public double accuracy(List<float[][]> utterances, int[] labels) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if (predict(utterances.get(i)) == labels[i]) {
                correct++;
            }
        }
        return labels.length == 0 ? 0 : (double) correct / labels.length;
    }
}
