package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.NormOrder;
import io.motdjl.routing.GroupedRows;

/**
 * MoT self-attention: per-modality Q/K/V/O projections, QK-norm and norms, and <em>global</em>
 * scaled dot-product attention over the whole interleaved row.
 *
 * <p>Each modality-specific part is a {@link PerModality} container of ordinary blocks: {@code qkv}
 * holds a bias-free {@link Linear} per tower whose weight {@code [3·H·hd, D]} is {@code Wq}, {@code
 * Wk} and {@code Wv} stacked (one matmul; checkpoints keep the three tensors), {@code qk_norm} a
 * {@link QkNorm}, {@code wo} a {@link Linear} {@code [D, H·hd]}. In {@link NormOrder#PRE} order the
 * branch starts with the layer's input norm ({@code layers.l.attention_norm}); in {@link
 * NormOrder#POST} order it ends with the norm after {@code Wo} ({@code
 * local_experts_attention_norm}).
 *
 * <p>Inside a {@link MoTModel} the rows arrive grouped by modality ({@link #attend}): the
 * modality-specific parts run on contiguous chunks, and only the attention itself needs the rows in
 * sequence order (one gather there, one back). Standalone, the block takes {@code (B, T, D)} and a
 * {@link ForwardContext} in its params, and groups and restores rows itself.
 */
public final class MoTAttention extends AbstractBlock {

    private static final byte VERSION = 2;

    private final int nHeads;
    private final int headDim;
    private final int dim;
    private final PerModality<RmsNorm> inputNorm;
    private final PerModality<Linear> qkv;
    private final PerModality<QkNorm> qkNorm;
    private final PerModality<Linear> wo;
    private final PerModality<RmsNorm> outputNorm;

    /** Builds the attention of one layer from the model config. */
    public MoTAttention(MoTConfig config) {
        super(VERSION);
        this.nHeads = config.nHeads();
        this.headDim = config.headDim();
        this.dim = config.dim();
        int[] attentionTowers = config.towersFor(config.untie().attention());
        boolean untieNorms = config.untie().norms();
        long inner = (long) nHeads * headDim;
        boolean pre = config.normOrder() == NormOrder.PRE;
        inputNorm =
                pre
                        ? addChildBlock(
                                "attention_norm", RmsNorm.perModality(config, dim, untieNorms))
                        : null;
        qkv =
                addChildBlock(
                        "qkv",
                        PerModality.mapped(
                                attentionTowers, t -> Projections.biasFree(dim, 3 * inner)));
        qkNorm =
                config.qkNorm()
                        ? addChildBlock(
                                "qk_norm",
                                PerModality.mapped(
                                        config.towersFor(untieNorms),
                                        t -> new QkNorm(headDim, config.normEps())))
                        : null;
        wo =
                addChildBlock(
                        "wo",
                        PerModality.mapped(attentionTowers, t -> Projections.biasFree(inner, dim)));
        outputNorm =
                pre
                        ? null
                        : addChildBlock(
                                "attention_out_norm", RmsNorm.perModality(config, dim, untieNorms));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        ForwardContext context = ForwardContext.from(params, "MoTAttention");
        return context.runStandalone(
                inputs.get(0),
                isUntied(),
                (rows, batch, length, auxiliary) ->
                        attend(ps, rows, context, batch, length, training, null));
    }

    /**
     * The attention branch on rows grouped by modality (the residual is not added).
     *
     * <p>Each modality's chunk runs its input norm (pre order), its Q/K/V projection and QK-norm;
     * the chunks are put back into sequence order with one gather; RoPE and the attention scale are
     * applied to queries and keys together; the attended values are grouped again with one gather
     * for {@code Wo} and the output norm.
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
        long inner = (long) nHeads * headDim;
        long rows = batch * length;
        PairList<String, Object> params = context.asParams();
        NDArray projected = x.map((r, m) -> projectQkv(ps, r, m, training, params)).toOriginal();
        // (3, B, H, T, hd), a view: queries, keys and values with their heads laid out as attention
        // reads them, so no further transpose is needed before the matmuls. Split, not NDIndex
        // slicing: DJL slices every axis separately, and each slice's backward materialises a zero
        // array of the full input size. Each part keeps a leading axis of 1; the batched matmuls
        // broadcast over it.
        NDList qkAndV =
                projected
                        .reshape(batch, length, 3, nHeads, headDim)
                        .transpose(2, 0, 3, 1, 4)
                        .split(new long[] {2}, 0);
        NDList rotated = RotaryEmbedding.applyScaledQk(qkAndV.get(0), context.rotary()).split(2, 0);
        NDArray q = rotated.get(0);
        NDArray k = rotated.get(1);
        NDArray v = qkAndV.get(1);
        if (cache != null) {
            NDList all = cache.append(k, v);
            k = all.get(0);
            v = all.get(1);
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 2, 4, 3)); // (1, B, H, T, keys)
        NDArray mask = context.attentionMask();
        NDArray weights = (mask == null ? scores : scores.add(mask)).softmax(-1);
        NDArray attended = weights.matMul(v).transpose(0, 1, 3, 2, 4).reshape(rows, inner);
        GroupedRows out = wo.apply(ps, x.regroup(attended), training);
        return outputNorm == null ? out : outputNorm.apply(ps, out, training, params);
    }

    /**
     * Input norm (pre order), the Q/K/V projection and QK-norm for the rows of modality m: {@code
     * (n, 3, H, hd)}, queries then keys then values.
     */
    private NDArray projectQkv(
            ParameterStore ps,
            NDArray rows,
            int m,
            boolean training,
            PairList<String, Object> params) {
        NDArray in =
                inputNorm == null ? rows : inputNorm.forward(ps, rows, m, training, params).head();
        NDArray projected = qkv.forward(ps, in, m, training, params).head();
        NDArray heads = projected.reshape(-1, 3, nHeads, headDim);
        return qkNorm == null ? heads : qkNorm.forward(ps, heads, m, training, params).head();
    }

    /** Whether any part of the block has per-modality parameters. */
    public boolean isUntied() {
        return !qkv.isShared()
                || !wo.isShared()
                || (inputNorm != null && !inputNorm.isShared())
                || (qkNorm != null && !qkNorm.isShared())
                || (outputNorm != null && !outputNorm.isShared());
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        long n = x.size() / x.tail();
        Shape rows = new Shape(n, dim);
        if (inputNorm != null) {
            inputNorm.initialize(manager, dataType, rows);
        }
        qkv.initialize(manager, dataType, rows);
        if (qkNorm != null) {
            qkNorm.initialize(manager, dataType, new Shape(n, 3, nHeads, headDim));
        }
        wo.initialize(manager, dataType, new Shape(n, (long) nHeads * headDim));
        if (outputNorm != null) {
            outputNorm.initialize(manager, dataType, rows);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** Input norm in pre order ({@code layers.l.attention_norm}), else null. */
    public PerModality<RmsNorm> inputNorm() {
        return inputNorm;
    }

    /** {@code Wq}, {@code Wk}, {@code Wv} stacked: a {@code [3·H·hd, D]} projection per tower. */
    public PerModality<Linear> qkv() {
        return qkv;
    }

    /** Per-head query and key norms, or null without QK-norm. */
    public PerModality<QkNorm> qkNorm() {
        return qkNorm;
    }

    /** {@code Wo}: a {@code [D, H·hd]} projection per tower. */
    public PerModality<Linear> wo() {
        return wo;
    }

    /** Norm after {@code Wo} in post order ({@code local_experts_attention_norm}), else null. */
    public PerModality<RmsNorm> outputNorm() {
        return outputNorm;
    }
}
