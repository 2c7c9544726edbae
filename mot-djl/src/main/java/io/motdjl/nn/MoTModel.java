package io.motdjl.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import io.motdjl.config.MoTConfig;
import io.motdjl.routing.GroupedRows;
import io.motdjl.routing.ModalityRouting;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A Mixture-of-Transformers language model: shared token embedding, {@code n_layers} MoT layers,
 * a per-modality final RMSNorm and a shared output head over the joint vocabulary.
 *
 * <p>Input: an {@link NDList} in the {@link MoTInputs} layout. Output: logits {@code (B, T, V)}.
 * With a {@link KeyValueCache} in the forward params ({@link KeyValueCache#asParam()}), the
 * {@code T} tokens continue the cached positions and only they are computed (incremental
 * decoding).
 * The modality routing, attention mask and rotary tables are computed once per forward and shared
 * by every layer. With one modality (or everything tied) the same code is the dense baseline.
 */
public final class MoTModel extends AbstractBlock {

    private static final byte VERSION = 1;

    private final MoTConfig config;
    private final Parameter tokEmbeddings;
    private final List<MoTLayer> layers = new ArrayList<>();
    private final UntiedRmsNorm norm;
    private final Parameter output;

    /** Builds an uninitialised model for {@code config}. */
    public MoTModel(MoTConfig config) {
        super(VERSION);
        this.config = config;
        tokEmbeddings =
                addParameter(
                        Parameter.builder()
                                .setName("tok_embeddings")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(config.vocabSize(), config.dim()))
                                .optInitializer(new NormalInitializer(0.02f))
                                .build());
        for (int l = 0; l < config.nLayers(); l++) {
            layers.add(addChildBlock("layer" + l, new MoTLayer(config)));
        }
        norm = addChildBlock("norm", MoTAttention.norm(config.dim(), config, config.untie().norms()));
        output =
                addParameter(
                        Parameter.builder()
                                .setName("output")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(config.vocabSize(), config.dim()))
                                .optInitializer(new NormalInitializer(0.02f))
                                .build());
    }

    /** The config this model was built from. */
    public MoTConfig config() {
        return config;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        MoTInputs in = MoTInputs.from(inputs);
        InputValidator.HostCopies host = InputValidator.validate(config, in);
        NDArray tokens = in.tokens().toType(DataType.INT64, false);
        long batch = tokens.getShape().get(0);
        long length = tokens.getShape().get(1);
        NDManager manager = tokens.getManager();

        NDArray embeddings = ps.getValue(tokEmbeddings, tokens.getDevice(), training);
        DataType type = embeddings.getDataType();
        ModalityRouting routing =
                ModalityRouting.of(host.modalityIds(), config.nModalities(), manager);
        KeyValueCache cache = KeyValueCache.from(params);
        long[] chunkValid = null; // padding of the cached pass's tokens, as validation read it
        ForwardContext context;
        if (cache == null) {
            context =
                    new ForwardContext(
                            routing,
                            AttentionMask.build(
                                    manager,
                                    batch,
                                    length,
                                    in.imageSpanIds(),
                                    in.validTokens(),
                                    in.documentIds(),
                                    type),
                            RotaryEmbedding.tables(
                                    manager,
                                    (int) length,
                                    config.headDim(),
                                    config.ropeTheta(),
                                    config.ropeStyle(),
                                    type));
        } else {
            checkCachedInputs(in, cache, batch, length, training);
            chunkValid = host.validTokens();
            context =
                    new ForwardContext(
                            routing,
                            cache.mask(chunkValid, (int) length, manager, type),
                            RotaryEmbedding.tables(
                                    manager,
                                    cache.length(),
                                    (int) length,
                                    config.headDim(),
                                    config.ropeTheta(),
                                    config.ropeStyle(),
                                    type));
        }
        // The residual stream stays grouped by modality from the embedding to the final norm when
        // anything is untied and several modalities are present: the tokens are sorted (an int64
        // gather) before the embedding lookup, so the hidden rows never need a float gather there.
        NDArray flatTokens = tokens.reshape(batch * length);
        GroupedRows x;
        if (isUntied() && routing.permutation() != null) {
            NDArray sortedTokens = flatTokens.get(new NDIndex("{}", routing.permutation()));
            x = GroupedRows.fromSorted(routing, embed(sortedTokens, embeddings));
        } else {
            int modality = routing.permutation() == null ? routing.onlyModality() : 0;
            x = GroupedRows.ungrouped(embed(flatTokens, embeddings), modality, config.nModalities());
        }
        for (int l = 0; l < layers.size(); l++) {
            KeyValueCache.Layer layerCache = cache == null ? null : cache.layer(l);
            x = layers.get(l).apply(ps, x, context, batch, length, training, layerCache);
        }
        if (cache != null) {
            cache.advance(chunkValid, (int) length);
        }
        NDArray normed = x.map((r, m) -> norm.apply(ps, r, m, training)).toOriginal();
        NDArray head = ps.getValue(output, tokens.getDevice(), training);
        NDArray logits = normed.getNDArrayInternal().linear(normed, head, null).singletonOrThrow();
        return new NDList(logits.reshape(batch, length, config.vocabSize()));
    }

    /**
     * Cached decoding is inference over causal rows: the rows continue the cache's, with padding
     * given by the attention mask.
     */
    private static void checkCachedInputs(
            MoTInputs in, KeyValueCache cache, long batch, long length, boolean training) {
        if (training) {
            throw new IllegalArgumentException(
                    "a key/value cache is for inference; training passes cannot use one");
        }
        if (in.imageSpanIds() != null || in.documentIds() != null) {
            throw new IllegalArgumentException(
                    "cached decoding is causal over one document per row: image_span_ids and"
                            + " document_ids are not accepted with a key/value cache");
        }
        cache.checkFits(batch, length);
    }

    private static NDArray embed(NDArray ids, NDArray table) {
        return table.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /** Whether any component has per-modality parameters (else no row is ever regrouped). */
    private boolean isUntied() {
        if (norm.isUntied()) {
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
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape tokens = inputShapes[0];
        Shape hidden = new Shape(tokens.get(0), tokens.get(1), config.dim());
        for (MoTLayer layer : layers) {
            layer.initialize(manager, dataType, hidden);
        }
        norm.initialize(manager, dataType, new Shape(tokens.get(0) * tokens.get(1), config.dim()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape tokens = inputShapes[0];
        return new Shape[] {new Shape(tokens.get(0), tokens.get(1), config.vocabSize())};
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        saveInputShapes(os);
        os.writeUTF(config.toJsonObject().toString());
    }

    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException(
                    "MoTModel parameters have version " + loadVersion + ", expected " + VERSION);
        }
        readInputShapes(is);
        MoTConfig saved = MoTConfig.fromJson(is.readUTF());
        if (!saved.equals(config)) {
            throw new MalformedModelException(
                    "the parameters were saved for config " + saved + " but this model has " + config);
        }
    }

    /** Shared token embedding {@code [V, D]}. */
    public Parameter tokEmbeddings() {
        return tokEmbeddings;
    }

    /** The decoder layers in order. */
    public List<MoTLayer> layers() {
        return Collections.unmodifiableList(layers);
    }

    /** Per-modality final norm. */
    public UntiedRmsNorm norm() {
        return norm;
    }

    /** Shared output head {@code [V, D]}. */
    public Parameter output() {
        return output;
    }
}
