package io.motdjl.examples.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Random;

class SymmetricEigenTest {

    private static final double TOLERANCE = 1e-9;

    @Test
    void reconstructsRandomSymmetricMatrices() {
        Random random = new Random(42);
        for (int n : new int[] {1, 2, 5, 20, 64}) {
            double[][] a = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    double x = random.nextGaussian();
                    a[i][j] = x;
                    a[j][i] = x;
                }
            }
            SymmetricEigen.Decomposition d = SymmetricEigen.decompose(a);
            double[][] v = d.vectors();
            double[] values = d.values();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double dot = 0;
                    double rebuilt = 0;
                    for (int k = 0; k < n; k++) {
                        dot += v[k][i] * v[k][j];
                        rebuilt += v[i][k] * values[k] * v[j][k];
                    }
                    assertEquals(i == j ? 1 : 0, dot, TOLERANCE, "VᵀV at " + i + "," + j);
                    assertEquals(a[i][j], rebuilt, TOLERANCE, "VΛVᵀ at " + i + "," + j);
                }
            }
            for (int k = 1; k < n; k++) {
                assertTrue(values[k - 1] <= values[k], "ascending eigenvalues " + k);
            }
            // each column is an eigenvector: A v = λ v
            for (int k = 0; k < n; k++) {
                for (int i = 0; i < n; i++) {
                    double av = 0;
                    for (int j = 0; j < n; j++) {
                        av += a[i][j] * v[j][k];
                    }
                    assertEquals(values[k] * v[i][k], av, TOLERANCE, "A v_" + k + " row " + i);
                }
            }
        }
    }

    @Test
    void knownEigenvalues() {
        SymmetricEigen.Decomposition d = SymmetricEigen.decompose(new double[][] {{2, 1}, {1, 2}});
        assertArrayEquals(new double[] {1, 3}, d.values(), 1e-14);
        double[][] diagonal = {{3, 0, 0}, {0, -1, 0}, {0, 0, 2}};
        assertArrayEquals(new double[] {-1, 2, 3}, SymmetricEigen.decompose(diagonal).values(), 0);
        // equal diagonal entries (θ = 0, a 45° rotation)
        assertArrayEquals(
                new double[] {-1, 1},
                SymmetricEigen.decompose(new double[][] {{0, 1}, {1, 0}}).values(),
                1e-15);
    }

    @Test
    void rankOneMatrixHasOneNonZeroEigenvalue() {
        double[] u = {1, -2, 3, 0.5};
        double[][] a = new double[4][4];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                a[i][j] = u[i] * u[j];
            }
        }
        double[] values = SymmetricEigen.decompose(a).values();
        assertEquals(1 + 4 + 9 + 0.25, values[3], 1e-12);
        for (int k = 0; k < 3; k++) {
            assertEquals(0, values[k], 1e-12, "eigenvalue " + k);
        }
    }

    @Test
    void composeAppliesAFunctionToTheEigenvalues() {
        double[][] a = {{4, 1}, {1, 3}};
        double[][] square = SymmetricEigen.decompose(a).compose(x -> x * x);
        assertArrayEquals(new double[] {17, 7}, square[0], 1e-12);
        assertArrayEquals(new double[] {7, 10}, square[1], 1e-12);
    }

    @Test
    void rejectsMatricesItCannotDecompose() {
        IllegalArgumentException asymmetric =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> SymmetricEigen.decompose(new double[][] {{1, 2}, {0, 1}}));
        assertTrue(asymmetric.getMessage().contains("not symmetric"), asymmetric.getMessage());
        IllegalArgumentException ragged =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> SymmetricEigen.decompose(new double[][] {{1, 2}, {2}}));
        assertTrue(ragged.getMessage().contains("not square"), ragged.getMessage());
        IllegalArgumentException nan =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> SymmetricEigen.decompose(new double[][] {{Double.NaN}}));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
    }
}
