package io.motdjl.examples.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * The ceiling every model figure is compared with: the float32 matrix-multiply rate this machine
 * reaches through DJL's PyTorch engine on one large square GEMM ({@code n×n · n×n}, {@code 2n³}
 * FLOPs).
 */
public final class GemmCeiling {

    private GemmCeiling() {}

    /**
     * Measures the rate.
     *
     * @param n matrix side
     * @param repeats timed multiplications (after one warm-up)
     * @return the median rate in FLOP/s
     */
    public static double flopsPerSecond(int n, int repeats) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.randomNormal(0, 1, new Shape(n, n), DataType.FLOAT32);
            NDArray b = manager.randomNormal(0, 1, new Shape(n, n), DataType.FLOAT32);
            List<Double> rates = new ArrayList<>();
            for (int i = 0; i <= repeats; i++) {
                try (NDManager scope = manager.newSubManager()) {
                    scope.tempAttachAll(a, b);
                    long start = System.nanoTime();
                    NDArray c = a.matMul(b);
                    c.get(0, 0).getFloat(); // the product must be complete
                    double seconds = (System.nanoTime() - start) / 1e9;
                    if (i > 0) {
                        rates.add(2.0 * n * n * (double) n / seconds);
                    }
                }
            }
            return Stats.median(rates);
        }
    }
}
