package io.motdjl.speech;

import java.util.Arrays;

/**
 * Triangular mel filters on the bins of an FFT, as {@code librosa.filters.mel} builds them by
 * default: the Slaney mel scale (linear below 1 kHz, logarithmic above, from Slaney's Auditory
 * Toolbox) and Slaney's area normalisation (each triangle scaled by {@code 2 / width in Hz}, so
 * that a band's output is its mean power density rather than growing with its width).
 *
 * <p>{@code mels} filters have {@code mels + 2} edge frequencies evenly spaced on the mel scale
 * from {@code fmin} to {@code fmax}; filter {@code m} rises from edge {@code m} to edge {@code m +
 * 1} and falls to edge {@code m + 2}. All values come from {@link StrictMath}.
 */
final class MelFilterbank {

    /** Width in Hz of one mel in the linear part of the Slaney scale. */
    private static final double LINEAR_HZ_PER_MEL = 200.0 / 3;

    /** Where the Slaney scale turns logarithmic. */
    private static final double LOG_START_HZ = 1000.0;

    private static final double LOG_START_MEL = LOG_START_HZ / LINEAR_HZ_PER_MEL;

    /** Mels per e-fold of frequency above 1 kHz: 27 mels span a factor 6.4. */
    private static final double MELS_PER_LOG_STEP = 27 / StrictMath.log(6.4);

    private final int bins;
    private final double[] edgesHz;

    /** Filter {@code m}'s weights for bins {@code first[m]} to {@code first[m] + length - 1}. */
    private final double[][] weights;

    private final int[] first;

    /** Sum of each filter's weights. */
    private final double[] bandTotal;

    /** Sum over filters of each bin's weights. */
    private final double[] cover;

    /**
     * Filters over the bins of an {@code nFft}-point FFT at {@code sampleRate}.
     *
     * @throws IllegalArgumentException if a filter is so narrow that no bin falls inside it
     */
    MelFilterbank(int sampleRate, int nFft, int mels, double fminHz, double fmaxHz) {
        this.bins = nFft / 2 + 1;
        double low = hzToMel(fminHz);
        double high = hzToMel(fmaxHz);
        edgesHz = new double[mels + 2];
        for (int i = 0; i < edgesHz.length; i++) {
            edgesHz[i] = melToHz(low + (high - low) * i / (mels + 1));
        }
        weights = new double[mels][];
        first = new int[mels];
        double[] row = new double[bins];
        for (int m = 0; m < mels; m++) {
            double left = edgesHz[m];
            double centre = edgesHz[m + 1];
            double right = edgesHz[m + 2];
            double norm = 2 / (right - left);
            int lo = bins;
            int hi = -1;
            for (int k = 0; k < bins; k++) {
                double hz = (double) k * sampleRate / nFft;
                double rising = (hz - left) / (centre - left);
                double falling = (right - hz) / (right - centre);
                row[k] = Math.max(0, Math.min(rising, falling)) * norm;
                if (row[k] > 0) {
                    lo = Math.min(lo, k);
                    hi = k;
                }
            }
            if (hi < 0) {
                throw new IllegalArgumentException(
                        "mel filter "
                                + m
                                + " ("
                                + Math.round(left)
                                + "-"
                                + Math.round(right)
                                + " Hz) contains no FFT bin (bins are "
                                + ((double) sampleRate / nFft)
                                + " Hz apart); use fewer mels or a larger nFft");
            }
            first[m] = lo;
            weights[m] = Arrays.copyOfRange(row, lo, hi + 1);
        }
        bandTotal = new double[mels];
        cover = new double[bins];
        for (int m = 0; m < mels; m++) {
            for (int j = 0; j < weights[m].length; j++) {
                bandTotal[m] += weights[m][j];
                cover[first[m] + j] += weights[m][j];
            }
        }
    }

    /** Slaney's mel value of {@code hz}. */
    static double hzToMel(double hz) {
        return hz < LOG_START_HZ
                ? hz / LINEAR_HZ_PER_MEL
                : LOG_START_MEL + StrictMath.log(hz / LOG_START_HZ) * MELS_PER_LOG_STEP;
    }

    /** The frequency in Hz of Slaney's mel value {@code mel}. */
    static double melToHz(double mel) {
        return mel < LOG_START_MEL
                ? mel * LINEAR_HZ_PER_MEL
                : LOG_START_HZ * StrictMath.exp((mel - LOG_START_MEL) / MELS_PER_LOG_STEP);
    }

    /** Number of filters. */
    int mels() {
        return weights.length;
    }

    /** Number of FFT bins a power spectrum has. */
    int bins() {
        return bins;
    }

    /** Centre frequency of filter {@code m}, in Hz. */
    double centreHz(int m) {
        return edgesHz[m + 1];
    }

    /** Lower edge of filter {@code m}, in Hz. */
    double lowerHz(int m) {
        return edgesHz[m];
    }

    /** Upper edge of filter {@code m}, in Hz. */
    double upperHz(int m) {
        return edgesHz[m + 2];
    }

    /** The weight of bin {@code k} in filter {@code m}. */
    double weight(int m, int k) {
        int j = k - first[m];
        return j >= 0 && j < weights[m].length ? weights[m][j] : 0;
    }

    /**
     * The filters' outputs for one power spectrum.
     *
     * @param power {@link #bins()} values
     * @param out {@link #mels()} values, overwritten
     */
    void apply(double[] power, double[] out) {
        for (int m = 0; m < weights.length; m++) {
            double sum = 0;
            double[] w = weights[m];
            for (int j = 0; j < w.length; j++) {
                sum += w[j] * power[first[m] + j];
            }
            out[m] = sum;
        }
    }

    /**
     * A non-negative power spectrum whose filter outputs approximate {@code mel}: each band's
     * output divided by its total weight is the band's mean power per bin, and each bin gets the
     * average of the means of the bands that cover it, weighted by its height in their triangles.
     * This is the transpose of the filterbank with rows and columns normalised; it is smooth, never
     * negative, and exact for a spectrum that is constant within each band. Bins outside {@code
     * [fmin, fmax]} get 0.
     *
     * @param mel {@link #mels()} non-negative filter outputs
     * @param out {@link #bins()} values, overwritten
     */
    void invert(double[] mel, double[] out) {
        Arrays.fill(out, 0);
        for (int m = 0; m < weights.length; m++) {
            double[] w = weights[m];
            double meanPower = mel[m] / bandTotal[m];
            for (int j = 0; j < w.length; j++) {
                out[first[m] + j] += w[j] * meanPower;
            }
        }
        for (int k = 0; k < bins; k++) {
            if (cover[k] > 0) {
                out[k] /= cover[k];
            }
        }
    }
}
