package io.motdjl.examples.quality;

import java.util.Comparator;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.IntStream;

/**
 * Eigendecomposition of a real symmetric matrix {@code A = V Λ Vᵀ} in double by the cyclic Jacobi
 * method: sweeps of plane rotations, each zeroing one off-diagonal entry, until a whole sweep finds
 * nothing worth rotating. Slow for large matrices (about {@code 10 n³} flops per sweep, a handful
 * of sweeps) but simple, stable and accurate to a few units in the last place for the feature
 * covariances here ({@code n ≤ 128}).
 */
public final class SymmetricEigen {

    /** Upper bound on sweeps; Jacobi converges quadratically, in well under 20. */
    private static final int MAX_SWEEPS = 100;

    /** Entries below this share of {@code sqrt(|a_pp a_qq|)} no longer change the eigenvalues. */
    private static final double RELATIVE_THRESHOLD = 1e-15;

    /** Entries below this share of the matrix's norm are left alone (matrices with zero rows). */
    private static final double ABSOLUTE_THRESHOLD = 1e-18;

    /** How far from symmetric an input may be, relative to its largest entry. */
    private static final double SYMMETRY_TOLERANCE = 1e-9;

    /**
     * The eigenvalues, ascending, and the eigenvectors.
     *
     * @param values the eigenvalues {@code λ_0 ≤ ... ≤ λ_{n-1}}
     * @param vectors an orthonormal matrix whose column {@code k} ({@code vectors[i][k]} over
     *     {@code i}) is the eigenvector of {@code values[k]}
     */
    public record Decomposition(double[] values, double[][] vectors) {

        /** {@code V f(Λ) Vᵀ}: the matrix function of {@code f} applied to the eigenvalues. */
        public double[][] compose(DoubleUnaryOperator f) {
            int n = values.length;
            double[] fx = new double[n];
            for (int k = 0; k < n; k++) {
                fx[k] = f.applyAsDouble(values[k]);
            }
            double[][] out = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    double sum = 0;
                    for (int k = 0; k < n; k++) {
                        sum += vectors[i][k] * fx[k] * vectors[j][k];
                    }
                    out[i][j] = sum;
                    out[j][i] = sum;
                }
            }
            return out;
        }
    }

    private SymmetricEigen() {}

    /**
     * Decomposes a symmetric matrix (the average of it and its transpose, which must agree to
     * {@code 1e-9} of its largest entry). The input is not changed.
     *
     * @param matrix a square, symmetric matrix of finite values
     * @return its eigenvalues (ascending) and orthonormal eigenvectors
     * @throws IllegalArgumentException if the matrix is not square, not finite or not symmetric
     */
    public static Decomposition decompose(double[][] matrix) {
        double[][] a = symmetrised(matrix);
        int n = a.length;
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            v[i][i] = 1;
        }
        double norm = 0;
        for (double[] row : a) {
            for (double x : row) {
                norm += x * x;
            }
        }
        double floor = ABSOLUTE_THRESHOLD * Math.sqrt(norm);
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p][q];
                    double limit =
                            Math.max(
                                    RELATIVE_THRESHOLD * Math.sqrt(Math.abs(a[p][p] * a[q][q])),
                                    floor);
                    if (Math.abs(apq) <= limit) {
                        continue;
                    }
                    rotate(a, v, p, q);
                    rotated = true;
                }
            }
            if (!rotated) {
                break;
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = a[i][i];
        }
        return sorted(values, v);
    }

    /**
     * Applies the rotation {@code J} in the {@code (p, q)} plane that zeroes {@code a[p][q]}:
     * {@code A ← Jᵀ A J}, {@code V ← V J} (the updates of Numerical Recipes, section 11.1, which
     * keep {@code A} exactly symmetric and take the new diagonal from {@code t a_pq}, not by
     * rotating it).
     */
    private static void rotate(double[][] a, double[][] v, int p, int q) {
        double apq = a[p][q];
        double theta = (a[q][q] - a[p][p]) / (2 * apq);
        // the smaller root of t² + 2θt − 1 = 0 (angle at most π/4); θ = 0 needs t = 1
        double t = theta == 0 ? 1 : Math.signum(theta) / (Math.abs(theta) + Math.hypot(theta, 1));
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        int n = a.length;
        for (int k = 0; k < n; k++) {
            if (k == p || k == q) {
                continue;
            }
            double akp = a[k][p];
            double akq = a[k][q];
            double newKp = c * akp - s * akq;
            double newKq = s * akp + c * akq;
            a[k][p] = newKp;
            a[p][k] = newKp;
            a[k][q] = newKq;
            a[q][k] = newKq;
        }
        a[p][p] -= t * apq;
        a[q][q] += t * apq;
        a[p][q] = 0;
        a[q][p] = 0;
        for (int k = 0; k < n; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
        }
    }

    private static double[][] symmetrised(double[][] matrix) {
        int n = matrix.length;
        double largest = 0;
        for (int i = 0; i < n; i++) {
            if (matrix[i] == null || matrix[i].length != n) {
                throw new IllegalArgumentException(
                        "matrix is not square: row "
                                + i
                                + " has "
                                + (matrix[i] == null ? "no" : matrix[i].length)
                                + " entries, expected "
                                + n);
            }
            for (int j = 0; j < n; j++) {
                double x = matrix[i][j];
                if (!Double.isFinite(x)) {
                    throw new IllegalArgumentException(
                            "matrix entry (" + i + ", " + j + ") is " + x);
                }
                largest = Math.max(largest, Math.abs(x));
            }
        }
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double gap = Math.abs(matrix[i][j] - matrix[j][i]);
                if (gap > SYMMETRY_TOLERANCE * largest) {
                    throw new IllegalArgumentException(
                            "matrix is not symmetric: entries ("
                                    + i
                                    + ", "
                                    + j
                                    + ") and ("
                                    + j
                                    + ", "
                                    + i
                                    + ") differ by "
                                    + gap);
                }
                double mean = 0.5 * (matrix[i][j] + matrix[j][i]);
                a[i][j] = mean;
                a[j][i] = mean;
            }
        }
        return a;
    }

    private static Decomposition sorted(double[] values, double[][] v) {
        int n = values.length;
        Integer[] order =
                IntStream.range(0, n)
                        .boxed()
                        .sorted(Comparator.comparingDouble(k -> values[k]))
                        .toArray(Integer[]::new);
        double[] sortedValues = new double[n];
        double[][] sortedVectors = new double[n][n];
        for (int k = 0; k < n; k++) {
            sortedValues[k] = values[order[k]];
            for (int i = 0; i < n; i++) {
                sortedVectors[i][k] = v[i][order[k]];
            }
        }
        return new Decomposition(sortedValues, sortedVectors);
    }
}
