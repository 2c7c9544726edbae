package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The Transfusion setting's way in for image rows: each row is one continuous patch of {@code P}
 * values (a {@code p×p} patch of a normalised image, noised to its image's timestep), mapped to a
 * hidden row by {@code Linear(P, D)} plus the {@link TimestepEmbedding} of that timestep. It reads
 * two extra arrays of the inputs: {@value #PATCHES} {@code (B, T, P)} float and {@value #TIMESTEPS}
 * {@code (B, T)} integer (both ignored at rows of other modalities).
 */
public final class PatchAdapter extends AbstractBlock implements InputAdapter {

    /** The extra input holding each row's patch values. */
    public static final String PATCHES = "image_patches";

    /** The extra input holding each row's diffusion timestep. */
    public static final String TIMESTEPS = "diffusion_timesteps";

    private static final byte VERSION = 1;

    private final long patchSize;
    private final long dim;
    private final int timesteps;
    private final Linear projection;
    private final TimestepEmbedding timestepEmbedding;

    /**
     * Creates the adapter.
     *
     * @param patchSize P, values per patch row
     * @param dim D
     * @param timesteps T of the noise schedule: timesteps must lie in {@code [0, T)}
     */
    public PatchAdapter(long patchSize, long dim, int timesteps) {
        super(VERSION);
        if (patchSize < 1 || dim < 1 || timesteps < 1) {
            throw new IllegalArgumentException(
                    "PatchAdapter needs positive sizes, got P="
                            + patchSize
                            + ", D="
                            + dim
                            + ", T="
                            + timesteps);
        }
        this.patchSize = patchSize;
        this.dim = dim;
        this.timesteps = timesteps;
        projection = addChildBlock("patch_projection", Linear.builder().setUnits(dim).build());
        timestepEmbedding = addChildBlock("timestep_embedding", new TimestepEmbedding(dim));
    }

    @Override
    public NDArray embed(ParameterStore ps, MoTInputs inputs, NDArray rows, boolean training) {
        Shape tokens = inputs.tokens().getShape();
        NDArray patches = required(inputs, PATCHES);
        NDArray steps = required(inputs, TIMESTEPS);
        Shape expected = tokens.add(patchSize);
        if (!patches.getShape().equals(expected)) {
            throw new IllegalArgumentException(
                    PATCHES + " must have shape " + expected + ", got " + patches.getShape());
        }
        if (!patches.getDataType().isFloating()) {
            throw new IllegalArgumentException(
                    PATCHES + " must be floating point, got " + patches.getDataType());
        }
        if (!steps.getShape().equals(tokens) || !steps.getDataType().isInteger()) {
            throw new IllegalArgumentException(
                    TIMESTEPS
                            + " must be an integer array of shape "
                            + tokens
                            + ", got "
                            + steps.getDataType()
                            + " "
                            + steps.getShape());
        }
        NDArray x = patches.reshape(-1, patchSize);
        NDArray t = steps.toType(DataType.INT64, false).reshape(-1);
        if (rows != null) {
            x = x.get(new NDIndex("{}", rows));
            t = t.get(new NDIndex("{}", rows));
        }
        checkRows(x, t);
        DataType type = projection.getParameters().valueAt(0).getArray().getDataType();
        NDArray hidden =
                projection
                        .forward(ps, new NDList(x.toType(type, false)), training)
                        .singletonOrThrow();
        NDArray time = timestepEmbedding.forward(ps, new NDList(t), training).singletonOrThrow();
        return hidden.add(time);
    }

    /** Refuses non-finite patch values and timesteps outside the schedule, naming the value. */
    private void checkRows(NDArray x, NDArray t) {
        if (x.getShape().get(0) == 0) {
            return;
        }
        if (x.isInfinite().logicalOr(x.isNaN()).any().getBoolean()) {
            throw new IllegalArgumentException(
                    PATCHES + " holds a non-finite value (NaN or infinity) in an image row");
        }
        long min = t.min().getLong();
        long max = t.max().getLong();
        if (min < 0 || max >= timesteps) {
            throw new IllegalArgumentException(
                    TIMESTEPS
                            + " holds "
                            + (min < 0 ? min : max)
                            + " in an image row, outside the schedule's [0, "
                            + timesteps
                            + ")");
        }
    }

    private static NDArray required(MoTInputs inputs, String name) {
        NDArray array = inputs.extra(name);
        if (array == null) {
            throw new IllegalArgumentException(
                    "image rows of the Transfusion setting need the input '"
                            + name
                            + "' (MoTInputs.withExtra); the inputs have none");
        }
        return array;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(embed(ps, MoTInputs.from(inputs), null, training));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        projection.initialize(manager, dataType, new Shape(1, patchSize));
        timestepEmbedding.initialize(manager, dataType, new Shape(1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].size(), dim)};
    }

    /** P, values per patch row. */
    public long patchSize() {
        return patchSize;
    }

    /** T of the schedule the timesteps come from. */
    public int timesteps() {
        return timesteps;
    }

    /** The patch projection {@code Linear(P, D)}. */
    public Linear projection() {
        return projection;
    }

    /** The timestep embedding. */
    public TimestepEmbedding timestepEmbedding() {
        return timestepEmbedding;
    }

    @Override
    public String toString() {
        return "PatchAdapter(" + patchSize + " -> " + dim + ", T=" + timesteps + ")";
    }
}
