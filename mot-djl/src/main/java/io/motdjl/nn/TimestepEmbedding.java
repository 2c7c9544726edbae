package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A diffusion timestep as a hidden row: the sinusoidal features of {@code t} (half sines, half
 * cosines, periods up to 10,000, as in DDPM and DiT) through {@code Linear(D, D)}, SiLU and {@code
 * Linear(D, D)}. Forward: timesteps {@code (n)} (any numeric type) to {@code (n, D)}.
 */
public final class TimestepEmbedding extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final double MAX_PERIOD = 10_000;

    private final long dim;

    /** The sinusoids' frequencies, {@code 10000^(-i/(D/2))}: fixed by D, made once. */
    private final float[] frequencies;

    private final Linear first;
    private final Linear second;

    /**
     * Creates the embedding.
     *
     * @param dim D, even
     * @throws IllegalArgumentException if {@code dim} is not a positive even number
     */
    public TimestepEmbedding(long dim) {
        super(VERSION);
        if (dim < 2 || dim % 2 != 0) {
            throw new IllegalArgumentException(
                    "the timestep embedding needs a positive even width, got " + dim);
        }
        this.dim = dim;
        int half = Math.toIntExact(dim / 2);
        frequencies = new float[half];
        for (int i = 0; i < half; i++) {
            frequencies[i] = (float) Math.exp(-Math.log(MAX_PERIOD) * i / half);
        }
        first = addChildBlock("linear_1", Linear.builder().setUnits(dim).build());
        second = addChildBlock("linear_2", Linear.builder().setUnits(dim).build());
    }

    /** The sinusoidal features {@code (n, D)} of timesteps {@code (n)}, before the MLP. */
    public NDArray features(NDArray timesteps) {
        NDManager manager = timesteps.getManager();
        NDArray t = timesteps.toType(DataType.FLOAT32, false).reshape(-1, 1);
        NDArray angles = t.mul(manager.create(frequencies).reshape(1, frequencies.length));
        return angles.sin().concat(angles.cos(), 1);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = features(inputs.get(0));
        // the features in the parameters' floating type (float64 in reference checks)
        x = x.toType(first.getParameters().valueAt(0).getArray().getDataType(), false);
        x = first.forward(ps, new NDList(x), training).singletonOrThrow();
        x = x.mul(Activation.sigmoid(x));
        return second.forward(ps, new NDList(x), training);
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        first.initialize(manager, dataType, new Shape(1, dim));
        second.initialize(manager, dataType, new Shape(1, dim));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].size(), dim)};
    }

    /** The first projection {@code Linear(D, D)}, before the SiLU. */
    public Linear first() {
        return first;
    }

    /** The second projection {@code Linear(D, D)}. */
    public Linear second() {
        return second;
    }

    @Override
    public String toString() {
        return "TimestepEmbedding(" + dim + ")";
    }
}
