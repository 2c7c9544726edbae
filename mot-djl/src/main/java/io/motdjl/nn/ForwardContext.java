package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.PairList;

import io.motdjl.config.MoTConfig;
import io.motdjl.routing.GroupedRows;
import io.motdjl.routing.ModalityRouting;

import java.util.Objects;

/**
 * What a MoT forward pass computes once and hands to every layer: the modality routing, the
 * additive attention mask, the rotary tables and the native scalar constants of the norms. It
 * travels in the {@code params} of DJL's {@code Block.forward} ({@link #asParams()}), so the layers
 * stay ordinary DJL blocks; {@link MoTModel} builds it, standalone use of a layer or the trunk
 * builds it with {@link #create}.
 */
public final class ForwardContext {

    /** Key under which the context travels in a block's {@code params}. */
    public static final String KEY = "mot.forward-context";

    private final ModalityRouting routing;
    private final NDArray attentionMask;
    private final RotaryEmbedding.Tables rotary;
    private final ScalarConstants constants;
    private final PairList<String, Object> params;
    private final long[] validTokens;
    private GroupedRows validity;
    private NDArray validitySorted;

    /**
     * A context from its parts.
     *
     * @param routing index masks by modality id
     * @param attentionMask additive mask {@code (B, 1, T, keys)}: 0 where attention is allowed,
     *     -inf where not; {@code null} when every query may see every key (a cached one-token step
     *     without padding)
     * @param rotary cos/sin tables for the pass's positions; {@code null} only for blocks that do
     *     not attend
     * @param constants native scalars shared by the pass's norms
     */
    public ForwardContext(
            ModalityRouting routing,
            NDArray attentionMask,
            RotaryEmbedding.Tables rotary,
            ScalarConstants constants) {
        this(routing, attentionMask, rotary, constants, null);
    }

    /**
     * A context from its parts, knowing which rows are padding (which blocks such as a mixture of
     * experts must leave out).
     *
     * @param routing index masks by modality id
     * @param attentionMask additive mask, or null (see the other constructor)
     * @param rotary cos/sin tables, or null for blocks that do not attend
     * @param constants native scalars shared by the pass's norms
     * @param validTokens host copy of the rows' validity (row-major {@code B·T}, 1 real, 0
     *     padding), or null when every row is real
     */
    public ForwardContext(
            ModalityRouting routing,
            NDArray attentionMask,
            RotaryEmbedding.Tables rotary,
            ScalarConstants constants,
            long[] validTokens) {
        boolean padded =
                validTokens != null && java.util.Arrays.stream(validTokens).anyMatch(v -> v == 0);
        this.validTokens = padded ? validTokens : null;
        this.routing = routing;
        this.attentionMask = attentionMask;
        this.rotary = rotary;
        this.constants = Objects.requireNonNull(constants, "constants");
        this.params = new PairList<>();
        params.add(KEY, this);
    }

    /**
     * The context of a full (uncached) forward pass over {@code inputs}: routing from the modality
     * ids, the attention mask from the optional image spans, padding and documents, and rotary
     * tables for positions {@code 0..T-1}. Its arrays live in the tokens' manager.
     *
     * @param config the model's config
     * @param inputs the batch (validated against {@code config})
     * @param type the model's floating type
     * @return the context
     * @throws IllegalArgumentException if the inputs do not fit the config
     */
    public static ForwardContext create(MoTConfig config, MoTInputs inputs, DataType type) {
        InputValidator.HostCopies host = InputValidator.validate(config, inputs);
        return create(config, inputs, host, type);
    }

    static ForwardContext create(
            MoTConfig config, MoTInputs in, InputValidator.HostCopies host, DataType type) {
        long batch = in.tokens().getShape().get(0);
        long length = in.tokens().getShape().get(1);
        var manager = in.tokens().getManager();
        return new ForwardContext(
                ModalityRouting.of(host.modalityIds(), config.nModalities(), manager),
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
                        type),
                new ScalarConstants(manager),
                host.validTokens());
    }

    /** Index masks by modality id. */
    public ModalityRouting routing() {
        return routing;
    }

    /** The additive attention mask {@code (B, 1, T, keys)}, or null when nothing is masked. */
    public NDArray attentionMask() {
        return attentionMask;
    }

    /** Cos/sin tables for the pass's positions, or null for blocks that do not attend. */
    public RotaryEmbedding.Tables rotary() {
        return rotary;
    }

    /** Native scalars shared by the pass's norms. */
    public ScalarConstants constants() {
        return constants;
    }

    /**
     * Which rows of chunk {@code m} of {@code rows} are real: {@code (n)} float32, 1 real and 0
     * padding, grouped once per pass by the pass's own routing; null when the pass has no padding.
     *
     * @param rows rows of this pass, grouped by its routing or as one chunk in sequence order
     * @param m the chunk's modality
     * @return the chunk's validity, or null
     */
    public NDArray validityOf(GroupedRows rows, int m) {
        GroupedRows v = validityLike(rows);
        return v == null ? null : v.chunk(m);
    }

    /**
     * Which rows of {@code rows.sorted()} are real (all rows: grouped by modality when {@code rows}
     * are grouped, else in sequence order); null when the pass has no padding.
     */
    public NDArray validityOfSorted(GroupedRows rows) {
        GroupedRows v = validityLike(rows);
        if (v != null && validitySorted == null) {
            validitySorted = v.sorted();
        }
        return v == null ? null : validitySorted;
    }

    /**
     * The rows' validity grouped like {@code rows} (made on first use), or null without padding.
     */
    private GroupedRows validityLike(GroupedRows rows) {
        if (validTokens == null) {
            return null;
        }
        if (validity == null || validity.isGrouped() != rows.isGrouped()) {
            float[] v = new float[validTokens.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = validTokens[i] == 0 ? 0f : 1f;
            }
            validity = rows.regroup(manager(rows).create(v));
            validitySorted = null;
        }
        return validity;
    }

    private static NDManager manager(GroupedRows rows) {
        for (int m = 0; m < rows.numModalities(); m++) {
            if (rows.chunk(m) != null) {
                return rows.chunk(m).getManager();
            }
        }
        throw new IllegalStateException("no rows");
    }

    /** This context as DJL block {@code params} (one list, made once; do not modify it). */
    public PairList<String, Object> asParams() {
        return params;
    }

    /** Whether {@code params} carry a forward context (the block runs inside a model). */
    static boolean isIn(PairList<String, Object> params) {
        return params != null && params.get(KEY) instanceof ForwardContext;
    }

    /**
     * The constants of the context in {@code params}, or fresh ones in {@code manager} for a block
     * run on its own.
     */
    static ScalarConstants constantsOf(PairList<String, Object> params, NDManager manager) {
        Object value = params == null ? null : params.get(KEY);
        return value instanceof ForwardContext context
                ? context.constants
                : new ScalarConstants(manager);
    }

    /**
     * Rows in sequence order, grouped by modality when a computation needs it.
     *
     * @param rows {@code (B·T, ...)} rows in sequence order
     * @param untied whether any computation on them has per-modality parameters
     * @return the rows grouped by this pass's routing, or as one chunk when nothing is untied
     */
    public GroupedRows group(NDArray rows, boolean untied) {
        return untied
                ? GroupedRows.fromOriginal(routing, rows)
                : GroupedRows.ungrouped(rows, 0, routing.numModalities());
    }

    /** A computation on rows grouped by modality, run standalone by {@link #runStandalone}. */
    @FunctionalInterface
    public interface GroupedComputation {

        /**
         * Computes on grouped rows.
         *
         * @param rows {@code (B·T, D)} rows, grouped by modality when anything is untied
         * @param batch B
         * @param length T
         * @param auxiliary receives auxiliary outputs
         * @return the result rows, grouped like {@code rows}
         */
        GroupedRows apply(GroupedRows rows, long batch, long length, NDList auxiliary);
    }

    /**
     * Runs a block's grouped computation on a standalone input: {@code x (B, T, D)} in sequence
     * order is grouped by this pass's routing (when {@code untied}), computed, and put back into
     * sequence order; any auxiliary outputs follow the result.
     *
     * @param x the input {@code (B, T, D)}
     * @param untied whether the computation has per-modality parameters
     * @param computation what to compute on the grouped rows
     * @return {@code [result (B, T, D), auxiliary...]}
     */
    public NDList runStandalone(NDArray x, boolean untied, GroupedComputation computation) {
        Shape shape = x.getShape();
        GroupedRows grouped = group(x.reshape(-1, shape.tail()), untied);
        NDList auxiliary = new NDList();
        GroupedRows out = computation.apply(grouped, shape.get(0), shape.get(1), auxiliary);
        NDList result = new NDList(out.toOriginal().reshape(shape));
        result.addAll(auxiliary);
        return result;
    }

    /**
     * Finds the context in a block's {@code params}.
     *
     * @param params the params given to {@code forward}
     * @param block the block asking, for the error message
     * @return the context
     * @throws IllegalArgumentException if there is none
     */
    public static ForwardContext from(PairList<String, Object> params, String block) {
        Object value = params == null ? null : params.get(KEY);
        if (!(value instanceof ForwardContext context)) {
            throw new IllegalArgumentException(
                    block
                            + " needs a ForwardContext (modality routing, attention mask, rotary"
                            + " tables) in its forward params under \""
                            + KEY
                            + "\"; MoTModel passes one, standalone use builds it with"
                            + " ForwardContext.create(config, inputs, type).asParams()");
        }
        return context;
    }
}
