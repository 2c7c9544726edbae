package io.motdjl.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import io.motdjl.config.DiffusionConfig;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.MoeRouting;
import io.motdjl.config.PatchEncoder;
import io.motdjl.routing.GroupedRows;
import io.motdjl.routing.ModalityRouting;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A Mixture-of-Transformers model: per-modality input adapters, the {@link MoTTrunk} ({@code
 * n_layers} MoT layers and the per-modality final norm) and per-modality output heads.
 *
 * <p>By default (the Chameleon setting) every modality shares one {@link TokenEmbedding} and one
 * {@link VocabularyHead} over the joint vocabulary, and every feed-forward is a {@link SwiGlu}; the
 * {@link Builder} replaces a modality's adapter or head, or the feed-forward blocks ({@link
 * FeedForwardFactory}). With one modality (or everything tied) the same code is the dense baseline.
 *
 * <p>Input: an {@link NDList} in the {@link MoTInputs} layout. Output: named arrays ({@link
 * MoTOutputs}): each head's output {@code (B, T, width)} — {@code logits (B, T, V)} by default;
 * rows of modalities a head does not serve are zero — then any auxiliary losses. With a {@link
 * KeyValueCache} in the forward params ({@link KeyValueCache#asParam()}), the {@code T} tokens
 * continue the cached positions and only they are computed (incremental decoding). The routing,
 * attention mask and rotary tables are computed once per forward and shared by every layer.
 */
public final class MoTModel extends AbstractBlock {

    private static final byte VERSION = 2;

    private final MoTConfig config;
    private final InputAdapter[] adapterOfModality;
    private final List<InputAdapter> adapters = new ArrayList<>();
    private final MoTTrunk trunk;
    private final OutputHead[] headOfModality;
    private final List<OutputHead> heads = new ArrayList<>();

    /** Builds the default (Chameleon-setting) model for {@code config}, uninitialised. */
    public MoTModel(MoTConfig config) {
        this(builder(config));
    }

    private MoTModel(Builder b) {
        super(VERSION);
        this.config = b.config;
        this.adapterOfModality = b.adapters.clone();
        this.headOfModality = b.heads.clone();
        for (InputAdapter a : adapterOfModality) {
            if (!adapters.contains(a)) {
                adapters.add(
                        addChildBlock(
                                adapters.isEmpty() ? "input" : "input_" + adapters.size(), a));
            }
        }
        trunk = addChildBlock("trunk", new MoTTrunk(config, b.feedForward));
        List<String> outputNames = new ArrayList<>();
        for (OutputHead h : headOfModality) {
            if (!heads.contains(h)) {
                if (outputNames.contains(h.outputName())) {
                    throw new IllegalArgumentException(
                            "two different heads produce the output '" + h.outputName() + "'");
                }
                outputNames.add(h.outputName());
                heads.add(addChildBlock(heads.isEmpty() ? "head" : "head_" + heads.size(), h));
            }
        }
    }

    /** Starts a builder for {@code config}, with the Chameleon setting's adapters and heads. */
    public static Builder builder(MoTConfig config) {
        return new Builder(config);
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
        long batch = in.tokens().getShape().get(0);
        long length = in.tokens().getShape().get(1);
        NDManager manager = in.tokens().getManager();
        DataType type = dataType();

        KeyValueCache cache = KeyValueCache.from(params);
        long[] chunkValid = null; // padding of the cached pass's tokens, as validation read it
        long[] chunkSpans = null; // and its image spans
        ForwardContext context;
        if (cache == null) {
            context = ForwardContext.create(config, in, host, type);
        } else {
            checkCachedInputs(in, cache, batch, length, training);
            chunkValid = host.validTokens();
            chunkSpans = host.imageSpanIds();
            cache.checkSpans(chunkSpans, (int) length);
            context =
                    new ForwardContext(
                            ModalityRouting.of(host.modalityIds(), config.nModalities(), manager),
                            cache.mask(chunkValid, chunkSpans, (int) length, manager, type),
                            cache.rotary((int) length, manager),
                            cache.constants(),
                            chunkValid);
        }
        ModalityRouting routing = context.routing();
        boolean grouped =
                (trunk.isUntied() || adapters.size() > 1 || heads.size() > 1)
                        && routing.permutation() != null;
        GroupedRows x = embed(ps, in, routing, grouped, training);
        NDList auxiliary = new NDList();
        x = trunk.apply(ps, x, context, batch, length, training, cache, auxiliary);
        if (cache != null) {
            cache.advance(chunkValid, chunkSpans, (int) length);
        }
        NDList outputs = new NDList();
        NDArray hiddenInOrder = null;
        for (OutputHead head : heads) {
            NDArray out;
            if (servesAll(head)) {
                if (hiddenInOrder == null) {
                    hiddenInOrder = x.toOriginal();
                }
                out = head.project(ps, hiddenInOrder, training);
            } else {
                out = projectSome(ps, head, x, training);
            }
            out = out.reshape(batch, length, head.outputWidth());
            out.setName(head.outputName());
            outputs.add(out);
        }
        for (NDArray a : auxiliary) {
            a.setName(MoTOutputs.nameOfFurtherOutput(a.getName()));
            outputs.add(a);
        }
        return outputs;
    }

    /**
     * The input rows: grouped by modality when anything downstream is modality-specific and several
     * modalities are present (ids are gathered before the adapters, so hidden rows are never
     * gathered here), else one chunk in sequence order.
     */
    private GroupedRows embed(
            ParameterStore ps,
            MoTInputs in,
            ModalityRouting routing,
            boolean grouped,
            boolean training) {
        int m = config.nModalities();
        if (!grouped) {
            int only = routing.permutation() == null ? routing.onlyModality() : 0;
            InputAdapter adapter = adapterOfModality[routing.permutation() == null ? only : 0];
            return GroupedRows.ungrouped(adapter.embed(ps, in, null, training), only, m);
        }
        if (adapters.size() == 1) {
            NDArray sorted = adapters.get(0).embed(ps, in, routing.permutation(), training);
            return GroupedRows.fromSorted(routing, sorted);
        }
        NDList rowsOf = routing.permutation().split(routing.chunkEnds(), 0);
        NDArray[] chunks = new NDArray[m];
        for (int k = 0; k < m; k++) {
            if (routing.isPresent(k)) {
                chunks[k] = adapterOfModality[k].embed(ps, in, rowsOf.get(k), training);
            }
        }
        return GroupedRows.fromChunks(routing, chunks);
    }

    /** A head that serves some modalities only: zero rows for the others, in sequence order. */
    private NDArray projectSome(
            ParameterStore ps, OutputHead head, GroupedRows x, boolean training) {
        GroupedRows out =
                x.map(
                        (rows, m) ->
                                headOfModality[m] == head
                                        ? head.project(ps, rows, training)
                                        : rows.getManager()
                                                .zeros(
                                                        new Shape(
                                                                rows.getShape().get(0),
                                                                head.outputWidth()),
                                                        rows.getDataType(),
                                                        rows.getDevice()));
        return out.toOriginal();
    }

    private boolean servesAll(OutputHead head) {
        for (OutputHead h : headOfModality) {
            if (h != head) {
                return false;
            }
        }
        return true;
    }

    /**
     * Cached decoding is inference over causal rows: the rows continue the cache's, with padding
     * given by the attention mask.
     */
    private void checkCachedInputs(
            MoTInputs in, KeyValueCache cache, long batch, long length, boolean training) {
        if (training) {
            throw new IllegalArgumentException(
                    "a key/value cache is for inference; training passes cannot use one");
        }
        requireCausalFeedForward(config);
        if (in.documentIds() != null) {
            throw new IllegalArgumentException(
                    "cached decoding is over one document per row: document_ids are not accepted"
                            + " with a key/value cache");
        }
        cache.checkFits(batch, length);
    }

    /**
     * Whether a model of {@code config} can run with a {@link KeyValueCache}, i.e. generate: every
     * feed-forward is causal (no expert-choice routing, whose experts choose among all rows of a
     * pass).
     */
    public static boolean decodesWithCache(MoTConfig config) {
        return config.moe() == null || config.moe().routing() != MoeRouting.EXPERT_CHOICE;
    }

    /**
     * Refuses cached decoding through expert-choice routing: an expert picks its rows among all the
     * rows of a pass, later tokens included, so a token's output would depend on how the sequence
     * was cut into decoding steps.
     */
    private static void requireCausalFeedForward(MoTConfig config) {
        if (!decodesWithCache(config)) {
            throw new IllegalArgumentException(
                    "cached decoding needs causal feed-forwards, but moe.routing is expert_choice:"
                            + " each expert chooses among all rows of a pass, later tokens"
                            + " included, so a token's output depends on how the sequence is cut"
                            + " into steps. Score whole sequences with this model (forward without"
                            + " a cache), or train with moe.routing \"token_choice\" to generate");
        }
    }

    /** The floating type of the model's parameters (float32 until initialised otherwise). */
    public DataType dataType() {
        // the final norm exists in every model; asking it avoids walking the block tree per pass
        Parameter probe = trunk.norm().tower(0).weight();
        return probe.isInitialized() ? probe.getArray().getDataType() : DataType.FLOAT32;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape tokens = inputShapes[0];
        Shape rows = new Shape(tokens.get(0) * tokens.get(1), config.dim());
        for (InputAdapter a : adapters) {
            a.initialize(manager, dataType, tokens);
        }
        trunk.initialize(manager, dataType, rows);
        for (OutputHead h : heads) {
            h.initialize(manager, dataType, rows);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape tokens = inputShapes[0];
        Shape[] out = new Shape[heads.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = new Shape(tokens.get(0), tokens.get(1), heads.get(i).outputWidth());
        }
        return out;
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
                    "MoTModel parameters have version "
                            + loadVersion
                            + ", expected "
                            + VERSION
                            + (loadVersion < VERSION
                                    ? " (DJL .params of mot-djl 0.1 before the module-level"
                                            + " redesign; re-export through model.safetensors)"
                                    : ""));
        }
        readInputShapes(is);
        MoTConfig saved = MoTConfig.fromJson(is.readUTF());
        if (!saved.equals(config)) {
            throw new MalformedModelException(
                    "the parameters were saved for a model of another config (saved vs this"
                            + " model's): "
                            + String.join("; ", saved.differencesFrom(config)));
        }
    }

    /** The trunk: layers and final norm. */
    public MoTTrunk trunk() {
        return trunk;
    }

    /** The decoder layers in order. */
    public List<MoTLayer> layers() {
        return trunk.layers();
    }

    /** The input adapter of modality {@code m}. */
    public InputAdapter inputAdapter(int m) {
        return adapterOfModality[m];
    }

    /** The output head of modality {@code m}. */
    public OutputHead outputHead(int m) {
        return headOfModality[m];
    }

    /** The distinct input adapters, in the order of the modalities that first use them. */
    public List<InputAdapter> inputAdapters() {
        return Collections.unmodifiableList(adapters);
    }

    /** The distinct output heads, in the order of the modalities that first use them. */
    public List<OutputHead> outputHeads() {
        return Collections.unmodifiableList(heads);
    }

    /**
     * The shared token embedding of the Chameleon setting.
     *
     * @throws IllegalStateException if the modalities do not share one {@link TokenEmbedding}
     */
    public TokenEmbedding tokenEmbedding() {
        if (adapters.size() != 1 || !(adapters.get(0) instanceof TokenEmbedding e)) {
            throw new IllegalStateException(
                    "this model's modalities do not share one token embedding: " + adapters);
        }
        return e;
    }

    /**
     * The shared vocabulary head of the Chameleon setting.
     *
     * @throws IllegalStateException if the modalities do not share one {@link VocabularyHead}
     */
    public VocabularyHead vocabularyHead() {
        if (heads.size() != 1 || !(heads.get(0) instanceof VocabularyHead h)) {
            throw new IllegalStateException(
                    "this model's modalities do not share one vocabulary head: " + heads);
        }
        return h;
    }

    /** Builder for {@link MoTModel}. */
    public static final class Builder {
        private final MoTConfig config;
        private final InputAdapter[] adapters;
        private final OutputHead[] heads;
        private FeedForwardFactory feedForward = FeedForwardFactory.FROM_CONFIG;

        private Builder(MoTConfig config) {
            // before anything is built: an absurd config fails now, not in an OutOfMemoryError
            MemoryEstimate.requireFitsPhysicalMemory(config);
            this.config = config;
            int m = config.nModalities();
            adapters = new InputAdapter[m];
            heads = new OutputHead[m];
            Arrays.fill(adapters, new TokenEmbedding(config.vocabSize(), config.dim()));
            Arrays.fill(heads, new VocabularyHead(config.vocabSize(), config.dim()));
            DiffusionConfig diffusion = config.diffusion();
            if (diffusion != null) {
                // the Transfusion setting: continuous patches in, predicted noise out
                int image = diffusion.modality();
                if (diffusion.patchEncoder() == PatchEncoder.CONV) {
                    adapters[image] = ConvPatchAdapter.of(diffusion, config.dim());
                    heads[image] = ConvNoiseHead.of(diffusion, config.dim());
                } else {
                    adapters[image] =
                            new PatchAdapter(
                                    diffusion.patchValues(), config.dim(), diffusion.timesteps());
                    heads[image] = new NoiseHead(config.dim(), diffusion.patchValues());
                }
            }
        }

        /**
         * What each feed-forward parameter set is (default {@link FeedForwardFactory#FROM_CONFIG}:
         * a mixture of experts where the config's {@code moe} says, else a SwiGLU).
         */
        public Builder optFeedForwardFactory(FeedForwardFactory factory) {
            feedForward = java.util.Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Gives modalities an input adapter (one instance given to several modalities is shared).
         *
         * @param adapter the adapter
         * @param modalities the modality ids it serves
         * @return this builder
         */
        public Builder optInputAdapter(InputAdapter adapter, int... modalities) {
            for (int m : modalities) {
                adapters[checkModality(m)] = java.util.Objects.requireNonNull(adapter, "adapter");
            }
            return this;
        }

        /**
         * Gives modalities an output head (one instance given to several modalities is shared).
         *
         * @param head the head
         * @param modalities the modality ids it serves
         * @return this builder
         */
        public Builder optOutputHead(OutputHead head, int... modalities) {
            for (int m : modalities) {
                heads[checkModality(m)] = java.util.Objects.requireNonNull(head, "head");
            }
            return this;
        }

        private int checkModality(int m) {
            if (m < 0 || m >= adapters.length) {
                throw new IllegalArgumentException(
                        "modality id " + m + " is outside [0, " + adapters.length + ")");
            }
            return m;
        }

        /** Builds the model, uninitialised. */
        public MoTModel build() {
            return new MoTModel(this);
        }
    }
}
