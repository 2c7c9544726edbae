package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.motdjl.config.MoTConfig;

/**
 * One MoT decoder layer: {@code h = x + attention(x); out = h + feedForward(h)}, where the norms
 * sit inside the two sub-blocks according to the config's norm order. Input and output {@code (B,
 * T, D)}; needs a {@link ForwardContext} in its params.
 */
public final class MoTLayer extends AbstractBlock {

    private static final byte VERSION = 1;

    private final MoTAttention attention;
    private final MoTFeedForward feedForward;

    /** Builds a layer from the model config. */
    public MoTLayer(MoTConfig config) {
        super(VERSION);
        attention = addChildBlock("attention", new MoTAttention(config));
        feedForward = addChildBlock("feed_forward", new MoTFeedForward(config));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray h = x.add(attention.forward(ps, inputs, training, params).singletonOrThrow());
        NDArray ffn = feedForward.forward(ps, new NDList(h), training, params).singletonOrThrow();
        return new NDList(h.add(ffn));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        attention.initialize(manager, dataType, inputShapes);
        feedForward.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    public MoTAttention attention() {
        return attention;
    }

    public MoTFeedForward feedForward() {
        return feedForward;
    }
}
