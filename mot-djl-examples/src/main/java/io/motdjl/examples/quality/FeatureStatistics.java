package io.motdjl.examples.quality;

/**
 * The mean vector and covariance matrix (in double) of a set of feature vectors: the Gaussian the
 * Fashion-MNIST-feature FID fits to a set of images. The covariance is the unbiased sample
 * covariance (divided by {@code n − 1}), as {@code numpy.cov} and the usual FID code compute it.
 * Immutable: accessors return copies.
 */
public final class FeatureStatistics {

    private final int count;
    private final double[] mean;
    private final double[][] covariance;

    private FeatureStatistics(int count, double[] mean, double[][] covariance) {
        this.count = count;
        this.mean = mean;
        this.covariance = covariance;
    }

    /**
     * Fits mean and covariance to feature rows (two passes: the mean first, then the centred
     * products, which keeps the covariance accurate when the mean is large).
     *
     * @param features {@code n ≥ 2} rows of the same width, finite values
     * @return the statistics
     * @throws IllegalArgumentException if there are fewer than two rows, rows of different widths
     *     or a value that is not finite
     */
    public static FeatureStatistics of(float[][] features) {
        if (features.length < 2) {
            throw new IllegalArgumentException(
                    "a covariance needs at least 2 feature vectors, got " + features.length);
        }
        int n = features.length;
        int width = features[0].length;
        double[] mean = new double[width];
        for (int r = 0; r < n; r++) {
            float[] row = features[r];
            if (row.length != width) {
                throw new IllegalArgumentException(
                        "feature row " + r + " has " + row.length + " values, row 0 has " + width);
            }
            for (int i = 0; i < width; i++) {
                if (!Float.isFinite(row[i])) {
                    throw new IllegalArgumentException(
                            "feature row " + r + ", column " + i + " is " + row[i]);
                }
                mean[i] += row[i];
            }
        }
        for (int i = 0; i < width; i++) {
            mean[i] /= n;
        }
        double[][] covariance = new double[width][width];
        double[] centred = new double[width];
        for (float[] row : features) {
            for (int i = 0; i < width; i++) {
                centred[i] = row[i] - mean[i];
            }
            for (int i = 0; i < width; i++) {
                double ci = centred[i];
                double[] out = covariance[i];
                for (int j = i; j < width; j++) {
                    out[j] += ci * centred[j];
                }
            }
        }
        for (int i = 0; i < width; i++) {
            for (int j = i; j < width; j++) {
                double value = covariance[i][j] / (n - 1);
                covariance[i][j] = value;
                covariance[j][i] = value;
            }
        }
        return new FeatureStatistics(n, mean, covariance);
    }

    /**
     * Wraps a known mean and covariance (for tests and closed forms).
     *
     * @param count the number of samples they stand for
     * @param mean the mean vector
     * @param covariance a symmetric positive semi-definite matrix of the mean's width
     * @return the statistics (holding copies)
     */
    public static FeatureStatistics of(int count, double[] mean, double[][] covariance) {
        int width = mean.length;
        if (covariance.length != width) {
            throw new IllegalArgumentException(
                    "covariance has " + covariance.length + " rows, mean has width " + width);
        }
        double[][] copy = new double[width][];
        for (int i = 0; i < width; i++) {
            if (covariance[i].length != width) {
                throw new IllegalArgumentException(
                        "covariance row " + i + " has " + covariance[i].length + " entries");
            }
            copy[i] = covariance[i].clone();
        }
        return new FeatureStatistics(count, mean.clone(), copy);
    }

    /** Number of feature vectors fitted. */
    public int count() {
        return count;
    }

    /** Width of the feature vectors. */
    public int dimension() {
        return mean.length;
    }

    /** A copy of the mean vector. */
    public double[] mean() {
        return mean.clone();
    }

    /** A copy of the covariance matrix. */
    public double[][] covariance() {
        double[][] copy = new double[covariance.length][];
        for (int i = 0; i < covariance.length; i++) {
            copy[i] = covariance[i].clone();
        }
        return copy;
    }

    /**
     * Whether the covariance can be full rank: it needs more samples than dimensions ({@code n >
     * F}); with fewer, at most {@code n − 1} directions have any variance.
     */
    public boolean canBeFullRank() {
        return count > mean.length;
    }

    @Override
    public String toString() {
        return "FeatureStatistics[" + count + " vectors of width " + mean.length + "]";
    }
}
