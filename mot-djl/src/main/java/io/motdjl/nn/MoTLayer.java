package io.motdjl.nn;

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
 * sit inside the two branches according to the config's norm order. Input and output {@code (B, T,
 * D)}; standalone it needs a {@link ForwardContext} in its params.
 */
public final class MoTLayer extends AbstractBlock {

    private static final byte VERSION = 2;

    private final MoTAttention attention;
    private final MoTFeedForward feedForward;

    /**
     * Builds layer {@code layer}.
     *
     * @param config the model config
     * @param layer the layer index
     * @param factory makes the feed-forward blocks
     */
    public MoTLayer(MoTConfig config, int layer, FeedForwardFactory factory) {
        super(VERSION);
        attention = addChildBlock("attention", new MoTAttention(config));
        feedForward = addChildBlock("feed_forward", new MoTFeedForward(config, layer, factory));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        ForwardContext context = ForwardContext.from(params, "MoTLayer");
        return context.runStandalone(
                inputs.get(0),
                isUntied(),
                (rows, batch, length, auxiliary) ->
                        apply(ps, rows, context, batch, length, training, null, auxiliary));
    }

    /**
     * The layer on rows grouped by modality, chunk by chunk; only attention moves rows between
     * orders.
     *
     * @param ps the parameter store
     * @param x rows {@code (B·T, D)} grouped by modality
     * @param context routing, mask and rotary tables of the forward pass
     * @param batch B
     * @param length T
     * @param training whether this is a training pass
     * @param cache this layer's key/value cache, or null (see {@link MoTAttention#attend})
     * @param auxiliary receives auxiliary outputs of the feed-forward blocks
     * @return the layer output, grouped like {@code x}
     */
    public GroupedRows apply(
            ParameterStore ps,
            GroupedRows x,
            ForwardContext context,
            long batch,
            long length,
            boolean training,
            KeyValueCache.Layer cache,
            NDList auxiliary) {
        GroupedRows h = x.add(attention.attend(ps, x, context, batch, length, training, cache));
        return h.add(feedForward.apply(ps, h, context, training, auxiliary));
    }

    /** Whether any part of the layer has per-modality parameters. */
    public boolean isUntied() {
        return attention.isUntied() || feedForward.isUntied();
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        attention.initialize(manager, dataType, inputShapes[0]);
        feedForward.initialize(manager, dataType, inputShapes[0]);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** The attention branch. */
    public MoTAttention attention() {
        return attention;
    }

    /** The feed-forward branch. */
    public MoTFeedForward feedForward() {
        return feedForward;
    }
}
