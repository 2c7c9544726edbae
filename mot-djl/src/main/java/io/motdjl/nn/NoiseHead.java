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
 * The Transfusion setting's way out for image rows: {@code Linear(D, P)} from a final hidden row to
 * the predicted noise of its patch, the model output {@value #OUTPUT} {@code (B, T, P)} (zero at
 * rows of other modalities).
 */
public final class NoiseHead extends AbstractBlock implements OutputHead {

    /** The name of the output this head produces. */
    public static final String OUTPUT = "noise_prediction";

    private static final byte VERSION = 1;

    private final long dim;
    private final long patchSize;
    private final Linear projection;

    /**
     * Creates the head.
     *
     * @param dim D
     * @param patchSize P, values per patch row
     */
    public NoiseHead(long dim, long patchSize) {
        super(VERSION);
        if (dim < 1 || patchSize < 1) {
            throw new IllegalArgumentException(
                    "NoiseHead needs positive sizes, got D=" + dim + ", P=" + patchSize);
        }
        this.dim = dim;
        this.patchSize = patchSize;
        projection = addChildBlock("projection", Linear.builder().setUnits(patchSize).build());
    }

    @Override
    public String outputName() {
        return OUTPUT;
    }

    @Override
    public long outputWidth() {
        return patchSize;
    }

    @Override
    public NDArray project(ParameterStore ps, NDArray hidden, boolean training) {
        return projection.forward(ps, new NDList(hidden), training).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(project(ps, inputs.get(0), training));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        projection.initialize(manager, dataType, new Shape(1, dim));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(patchSize)};
    }

    /** The projection {@code Linear(D, P)}. */
    public Linear projection() {
        return projection;
    }

    @Override
    public String toString() {
        return "NoiseHead(" + dim + " -> " + patchSize + ")";
    }
}
