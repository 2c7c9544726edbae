package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.motdjl.util.Scalars;

/**
 * RMSNorm over the last axis with one scale vector per modality: {@code x · rsqrt(mean(x²) + eps) ·
 * w}. Half-precision inputs are normalised in float32; float32 and float64 in their own type.
 */
public final class UntiedRmsNorm extends UntiedBlock {

    private static final byte VERSION = 1;

    private final long width;
    private final double eps;

    private UntiedRmsNorm(Builder b) {
        super(VERSION, b.numModalities, b.untied, new Shape(b.width), Parameter.Type.GAMMA);
        this.width = b.width;
        this.eps = b.eps;
    }

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * RMSNorm of {@code x} over its last axis with scale {@code weight} (which broadcasts against
     * {@code x}): {@code x · (mean(x²) + eps)^(-1/2) · weight}.
     *
     * <p>Multiplying by the inverse root (rather than dividing by the root) keeps the backward
     * pass to cheap products: the division's backward needs several full-size temporaries.
     */
    public static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        DataType type = x.getDataType();
        boolean half = type == DataType.FLOAT16 || type == DataType.BFLOAT16;
        NDArray xf = half ? x.toType(DataType.FLOAT32, false) : x;
        NDArray w = half ? weight.toType(DataType.FLOAT32, false) : weight;
        NDArray meanSquare = xf.square().mean(new int[] {-1}, true);
        // the exponent is saved for backward: a native scalar, never a Java-backed one
        NDArray inverseRoot =
                meanSquare.add(eps).pow(Scalars.of(x.getManager(), -0.5, xf.getDataType()));
        NDArray y = xf.mul(inverseRoot).mul(w);
        return half ? y.toType(type, false) : y;
    }

    /** The epsilon added to the mean square. */
    public double eps() {
        return eps;
    }

    @Override
    protected NDArray compute(NDArray rows, NDArray weight) {
        return rmsNorm(rows, weight, eps);
    }

    @Override
    protected long inputWidth() {
        return width;
    }

    @Override
    protected long outputWidth() {
        return width;
    }

    /** Builder for {@link UntiedRmsNorm}. */
    public static final class Builder {
        private long width;
        private double eps = 1e-5;
        private int numModalities = 1;
        private boolean untied = true;

        private Builder() {}

        /** Width of the normalised (last) axis. */
        public Builder setWidth(long v) {
            width = v;
            return this;
        }

        public Builder optEps(double v) {
            eps = v;
            return this;
        }

        public Builder setNumModalities(int v) {
            numModalities = v;
            return this;
        }

        /** Whether each modality gets its own scale (default true). */
        public Builder optUntied(boolean v) {
            untied = v;
            return this;
        }

        public UntiedRmsNorm build() {
            if (width <= 0 || numModalities <= 0 || !(eps > 0)) {
                throw new IllegalArgumentException(
                        "UntiedRmsNorm needs a positive width, modalities and eps, got width="
                                + width + ", M=" + numModalities + ", eps=" + eps);
            }
            return new UntiedRmsNorm(this);
        }
    }
}
