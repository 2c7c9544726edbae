package io.motdjl.examples.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Random;

class FrechetDistanceTest {

    @Test
    void statisticsOfASmallSet() {
        float[][] rows = {{1, 2}, {3, 6}, {5, 4}};
        FeatureStatistics s = FeatureStatistics.of(rows);
        assertEquals(3, s.count());
        assertEquals(2, s.dimension());
        assertArrayEquals(new double[] {3, 4}, s.mean(), 1e-12);
        // centred: (-2, -2), (0, 2), (2, 0); sums of products / (n - 1) = 2
        assertArrayEquals(new double[] {4, 2}, s.covariance()[0], 1e-12);
        assertArrayEquals(new double[] {2, 4}, s.covariance()[1], 1e-12);
        assertTrue(s.canBeFullRank());
        assertFalse(FeatureStatistics.of(new float[][] {{1, 2}, {3, 4}}).canBeFullRank());
    }

    @Test
    void statisticsNeedTwoFiniteRowsOfOneWidth() {
        IllegalArgumentException one =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> FeatureStatistics.of(new float[][] {{1, 2}}));
        assertTrue(one.getMessage().contains("at least 2"), one.getMessage());
        IllegalArgumentException ragged =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> FeatureStatistics.of(new float[][] {{1, 2}, {3}}));
        assertTrue(ragged.getMessage().contains("row 1 has 1 values"), ragged.getMessage());
        IllegalArgumentException nan =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> FeatureStatistics.of(new float[][] {{1, 2}, {3, Float.NaN}}));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
    }

    @Test
    void distanceOfASetToItselfIsZero() {
        FeatureStatistics s = FeatureStatistics.of(gaussianRows(new Random(1), 300, 16, 0.5));
        assertEquals(0, FrechetDistance.between(s, s), 1e-9);
        // also with a rank-deficient covariance (5 samples in 16 dimensions)
        FeatureStatistics few = FeatureStatistics.of(gaussianRows(new Random(2), 5, 16, 0));
        assertFalse(few.canBeFullRank());
        assertEquals(0, FrechetDistance.between(few, few), 1e-9);
    }

    @Test
    void diagonalCovariancesMatchTheClosedForm() {
        Random random = new Random(3);
        int n = 12;
        double[] mean1 = new double[n];
        double[] mean2 = new double[n];
        double[][] cov1 = new double[n][n];
        double[][] cov2 = new double[n][n];
        double expected = 0;
        for (int i = 0; i < n; i++) {
            mean1[i] = random.nextGaussian();
            mean2[i] = random.nextGaussian();
            cov1[i][i] = 0.1 + 3 * random.nextDouble();
            cov2[i][i] = i == 0 ? 0 : 0.1 + 3 * random.nextDouble();
            double dm = mean1[i] - mean2[i];
            double ds = Math.sqrt(cov1[i][i]) - Math.sqrt(cov2[i][i]);
            expected += dm * dm + ds * ds;
        }
        double actual =
                FrechetDistance.between(
                        FeatureStatistics.of(100, mean1, cov1),
                        FeatureStatistics.of(100, mean2, cov2));
        assertEquals(expected, actual, 1e-12 * expected);
    }

    @Test
    void nonCommutingCovariancesMatchTheTwoByTwoFormula() {
        double[][] cov1 = {{2, 0.5}, {0.5, 1}};
        double[][] cov2 = {{1, -0.3}, {-0.3, 3}};
        double[] mean1 = {0.25, -1};
        double[] mean2 = {1, 0.5};
        double[][] product = {
            {
                cov1[0][0] * cov2[0][0] + cov1[0][1] * cov2[1][0],
                cov1[0][0] * cov2[0][1] + cov1[0][1] * cov2[1][1]
            },
            {
                cov1[1][0] * cov2[0][0] + cov1[1][1] * cov2[1][0],
                cov1[1][0] * cov2[0][1] + cov1[1][1] * cov2[1][1]
            }
        };
        double[][] reversed = {
            {
                cov2[0][0] * cov1[0][0] + cov2[0][1] * cov1[1][0],
                cov2[0][0] * cov1[0][1] + cov2[0][1] * cov1[1][1]
            },
            {
                cov2[1][0] * cov1[0][0] + cov2[1][1] * cov1[1][0],
                cov2[1][0] * cov1[0][1] + cov2[1][1] * cov1[1][1]
            }
        };
        assertTrue(Math.abs(product[0][1] - reversed[0][1]) > 0.1, "Σ1Σ2 ≠ Σ2Σ1");
        // the eigenvalues of Σ1Σ2 are positive, so Tr √(Σ1Σ2) = √(Tr Σ1Σ2 + 2 √det(Σ1Σ2))
        double det = det(cov1) * det(cov2);
        double traceRoot = Math.sqrt(product[0][0] + product[1][1] + 2 * Math.sqrt(det));
        double meanTerm = Math.pow(0.75, 2) + Math.pow(1.5, 2);
        double expected = meanTerm + 3 + 4 - 2 * traceRoot;
        assertEquals(expected, FrechetDistance.between(mean1, cov1, mean2, cov2), 1e-12);
        assertEquals(expected, FrechetDistance.between(mean2, cov2, mean1, cov1), 1e-12);
    }

    @Test
    void squareRootMatchesTheExplicitTwoByTwoRoot() {
        double[][] a = {{2, 0.5}, {0.5, 1}};
        // √A = (A + √det I) / √(Tr A + 2 √det) for a 2 × 2 positive definite A
        double s = Math.sqrt(det(a));
        double t = Math.sqrt(a[0][0] + a[1][1] + 2 * s);
        double[][] expected = {{(a[0][0] + s) / t, a[0][1] / t}, {a[1][0] / t, (a[1][1] + s) / t}};
        double[][] root = FrechetDistance.sqrtPsd(a);
        assertArrayEquals(expected[0], root[0], 1e-14);
        assertArrayEquals(expected[1], root[1], 1e-14);
    }

    @Test
    void isSymmetricAndGrowsWithTheGap() {
        Random random = new Random(4);
        FeatureStatistics a = FeatureStatistics.of(gaussianRows(random, 200, 8, 0));
        FeatureStatistics b = FeatureStatistics.of(gaussianRows(random, 200, 8, 0.3));
        FeatureStatistics c = FeatureStatistics.of(gaussianRows(random, 200, 8, 1.5));
        double ab = FrechetDistance.between(a, b);
        assertEquals(ab, FrechetDistance.between(b, a), 1e-9 * ab);
        assertTrue(FrechetDistance.between(a, c) > ab, "a farther set is farther");
    }

    @Test
    void rejectsDifferentWidths() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                FrechetDistance.between(
                                        new double[2],
                                        new double[2][2],
                                        new double[3],
                                        new double[3][3]));
        assertTrue(e.getMessage().contains("widths differ"), e.getMessage());
    }

    private static double det(double[][] m) {
        return m[0][0] * m[1][1] - m[0][1] * m[1][0];
    }

    /** Correlated Gaussian rows: {@code x_i = z_i + 0.5 z_{i-1} + shift}. */
    private static float[][] gaussianRows(Random random, int n, int width, double shift) {
        float[][] rows = new float[n][width];
        for (int r = 0; r < n; r++) {
            double previous = 0;
            for (int i = 0; i < width; i++) {
                double z = random.nextGaussian();
                rows[r][i] = (float) (z + 0.5 * previous + shift);
                previous = z;
            }
        }
        return rows;
    }
}
