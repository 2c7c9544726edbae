package io.motdjl.examples.speech;

import io.motdjl.speech.SpeechUnitTokenizer;

import java.util.List;

/**
 * A nearest-centroid classifier over bags of speech units: an utterance is the share of its frames
 * each unit takes, a class the mean of its training utterances' bags, and the prediction the class
 * with the nearest mean bag (squared Euclidean distance; the lower label wins a tie). A crude test
 * of whether units carry what is said rather than who says it.
 */
final class BagOfUnits {

    private final SpeechUnitTokenizer tokenizer;
    private final double[][] centroids;

    /**
     * Learns the class means.
     *
     * @param tokenizer turns frames into units
     * @param utterances training utterances' log-mel frames
     * @param labels their classes, from 0
     */
    BagOfUnits(SpeechUnitTokenizer tokenizer, List<float[][]> utterances, int[] labels) {
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
        double[] bag = new double[tokenizer.unitCount()];
        for (int unit : tokenizer.encodeMel(frames)) {
            bag[unit] += 1.0 / frames.length;
        }
        return bag;
    }

    /** The predicted class of an utterance. */
    int predict(float[][] frames) {
        double[] bag = bag(frames);
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
    double accuracy(List<float[][]> utterances, int[] labels) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if (predict(utterances.get(i)) == labels[i]) {
                correct++;
            }
        }
        return labels.length == 0 ? 0 : (double) correct / labels.length;
    }
}
