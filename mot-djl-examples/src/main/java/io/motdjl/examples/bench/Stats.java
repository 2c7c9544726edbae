package io.motdjl.examples.bench;

import java.util.Arrays;
import java.util.List;

/** Order statistics of a sample of timings. */
public final class Stats {

    private Stats() {}

    /** The median (mean of the two middle values for an even count); NaN when empty. */
    public static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * The {@code q}-quantile by the nearest-rank method (the smallest value with at least {@code
     * q·n} values at or below it); NaN when empty.
     *
     * @param values the sample
     * @param q in (0, 1]
     */
    public static double quantile(List<Double> values, double q) {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("a quantile needs q in (0, 1], got " + q);
        }
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    /** The smallest value; NaN when empty. */
    public static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    /** The largest value; NaN when empty. */
    public static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
