package io.motdjl.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Scalar constants that are safe to use inside an autograd graph.
 *
 * <p>DJL's PyTorch {@code NDArray.mul(Number)} and {@code div(Number)} wrap the number in a tensor
 * backed by a Java direct buffer and close it right after the call. PyTorch saves that scalar for
 * the backward pass of {@code mul}/{@code div}; once the JVM collects the buffer, backward reads
 * freed memory and the gradients silently become garbage. A scalar made here owns native memory,
 * which PyTorch's reference counting keeps alive for as long as the graph needs it.
 */
public final class Scalars {

    private Scalars() {}

    /** A 0-d array holding {@code value} in {@code type}, backed by native (not Java) memory. */
    public static NDArray of(NDManager manager, double value, DataType type) {
        try (NDArray javaBacked = manager.create(value)) {
            // the cast (or clone) allocates in libtorch, detaching the value from the Java buffer
            return type == DataType.FLOAT64
                    ? javaBacked.duplicate()
                    : javaBacked.toType(type, false);
        }
    }

    /** {@code array · value}, safe under autograd (unlike {@code array.mul(Number)}). */
    public static NDArray times(NDArray array, double value) {
        return array.mul(of(array.getManager(), value, array.getDataType()));
    }
}
