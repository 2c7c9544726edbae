package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
        PatchRows selected = PatchRows.select(inputs, rows, patchSize, timesteps);
        DataType type = projection.getParameters().valueAt(0).getArray().getDataType();
        NDArray hidden =
                projection
                        .forward(ps, new NDList(selected.values().toType(type, false)), training)
                        .singletonOrThrow();
        NDArray time =
                timestepEmbedding
                        .forward(ps, new NDList(selected.timesteps()), training)
                        .singletonOrThrow();
        return hidden.add(time);
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
