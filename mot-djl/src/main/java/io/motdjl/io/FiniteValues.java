package io.motdjl.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * Whether loaded weights may hold NaN or infinite values. A NaN or an infinity in any weight turns
 * every logit into NaN without an error, so loaders refuse them by default and name the tensor;
 * {@link #ALLOW} is for inspecting a broken checkpoint on purpose.
 */
public enum FiniteValues {
    /** Refuse a tensor with any NaN or infinite value (the default). */
    REQUIRE,
    /** Load non-finite values as they are. */
    ALLOW;

    /** An all-ones exponent: infinity or NaN. */
    private static final int FLOAT32_EXPONENT = 0x7F800000;

    private static final long FLOAT64_EXPONENT = 0x7FF0000000000000L;
    private static final int FLOAT16_EXPONENT = 0x7C00;

    /**
     * Checks one decoded tensor.
     *
     * @param tensor a floating-point tensor
     * @param name the tensor's name, for the message
     * @param source the file it came from, for the message
     * @throws CheckpointException under {@link #REQUIRE} if any value is NaN or infinite
     */
    public void check(NDArray tensor, String name, String source) {
        require(count(tensor), tensor.size(), name, source);
    }

    /**
     * How many values of {@code tensor} are NaN or infinite; 0 without looking under {@link #ALLOW}
     * or for a tensor that is not floating-point.
     */
    long count(NDArray tensor) {
        if (this == ALLOW || !tensor.getDataType().isFloating()) {
            return 0;
        }
        try (NDArray nan = tensor.isNaN();
                NDArray infinite = tensor.isInfinite();
                NDArray bad = nan.logicalOr(infinite);
                // summed as booleans: an int64 copy of the mask would be twice the window
                NDArray count = bad.countNonzero()) {
            return count.getLong();
        }
    }

    /**
     * How many of {@code count} values of {@code type} stored in {@code data} (native byte order,
     * from index 0) are NaN or infinite; 0 under {@link #ALLOW} or for a type that is not
     * floating-point. Works on the raw bits in Java: engine operations would allocate native
     * temporaries per window, which the allocator keeps long after (a quarter of the model's size
     * over a large load).
     */
    long count(ByteBuffer data, DataType type, int count) {
        if (this == ALLOW) {
            return 0;
        }
        ByteBuffer b = data.duplicate().order(ByteOrder.nativeOrder()).clear();
        long bad = 0;
        switch (type) {
            case FLOAT32 -> {
                IntBuffer bits = b.asIntBuffer();
                for (int i = 0; i < count; i++) {
                    bad += (bits.get(i) & FLOAT32_EXPONENT) == FLOAT32_EXPONENT ? 1 : 0;
                }
            }
            case FLOAT64 -> {
                LongBuffer bits = b.asLongBuffer();
                for (int i = 0; i < count; i++) {
                    bad += (bits.get(i) & FLOAT64_EXPONENT) == FLOAT64_EXPONENT ? 1 : 0;
                }
            }
            case FLOAT16 -> {
                ShortBuffer bits = b.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    bad += (bits.get(i) & FLOAT16_EXPONENT) == FLOAT16_EXPONENT ? 1 : 0;
                }
            }
            default -> {
                // integers and booleans are always finite
            }
        }
        return bad;
    }

    /** Refuses a tensor of {@code size} values of which {@code nonFinite} are NaN or infinite. */
    void require(long nonFinite, long size, String name, String source) {
        if (nonFinite > 0) {
            throw new CheckpointException(
                    source
                            + ": tensor '"
                            + name
                            + "' holds "
                            + nonFinite
                            + " NaN or infinite value(s) of "
                            + size
                            + "; a model with them computes NaN everywhere (to inspect such a"
                            + " checkpoint anyway, load it with FiniteValues.ALLOW)");
        }
    }
}
