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

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The MoT trunk: {@code n_layers} {@link MoTLayer}s and the per-modality final norm, from hidden
 * rows to hidden rows. It knows nothing of tokens or vocabularies: the modality adapters of a
 * {@link MoTModel} turn inputs into rows before it and the heads turn rows into outputs after it.
 *
 * <p>Standalone, its forward takes {@code [hidden (B, T, D)]} with a {@link ForwardContext} in its
 * params and returns {@code [hidden (B, T, D), auxiliary...]}.
 */
public final class MoTTrunk extends AbstractBlock {

    private static final byte VERSION = 1;

    private final MoTConfig config;
    private final List<MoTLayer> layers = new ArrayList<>();
    private final PerModality<RmsNorm> norm;

    /**
     * Builds the trunk.
     *
     * @param config the model config
     * @param factory makes each layer's feed-forward blocks
     */
    public MoTTrunk(MoTConfig config, FeedForwardFactory factory) {
        super(VERSION);
        this.config = config;
        for (int l = 0; l < config.nLayers(); l++) {
            layers.add(addChildBlock("layer" + l, new MoTLayer(config, l, factory)));
        }
        norm =
                addChildBlock(
                        "norm", RmsNorm.perModality(config, config.dim(), config.untie().norms()));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        ForwardContext context = ForwardContext.from(params, "MoTTrunk");
        return context.runStandalone(
                inputs.get(0),
                isUntied(),
                (rows, batch, length, auxiliary) ->
                        apply(ps, rows, context, batch, length, training, null, auxiliary));
    }

    /**
     * The trunk on rows grouped by modality.
     *
     * @param ps the parameter store
     * @param x rows {@code (B·T, D)} grouped by modality
     * @param context routing, mask and rotary tables of the forward pass
     * @param batch B
     * @param length T
     * @param training whether this is a training pass
     * @param cache the key/value cache of an incremental pass, or null
     * @param auxiliary receives auxiliary outputs, named {@code
     *     layers.{l}.feed_forward.{tower}.{name}}
     * @return the final-normed rows, grouped like {@code x}
     */
    public GroupedRows apply(
            ParameterStore ps,
            GroupedRows x,
            ForwardContext context,
            long batch,
            long length,
            boolean training,
            KeyValueCache cache,
            NDList auxiliary) {
        for (int l = 0; l < layers.size(); l++) {
            KeyValueCache.Layer layerCache = cache == null ? null : cache.layer(l);
            NDList layerAuxiliary = new NDList();
            x =
                    layers.get(l)
                            .apply(
                                    ps,
                                    x,
                                    context,
                                    batch,
                                    length,
                                    training,
                                    layerCache,
                                    layerAuxiliary);
            for (NDArray a : layerAuxiliary) {
                a.setName("layers." + l + "." + a.getName());
                auxiliary.add(a);
            }
        }
        return norm.apply(ps, x, training, context.asParams());
    }

    /** Whether any component has per-modality parameters (else no row is ever regrouped). */
    public boolean isUntied() {
        if (!norm.isShared()) {
            return true;
        }
        for (MoTLayer layer : layers) {
            if (layer.isUntied()) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        Shape rows = new Shape(x.size() / config.dim(), config.dim());
        for (MoTLayer layer : layers) {
            layer.initialize(manager, dataType, rows);
        }
        norm.initialize(manager, dataType, rows);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** The decoder layers in order. */
    public List<MoTLayer> layers() {
        return Collections.unmodifiableList(layers);
    }

    /** The per-modality final norm ({@code norm.{m}}). */
    public PerModality<RmsNorm> norm() {
        return norm;
    }
}
