package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.NormOrder;
import io.motdjl.routing.GroupedRows;

/**
 * MoT self-attention: modality-specific Q/K/V/O projections, per-modality per-head QK-norm and
 * norms, and <em>global</em> scaled dot-product attention over the whole interleaved row.
 *
 * <p>Input and output {@code (B, T, D)}. In {@link NormOrder#PRE} order the block also applies
 * the layer's input norm ({@code layers.l.attention_norm}); in {@link NormOrder#POST} order the
 * norm after {@code Wo} ({@code local_experts_attention_norm}). Inside a {@link MoTModel} the rows
 * arrive grouped by modality ({@link #attend}): the modality-specific parts run on contiguous
 * chunks, and only the attention itself needs the rows in sequence order (one gather there, one
 * back). Standalone, the block groups its input and restores its output itself.
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
        NDArray rows = x.reshape(shape.get(0) * shape.get(1), dim);
        GroupedRows grouped =
                isUntied()
                        ? GroupedRows.fromOriginal(context.routing(), rows)
                        : GroupedRows.ungrouped(rows, 0, context.routing().numModalities());
        NDArray out =
                attend(ps, grouped, context, shape.get(0), shape.get(1), training, null)
                        .toOriginal();
        return new NDList(out.reshape(shape));
    }

    /**
     * The attention branch on rows grouped by modality (the residual is not added).
     *
     * <p>Each modality's chunk runs its input norm (pre order), one fused Q/K/V projection (the
     * three weights concatenated at run time into one {@code [3·H·hd, D]} matrix, so the
     * checkpoint keeps its separate tensors) and QK-norm; the chunks are put back into sequence
     * order with one gather; RoPE and the attention scale are applied to queries and keys together;
     * the attended values are grouped again with one gather for {@code Wo} and the output norm.
     *
     * @param ps the parameter store
     * @param x the layer input {@code (B·T, D)}, grouped by modality
     * @param context routing, mask and rotary tables of the forward pass
     * @param batch B
     * @param length T
     * @param training whether this is a training pass
     * @param cache this layer's key/value cache, or null: with a cache the {@code T} rows are the
     *     positions after those already cached, and attention also covers the cached ones
     * @return the branch output, grouped like {@code x}
     */
    public GroupedRows attend(
            ParameterStore ps,
            GroupedRows x,
            ForwardContext context,
            long batch,
            long length,
            boolean training,
            KeyValueCache.Layer cache) {
        int inner = nHeads * headDim;
        long rows = batch * length;
        NDArray[] fusedWeights = new NDArray[wq.weights().size()];
        NDArray qkv =
                x.map((r, m) -> projectQkv(ps, r, m, training, fusedWeights)).toOriginal();
        // split, not NDIndex slicing: DJL slices every axis separately, and each slice's backward
        // materialises a zero array of the full input size
        NDList qkAndV = qkv.reshape(batch, length, 3, nHeads, headDim).split(new long[] {2}, 2);
        NDList rotated =
                RotaryEmbedding.applyScaledQk(qkAndV.get(0), context.rotary()).split(2, 2);
        NDArray q = rotated.get(0).squeeze(2).transpose(0, 2, 1, 3);
        NDArray kT;
        NDArray v = qkAndV.get(1).squeeze(2).transpose(0, 2, 1, 3);
        if (cache == null) {
            kT = rotated.get(1).squeeze(2).transpose(0, 2, 3, 1);
        } else {
            NDList all = cache.append(rotated.get(1).squeeze(2).transpose(0, 2, 1, 3), v);
            kT = all.get(0).transpose(0, 1, 3, 2);
            v = all.get(1);
        }
        NDArray weights = q.matMul(kT).add(context.attentionMask()).softmax(-1);
        NDArray attended = weights.matMul(v).transpose(0, 2, 1, 3).reshape(rows, inner);
        return x.regroup(attended)
                .map(
                        (r, m) -> {
                            NDArray y = wo.apply(ps, r, m, training);
                            return outputNorm == null ? y : outputNorm.apply(ps, y, m, training);
                        });
    }

    /**
     * Input norm (pre order), the fused Q/K/V projection and QK-norm for the rows of modality m:
     * {@code (n, 3·H·hd)}, queries then keys then values.
     */
    private NDArray projectQkv(
            ParameterStore ps, NDArray rows, int m, boolean training, NDArray[] fusedWeights) {
        NDArray in = inputNorm == null ? rows : inputNorm.apply(ps, rows, m, training);
        int set = wq.isUntied() ? m : 0;
        if (fusedWeights[set] == null) {
            // results of ops on parameters land in the model's manager: move them to the pass's
            fusedWeights[set] =
                    NDArrays.concat(
                            new NDList(
                                    wq.value(ps, m, rows.getDevice(), training),
                                    wk.value(ps, m, rows.getDevice(), training),
                                    wv.value(ps, m, rows.getDevice(), training)),
                            0);
            fusedWeights[set].attach(rows.getManager());
        }
        NDArray qkv = in.getNDArrayInternal().linear(in, fusedWeights[set], null).singletonOrThrow();
        if (qNorm == null) {
            return qkv;
        }
        long n = rows.getShape().get(0);
        NDList heads = qkv.reshape(n, 3, nHeads, headDim).split(new long[] {2}, 1);
        // one norm over queries and keys together: the scales stacked as (2, 1, hd)
        NDArray stacked =
                NDArrays.stack(
                        new NDList(
                                qNorm.value(ps, m, rows.getDevice(), training),
                                kNorm.value(ps, m, rows.getDevice(), training)));
        stacked.attach(rows.getManager());
        NDArray scales = stacked.reshape(2, 1, headDim);
        NDArray qk = UntiedRmsNorm.rmsNorm(heads.get(0), scales, qNorm.eps());
        return qk.concat(heads.get(1), 1).reshape(n, 3L * nHeads * headDim);
    }

    /** Whether any part of the block has per-modality parameters. */
    public boolean isUntied() {
        return inputChainUntied() || outputChainUntied();
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
