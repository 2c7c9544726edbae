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
import io.motdjl.routing.GroupedRows;

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
        ForwardContext context = ForwardContext.from(params, "MoTLayer");
        NDArray x = inputs.singletonOrThrow();
        Shape shape = x.getShape();
        NDArray rows = x.reshape(shape.get(0) * shape.get(1), shape.get(2));
        GroupedRows grouped =
                isUntied()
                        ? GroupedRows.fromOriginal(context.routing(), rows)
                        : GroupedRows.ungrouped(rows, 0, context.routing().numModalities());
        GroupedRows out = apply(ps, grouped, context, shape.get(0), shape.get(1), training, null);
        return new NDList(out.toOriginal().reshape(shape));
    }

    /**
     * The layer on rows grouped by modality: {@code h = x + attention(x); out = h +
     * feedForward(h)}, chunk by chunk; only attention moves rows between orders.
     *
     * @param ps the parameter store
     * @param x rows {@code (B·T, D)} grouped by modality
     * @param context routing, mask and rotary tables of the forward pass
     * @param batch B
     * @param length T
     * @param training whether this is a training pass
     * @param cache this layer's key/value cache, or null (see {@link MoTAttention#attend})
     * @return the layer output, grouped like {@code x}
     */
    public GroupedRows apply(
            ParameterStore ps,
            GroupedRows x,
            ForwardContext context,
            long batch,
            long length,
            boolean training,
            KeyValueCache.Layer cache) {
        GroupedRows h = x.add(attention.attend(ps, x, context, batch, length, training, cache));
        return h.add(feedForward.apply(ps, h, training));
    }

    /** Whether any part of the layer has per-modality parameters. */
    public boolean isUntied() {
        return attention.isUntied() || feedForward.isUntied();
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
