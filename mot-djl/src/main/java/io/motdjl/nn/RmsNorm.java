package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import io.motdjl.config.MoTConfig;

/**
 * RMSNorm over the last axis, {@code x · rsqrt(mean(x²) + eps) · w}, with one learned scale vector
 * {@code w} (parameter {@code weight}, initialised to ones). Half-precision inputs are normalised
 * in float32; float32 and float64 in their own type.
 */
public final class RmsNorm extends AbstractBlock {

    /** The power of the mean square that normalises: {@code (mean(x²) + eps)^(-1/2)}. */
    private static final double EXPONENT = -0.5;

    private static final byte VERSION = 1;

    private final long width;
    private final double eps;
    private final Parameter weight;

    private RmsNorm(Builder b) {
        super(VERSION);
        this.width = b.width;
        this.eps = b.eps;
        weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.GAMMA)
                                .optShape(new Shape(width))
                                .build());
    }

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * RMSNorm of {@code x} over its last axis with scale {@code weight} (which broadcasts against
     * {@code x}): {@code x · (mean(x²) + eps)^(-1/2) · weight}.
     *
     * <p>Multiplying by the inverse root (rather than dividing by the root) keeps the backward pass
     * to cheap products: the division's backward needs several full-size temporaries.
     *
     * @param x the input
     * @param weight the scale, broadcastable against {@code x}
     * @param eps added to the mean square
     * @param constants where {@code eps} and the exponent come from as native scalars
     * @return the normalised input, in {@code x}'s type
     */
    public static NDArray rmsNorm(
            NDArray x, NDArray weight, double eps, ScalarConstants constants) {
        DataType type = x.getDataType();
        boolean half = isHalf(type);
        NDArray w = half ? weight.toType(DataType.FLOAT32, false) : weight;
        NDArray y = normalize(half ? x.toType(DataType.FLOAT32, false) : x, eps, constants).mul(w);
        return half ? y.toType(type, false) : y;
    }

    /**
     * {@code x · (mean(x²) + eps)^(-1/2)} over the last axis, without a scale, in {@code x}'s own
     * (float32 or float64) type: the part of RMSNorm that {@link QkNorm} shares.
     */
    static NDArray normalize(NDArray x, double eps, ScalarConstants constants) {
        DataType type = x.getDataType();
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        // the exponent is saved for backward: a native scalar, never a Java-backed one
        NDArray inverseRoot =
                meanSquare.add(constants.of(eps, type)).pow(constants.of(EXPONENT, type));
        return x.mul(inverseRoot);
    }

    /**
     * Makes the constants {@link #normalize} will take from {@code constants} for inputs of {@code
     * type} (a half type is normalised in float32).
     */
    static void prepareConstants(ScalarConstants constants, double eps, DataType type) {
        DataType normType = isHalf(type) ? DataType.FLOAT32 : type;
        constants.of(eps, normType);
        constants.of(EXPONENT, normType);
    }

    /** Whether {@code type} is normalised in float32 rather than in its own type. */
    static boolean isHalf(DataType type) {
        return type == DataType.FLOAT16 || type == DataType.BFLOAT16;
    }

    /**
     * RMSNorms of {@code width} with the config's epsilon, one per tower when {@code untied} (as
     * the config's towers map modalities), else one shared.
     */
    static PerModality<RmsNorm> perModality(MoTConfig config, long width, boolean untied) {
        return PerModality.mapped(
                config.towersFor(untied),
                t -> RmsNorm.builder().setWidth(width).optEps(config.normEps()).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        // inside a model (a forward context in params) the width holds by construction; the check
        // would cost a JNI call per norm and pass
        if (!ForwardContext.isIn(params) && x.getShape().tail() != width) {
            throw new IllegalArgumentException(
                    "RmsNorm of width " + width + " got input of shape " + x.getShape());
        }
        return new NDList(
                rmsNorm(
                        x,
                        ps.getValue(weight, x.getDevice(), training),
                        eps,
                        ForwardContext.constantsOf(params, x.getManager())));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** The epsilon added to the mean square. */
    public double eps() {
        return eps;
    }

    /** The normalised width. */
    public long width() {
        return width;
    }

    /** The scale {@code [width]}. */
    public Parameter weight() {
        return weight;
    }

    @Override
    public String toString() {
        return "RmsNorm(" + width + ", eps=" + eps + ")";
    }

    /** Builder for {@link RmsNorm}. */
    public static final class Builder {
        private long width;
        private double eps = 1e-5;

        private Builder() {}

        /** Width of the normalised (last) axis. */
        public Builder setWidth(long v) {
            width = v;
            return this;
        }

        /** The epsilon added to the mean square (default 1e-5). */
        public Builder optEps(double v) {
            eps = v;
            return this;
        }

        /** Builds the norm. */
        public RmsNorm build() {
            if (width <= 0 || !(eps > 0)) {
                throw new IllegalArgumentException(
                        "RmsNorm needs a positive width and eps, got width="
                                + width
                                + ", eps="
                                + eps);
            }
            return new RmsNorm(this);
        }
    }
}
