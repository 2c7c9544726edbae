package io.motdjl.examples.quality;

/**
 * The Fréchet (2-Wasserstein) distance between two Gaussians, as the FID uses it: {@code d² = ||μ1
 * − μ2||² + Tr(Σ1 + Σ2 − 2 (Σ1^½ Σ2 Σ1^½)^½)}.
 *
 * <p>Both square roots come from {@link SymmetricEigen} (cyclic Jacobi, in double): {@code Σ1^½ = V
 * diag(√λ) Vᵀ}, then the trace term is {@code Σ √μ_k} over the eigenvalues of the symmetric matrix
 * {@code Σ1^½ Σ2 Σ1^½}, which has the same eigenvalues as {@code Σ1 Σ2} (so this is the usual
 * {@code Tr √(Σ1 Σ2)} without its non-symmetric square root). Eigenvalues a little below zero
 * (rounding of a singular covariance) count as zero.
 */
public final class FrechetDistance {

    private FrechetDistance() {}

    /**
     * The Fréchet distance between the Gaussians fitted to two sets of features.
     *
     * @param a one set's statistics
     * @param b the other's, of the same width
     * @return the squared distance {@code d²}, at least zero (the quantity reported as FID)
     */
    public static double between(FeatureStatistics a, FeatureStatistics b) {
        return between(a.mean(), a.covariance(), b.mean(), b.covariance());
    }

    /**
     * The Fréchet distance between {@code N(mean1, cov1)} and {@code N(mean2, cov2)}.
     *
     * @param mean1 the first mean
     * @param cov1 the first covariance, symmetric positive semi-definite
     * @param mean2 the second mean, of the same width
     * @param cov2 the second covariance
     * @return the squared distance {@code d²}, at least zero
     * @throws IllegalArgumentException if the widths differ or a matrix is not symmetric
     */
    public static double between(double[] mean1, double[][] cov1, double[] mean2, double[][] cov2) {
        int n = mean1.length;
        if (mean2.length != n || cov1.length != n || cov2.length != n) {
            throw new IllegalArgumentException(
                    "widths differ: means "
                            + n
                            + " and "
                            + mean2.length
                            + ", covariances "
                            + cov1.length
                            + " and "
                            + cov2.length);
        }
        if (n == 0) {
            return 0;
        }
        double meanTerm = 0;
        for (int i = 0; i < n; i++) {
            double d = mean1[i] - mean2[i];
            meanTerm += d * d;
        }
        double[][] root1 = sqrtPsd(cov1);
        double[][] product = multiply(multiply(root1, cov2), root1);
        double traceRoot = 0;
        for (double lambda : SymmetricEigen.decompose(symmetrised(product)).values()) {
            traceRoot += Math.sqrt(Math.max(lambda, 0));
        }
        double distance = meanTerm + trace(cov1) + trace(cov2) - 2 * traceRoot;
        // identical Gaussians can come out a rounding error below zero
        return Math.max(distance, 0);
    }

    /**
     * The principal square root of a symmetric positive semi-definite matrix, {@code V diag(√λ)
     * Vᵀ}, with negative eigenvalues (rounding) taken as zero.
     *
     * @param matrix a symmetric matrix
     * @return its square root, symmetric
     */
    public static double[][] sqrtPsd(double[][] matrix) {
        return SymmetricEigen.decompose(matrix).compose(x -> Math.sqrt(Math.max(x, 0)));
    }

    private static double trace(double[][] m) {
        double sum = 0;
        for (int i = 0; i < m.length; i++) {
            sum += m[i][i];
        }
        return sum;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        int inner = b.length;
        int m = b[0].length;
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            double[] row = out[i];
            for (int k = 0; k < inner; k++) {
                double aik = a[i][k];
                double[] bk = b[k];
                for (int j = 0; j < m; j++) {
                    row[j] += aik * bk[j];
                }
            }
        }
        return out;
    }

    /** The average of a matrix and its transpose (removes the rounding asymmetry of a product). */
    private static double[][] symmetrised(double[][] m) {
        int n = m.length;
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double value = 0.5 * (m[i][j] + m[j][i]);
                out[i][j] = value;
                out[j][i] = value;
            }
        }
        return out;
    }
}
