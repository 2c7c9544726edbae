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
import io.motdjl.config.NormOrder;
import io.motdjl.routing.ModalityRouting;
import io.motdjl.util.Scalars;

/**
 * MoT self-attention: modality-specific Q/K/V/O projections, per-modality per-head QK-norm and
 * norms, and <em>global</em> scaled dot-product attention over the whole interleaved row.
 *
 * <p>Input and output {@code (B, T, D)}. In {@link NormOrder#PRE} order the block also applies
 * the layer's input norm ({@code layers.l.attention_norm}); in {@link NormOrder#POST} order the
 * norm after {@code Wo} ({@code local_experts_attention_norm}). Each routed part is one gather,
 * the modality-specific chain on contiguous rows, and one scatter back.
 */
public final class MoTAttention extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int nHeads;
    private final int headDim;
    private final int dim;
    private final UntiedRmsNorm inputNorm;
    private final UntiedLinear wq;
    private final UntiedLinear wk;
    private final UntiedLinear wv;
    private final UntiedRmsNorm qNorm;
    private final UntiedRmsNorm kNorm;
    private final UntiedLinear wo;
    private final UntiedRmsNorm outputNorm;

    /** Builds the attention of one layer from the model config. */
    public MoTAttention(MoTConfig config) {
        super(VERSION);
        this.nHeads = config.nHeads();
        this.headDim = config.headDim();
        this.dim = config.dim();
        int m = config.nModalities();
        boolean untieAttn = config.untie().attention();
        boolean untieNorms = config.untie().norms();
        int inner = nHeads * headDim;
        if (config.normOrder() == NormOrder.PRE) {
            inputNorm = addChildBlock("attention_norm", norm(dim, config, untieNorms));
        } else {
            inputNorm = null;
        }
        wq = addChildBlock("wq", linear(dim, inner, m, untieAttn));
        wk = addChildBlock("wk", linear(dim, inner, m, untieAttn));
        wv = addChildBlock("wv", linear(dim, inner, m, untieAttn));
        if (config.qkNorm()) {
            qNorm = addChildBlock("q_normalization", norm(headDim, config, untieNorms));
            kNorm = addChildBlock("k_normalization", norm(headDim, config, untieNorms));
        } else {
            qNorm = null;
            kNorm = null;
        }
        wo = addChildBlock("wo", linear(inner, dim, m, untieAttn));
        if (config.normOrder() == NormOrder.POST) {
            outputNorm = addChildBlock("attention_out_norm", norm(dim, config, untieNorms));
        } else {
            outputNorm = null;
        }
    }

    static UntiedLinear linear(long in, long out, int m, boolean untied) {
        return UntiedLinear.builder()
                .setInFeatures(in)
                .setOutFeatures(out)
                .setNumModalities(m)
                .optUntied(untied)
                .build();
    }

    static UntiedRmsNorm norm(long width, MoTConfig config, boolean untied) {
        return UntiedRmsNorm.builder()
                .setWidth(width)
                .optEps(config.normEps())
                .setNumModalities(config.nModalities())
                .optUntied(untied)
                .build();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        ForwardContext context = ForwardContext.from(params, "MoTAttention");
        NDArray x = inputs.singletonOrThrow();
        Shape shape = x.getShape();
        long batch = shape.get(0);
        long length = shape.get(1);
        long rows = batch * length;
        int inner = nHeads * headDim;
        ModalityRouting routing = context.routing();

        NDArray qkv =
                routing.apply(
                        x.reshape(rows, dim),
                        (r, m) -> projectQkv(ps, r, m, training),
                        inputChainUntied());
        NDList parts = qkv.split(new long[] {inner, 2L * inner}, 1);
        NDArray q = headsFirst(parts.get(0), batch, length, context);
        NDArray k = headsFirst(parts.get(1), batch, length, context);
        NDArray v = parts.get(2).reshape(batch, length, nHeads, headDim).transpose(0, 2, 1, 3);

        NDArray scores = Scalars.times(q.matMul(k.transpose(0, 1, 3, 2)), 1.0 / Math.sqrt(headDim));
        NDArray weights = scores.add(context.attentionMask()).softmax(-1);
        NDArray attended = weights.matMul(v).transpose(0, 2, 1, 3).reshape(rows, inner);

        NDArray out =
                routing.apply(
                        attended,
                        (r, m) -> {
                            NDArray y = wo.apply(ps, r, m, training);
                            return outputNorm == null ? y : outputNorm.apply(ps, y, m, training);
                        },
                        outputChainUntied());
        return new NDList(out.reshape(shape));
    }

    /** Input norm (pre order), Q/K/V projections and QK-norm for the rows of modality m. */
    private NDArray projectQkv(ParameterStore ps, NDArray rows, int m, boolean training) {
        NDArray in = inputNorm == null ? rows : inputNorm.apply(ps, rows, m, training);
        NDArray q = wq.apply(ps, in, m, training);
        NDArray k = wk.apply(ps, in, m, training);
        NDArray v = wv.apply(ps, in, m, training);
        if (qNorm != null) {
            long n = rows.getShape().get(0);
            q = qNorm.apply(ps, q.reshape(n, nHeads, headDim), m, training).reshape(n, -1);
            k = kNorm.apply(ps, k.reshape(n, nHeads, headDim), m, training).reshape(n, -1);
        }
        return ai.djl.ndarray.NDArrays.concat(new NDList(q, k, v), 1);
    }

    private NDArray headsFirst(NDArray flat, long batch, long length, ForwardContext context) {
        NDArray heads = flat.reshape(batch, length, nHeads, headDim);
        return RotaryEmbedding.apply(heads, context.rotary()).transpose(0, 2, 1, 3);
    }

    private boolean inputChainUntied() {
        return wq.isUntied()
                || (inputNorm != null && inputNorm.isUntied())
                || (qNorm != null && qNorm.isUntied());
    }

    private boolean outputChainUntied() {
        return wo.isUntied() || (outputNorm != null && outputNorm.isUntied());
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        Shape rows = new Shape(x.get(0) * x.get(1), dim);
        Shape inner = new Shape(x.get(0) * x.get(1), (long) nHeads * headDim);
        Shape heads = new Shape(x.get(0) * x.get(1), nHeads, headDim);
        if (inputNorm != null) {
            inputNorm.initialize(manager, dataType, rows);
        }
        wq.initialize(manager, dataType, rows);
        wk.initialize(manager, dataType, rows);
        wv.initialize(manager, dataType, rows);
        if (qNorm != null) {
            qNorm.initialize(manager, dataType, heads);
            kNorm.initialize(manager, dataType, heads);
        }
        wo.initialize(manager, dataType, inner);
        if (outputNorm != null) {
            outputNorm.initialize(manager, dataType, rows);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** Input norm in pre order ({@code layers.l.attention_norm}), else null. */
    public UntiedRmsNorm inputNorm() {
        return inputNorm;
    }

    public UntiedLinear wq() {
        return wq;
    }

    public UntiedLinear wk() {
        return wk;
    }

    public UntiedLinear wv() {
        return wv;
    }

    public UntiedLinear wo() {
        return wo;
    }

    /** Per-head query norm, or null without QK-norm. */
    public UntiedRmsNorm qNorm() {
        return qNorm;
    }

    /** Per-head key norm, or null without QK-norm. */
    public UntiedRmsNorm kNorm() {
        return kNorm;
    }

    /** Norm after {@code Wo} in post order ({@code local_experts_attention_norm}), else null. */
    public UntiedRmsNorm outputNorm() {
        return outputNorm;
    }
}
