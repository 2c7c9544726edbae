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
 * The SwiGLU feed-forward {@code W2 (silu(W1 x) * W3 x)}, bias-free. {@code W1} and {@code W3} are
 * stored as one projection {@code w13 [2F, D]} (rows {@code 0..F-1} are {@code W1}), so both run as
 * one matmul; checkpoints name the halves {@code w1} and {@code w3}.
 *
 * <p>Input {@code (..., D)} (a second input, the rows' validity, is ignored: the SwiGLU is
 * row-wise), output {@code (..., D)}.
 */
public final class SwiGlu extends AbstractBlock {

    private static final byte VERSION = 1;

    private final long dim;
    private final long hidden;
    private final Linear w13;
    private final Linear w2;

    /**
     * Creates a SwiGLU feed-forward block of width {@code dim} and hidden width {@code hidden}.
     *
     * @param dim D, the input and output width
     * @param hidden F, the hidden width
     */
    public SwiGlu(long dim, long hidden) {
        super(VERSION);
        if (dim <= 0 || hidden <= 0) {
            throw new IllegalArgumentException(
                    "SwiGlu needs positive widths, got dim=" + dim + ", hidden=" + hidden);
        }
        this.dim = dim;
        this.hidden = hidden;
        w13 = addChildBlock("w13", Projections.biasFree(dim, 2 * hidden));
        w2 = addChildBlock("w2", Projections.biasFree(hidden, dim));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray gateUp = w13.forward(ps, new NDList(x), training).singletonOrThrow();
        return w2.forward(ps, new NDList(gatedUnit(gateUp, hidden)), training);
    }

    /**
     * {@code silu(W1 x) · W3 x} from the stacked projection {@code [W1 x, W3 x]} (last axis {@code
     * 2F}): the SwiGLU between its two matmuls, shared with the experts of a {@link
     * MixtureOfExperts}.
     */
    static NDArray gatedUnit(NDArray gateUp, long hidden) {
        // split, not NDIndex slicing (whose backward materialises full-size zero arrays)
        NDList parts = gateUp.split(new long[] {hidden}, gateUp.getShape().dimension() - 1);
        NDArray gate = parts.get(0);
        return gate.mul(Activation.sigmoid(gate)).mul(parts.get(1));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        w13.initialize(manager, dataType, in);
        w2.initialize(manager, dataType, in.slice(0, in.dimension() - 1).add(hidden));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(dim)};
    }

    /** {@code W1} and {@code W3} as one projection {@code [2F, D]}. */
    public Linear w13() {
        return w13;
    }

    /** {@code W2 [D, F]}. */
    public Linear w2() {
        return w2;
    }

    /** F. */
    public long hidden() {
        return hidden;
    }

    @Override
    public String toString() {
        return "SwiGlu(" + dim + " -> " + hidden + " -> " + dim + ")";
    }
}
