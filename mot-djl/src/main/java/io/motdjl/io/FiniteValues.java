package io.motdjl.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

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
     * or for a tensor that is not floating-point. Lets a reader check a tensor window by window.
     */
    long count(NDArray tensor) {
        if (this == ALLOW || !tensor.getDataType().isFloating()) {
            return 0;
        }
        try (NDArray nan = tensor.isNaN();
                NDArray infinite = tensor.isInfinite();
                NDArray bad = nan.logicalOr(infinite);
                NDArray count = bad.toType(DataType.INT64, false).sum()) {
            return count.getLong();
        }
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
