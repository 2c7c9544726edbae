package io.motdjl.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays created from Java data whose memory belongs to libtorch rather than to a Java direct
 * buffer. DJL's PyTorch engine wraps Java data without copying; if such an array is saved by
 * autograd (an index, a rotary table) and its Java wrapper is closed before the backward pass, the
 * garbage collector frees memory that PyTorch still reads. A native copy is kept alive by PyTorch's
 * own reference counting instead. See {@link Scalars}.
 */
public final class NativeArrays {

    private NativeArrays() {}

    /** A native-memory int64 array of {@code shape} holding {@code values}. */
    public static NDArray of(NDManager manager, long[] values, Shape shape) {
        try (NDArray javaBacked = manager.create(values, shape)) {
            return javaBacked.duplicate();
        }
    }

    /** A native-memory float64 array of {@code shape} holding {@code values}. */
    public static NDArray of(NDManager manager, double[] values, Shape shape) {
        try (NDArray javaBacked = manager.create(values, shape)) {
            return javaBacked.duplicate();
        }
    }
}
