package io.motdjl.objective;

import ai.djl.ndarray.NDArray;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Next-token losses grouped by the modality of the target token, kept on the host as sums and
 * counts so that batches combine by token count: the mean over several batches is the mean over all
 * their tokens, not a mean of batch means. Immutable.
 */
public final class ModalityLosses {

    private final double[] lossSums;
    private final long[] tokenCounts;

    private ModalityLosses(double[] lossSums, long[] tokenCounts) {
        this.lossSums = lossSums;
        this.tokenCounts = tokenCounts;
    }

    /** No tokens yet, for {@code numModalities} modalities. */
    public static ModalityLosses empty(int numModalities) {
        return new ModalityLosses(new double[numModalities], new long[numModalities]);
    }

    /**
     * Sums and counts per modality.
     *
     * @param lossSums summed negative log-likelihood of each modality's targets
     * @param tokenCounts number of targets of each modality
     */
    public static ModalityLosses of(double[] lossSums, long[] tokenCounts) {
        if (lossSums.length != tokenCounts.length) {
            throw new IllegalArgumentException(
                    "need one sum and one count per modality, got "
                            + lossSums.length
                            + " and "
                            + tokenCounts.length);
        }
        return new ModalityLosses(lossSums.clone(), tokenCounts.clone());
    }

    /** Copies one batch's per-modality means and counts to the host (a device sync). */
    public static ModalityLosses of(LossValue result) {
        float[] means = floats(result.perModality());
        float[] counts = floats(result.perModalityCount());
        double[] sums = new double[means.length];
        long[] n = new long[means.length];
        for (int m = 0; m < means.length; m++) {
            n[m] = Math.round(counts[m]);
            // a modality without targets has a NaN mean; it contributes nothing
            sums[m] = n[m] == 0 ? 0.0 : (double) means[m] * counts[m];
        }
        return new ModalityLosses(sums, n);
    }

    private static float[] floats(NDArray array) {
        return array.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
    }

    /** These losses and {@code other}'s together (token-weighted). */
    public ModalityLosses plus(ModalityLosses other) {
        if (other.numModalities() != numModalities()) {
            throw new IllegalArgumentException(
                    "cannot add losses of "
                            + other.numModalities()
                            + " modalities to "
                            + numModalities());
        }
        double[] sums = lossSums.clone();
        long[] counts = tokenCounts.clone();
        for (int m = 0; m < sums.length; m++) {
            sums[m] += other.lossSums[m];
            counts[m] += other.tokenCounts[m];
        }
        return new ModalityLosses(sums, counts);
    }

    /** Number of modalities M. */
    public int numModalities() {
        return lossSums.length;
    }

    /** Mean loss over every counted target of every modality; NaN without targets. */
    public double mean() {
        long n = count();
        return n == 0 ? Double.NaN : Arrays.stream(lossSums).sum() / n;
    }

    /** Mean loss over the targets of modality {@code m}; NaN where it has none. */
    public double mean(int m) {
        return tokenCounts[m] == 0 ? Double.NaN : lossSums[m] / tokenCounts[m];
    }

    /** Number of counted targets of every modality. */
    public long count() {
        return Arrays.stream(tokenCounts).sum();
    }

    /** Number of counted targets of modality {@code m}. */
    public long count(int m) {
        return tokenCounts[m];
    }

    /** Summed loss of modality {@code m}. */
    public double lossSum(int m) {
        return lossSums[m];
    }

    /** The per-modality means, NaN where a modality has no targets. */
    public double[] means() {
        double[] means = new double[numModalities()];
        for (int m = 0; m < means.length; m++) {
            means[m] = mean(m);
        }
        return means;
    }

    /**
     * A short text such as {@code 2.3104 [text 2.1012 (n=240), image 2.5011 (n=260)]}.
     *
     * @param modalityNames a name per modality; missing names print as {@code m<i>}
     */
    public String format(List<String> modalityNames) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%.4f [", mean()));
        for (int m = 0; m < numModalities(); m++) {
            String name = m < modalityNames.size() ? modalityNames.get(m) : "m" + m;
            s.append(m == 0 ? "" : ", ")
                    .append(name)
                    .append(String.format(Locale.ROOT, " %.4f (n=%d)", mean(m), tokenCounts[m]));
        }
        return s.append(']').toString();
    }

    @Override
    public String toString() {
        return format(List.of());
    }
}
