package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/**
 * A bias-free linear projection with one weight {@code [out, in]} per modality (PyTorch layout:
 * {@code y = x Wᵀ}).
 */
public final class UntiedLinear extends UntiedBlock {

    private static final byte VERSION = 1;

    private final long inFeatures;
    private final long outFeatures;

    private UntiedLinear(Builder b) {
        super(VERSION, b.numModalities, b.untied, new Shape(b.outFeatures, b.inFeatures),
                Parameter.Type.WEIGHT);
        this.inFeatures = b.inFeatures;
        this.outFeatures = b.outFeatures;
    }

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected NDArray compute(NDArray rows, NDArray weight) {
        return rows.getNDArrayInternal().linear(rows, weight, null).singletonOrThrow();
    }

    @Override
    protected long inputWidth() {
        return inFeatures;
    }

    @Override
    protected long outputWidth() {
        return outFeatures;
    }

    /** Builder for {@link UntiedLinear}. */
    public static final class Builder {
        private long inFeatures;
        private long outFeatures;
        private int numModalities = 1;
        private boolean untied = true;

        private Builder() {}

        public Builder setInFeatures(long v) {
            inFeatures = v;
            return this;
        }

        public Builder setOutFeatures(long v) {
            outFeatures = v;
            return this;
        }

        public Builder setNumModalities(int v) {
            numModalities = v;
            return this;
        }

        /** Whether each modality gets its own weight (default true). */
        public Builder optUntied(boolean v) {
            untied = v;
            return this;
        }

        public UntiedLinear build() {
            if (inFeatures <= 0 || outFeatures <= 0 || numModalities <= 0) {
                throw new IllegalArgumentException(
                        "UntiedLinear needs positive in/out features and modalities, got in="
                                + inFeatures + ", out=" + outFeatures + ", M=" + numModalities);
            }
            return new UntiedLinear(this);
        }
    }
}
