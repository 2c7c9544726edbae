package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import io.motdjl.config.MoeConfig;
import io.motdjl.config.MoeRouting;
import io.motdjl.util.Scalars;

/**
 * A mixture-of-experts feed-forward: {@code E} bias-free SwiGLU experts of hidden width {@code F}
 * behind a bias-free linear router {@code D → E}, routed by token choice or expert choice as a
 * {@link MoeConfig} defines. A row's output is {@code Σ gate · SwiGLU_e(row)} over the experts that
 * took it (zero when none did).
 *
 * <p>The experts' weights are stored stacked, so that one parameter holds every expert: {@code w13
 * [E·2F, D]} (expert {@code e}'s {@code W1} is rows {@code e·2F .. e·2F+F-1}, its {@code W3} the
 * next {@code F}) and {@code w2 [E·D, F]} (expert {@code e}'s {@code W2} is rows {@code e·D ..
 * e·D+D-1}); checkpoints name them {@code experts.{e}.w1/w3/w2}. The rows are gathered once in
 * expert order and each expert runs one matmul on its own block (one batched matmul under expert
 * choice, where every expert has the same capacity).
 *
 * <p>Input {@code [rows (n, D)]}, or {@code [rows (n, D), valid (n)]} when some rows are padding
 * (which are never routed and get 0). Output {@code [out (n, D)]} then, under token choice, the
 * auxiliary losses {@code load_balance} (Switch: {@code E · Σ_e f_e · P_e}, 1 when balanced) and
 * {@code router_z} (mean squared log-sum-exp of the router logits), then statistics named {@value
 * MoTOutputs#STATISTIC_PREFIX}{@code expert_share} (fraction of computed rows per expert) and,
 * under expert choice, {@value MoTOutputs#STATISTIC_PREFIX}{@code dropped} (fraction of real rows
 * no expert took).
 *
 * <p>Routing is planned on the host (the chosen experts are copied out of the engine once per
 * pass), like the modality routing.
 */
public final class MixtureOfExperts extends AbstractBlock {

    private static final byte VERSION = 1;

    private final long dim;
    private final long hidden;
    private final MoeConfig moe;
    private final Linear router;
    private final Parameter w13;
    private final Parameter w2;

    /**
     * Creates the block.
     *
     * @param dim D
     * @param hidden F, each expert's hidden width
     * @param moe the number of experts and the routing
     */
    public MixtureOfExperts(long dim, long hidden, MoeConfig moe) {
        super(VERSION);
        if (dim <= 0 || hidden <= 0) {
            throw new IllegalArgumentException(
                    "MixtureOfExperts needs positive widths, got dim="
                            + dim
                            + ", hidden="
                            + hidden);
        }
        this.dim = dim;
        this.hidden = hidden;
        this.moe = moe;
        int experts = moe.experts();
        router = addChildBlock("router", Projections.biasFree(dim, experts));
        // Xavier (fan-in) over a stacked [E·rows, cols] draws each expert as over [rows, cols]
        w13 =
                addParameter(
                        Parameter.builder()
                                .setName("w13")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(experts * 2 * hidden, dim))
                                .build());
        w2 =
                addParameter(
                        Parameter.builder()
                                .setName("w2")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(experts * dim, hidden))
                                .build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        int n = Math.toIntExact(x.getShape().get(0));
        boolean[] valid = inputs.size() > 1 ? validity(inputs.get(1), n) : null;
        long validRows = valid == null ? n : countTrue(valid);
        NDArray logits = router.forward(ps, new NDList(x), training).singletonOrThrow();
        NDArray probs = logits.softmax(-1);
        Routed routed =
                moe.routing() == MoeRouting.EXPERT_CHOICE
                        ? expertChoice(probs, valid, n, validRows)
                        : tokenChoice(probs, valid);
        NDList out = new NDList();
        if (routed == null) {
            out.add(x.zerosLike());
        } else {
            NDArray stacked13 = ps.getValue(w13, x.getDevice(), training);
            NDArray stacked2 = ps.getValue(w2, x.getDevice(), training);
            out.add(combine(x, routed, stacked13, stacked2));
        }
        if (moe.routing() == MoeRouting.TOKEN_CHOICE) {
            out.addAll(auxiliaryLosses(logits, probs, routed, valid, validRows));
        }
        out.addAll(statistics(x.getManager(), routed == null ? null : routed.plan(), validRows));
        return out;
    }

    /** A routing decision: the plan and each slot's gate {@code (slots)}. */
    private record Routed(ExpertDispatch plan, NDArray slotGates) {}

    /** Each row takes its top-k experts; gates renormalised over them when k > 1. */
    private Routed tokenChoice(NDArray probs, boolean[] valid) {
        int k = moe.topK();
        NDList top = probs.topK(k, 1, true, true);
        NDArray chosen = top.get(0);
        NDArray gates = k == 1 ? chosen : chosen.div(chosen.sum(new int[] {1}, true));
        ExpertDispatch plan =
                ExpertDispatch.tokenChoice(top.get(1).toLongArray(), k, moe.experts(), valid);
        NDArray index = probs.getManager().create(plan.gateOfSlot);
        return new Routed(plan, gates.flatten().get(new NDIndex("{}", index)));
    }

    /**
     * Each expert takes its {@code capacity} highest-scoring real rows; null when there is no real
     * row to route.
     */
    private Routed expertChoice(NDArray probs, boolean[] valid, int n, long validRows) {
        if (validRows == 0) {
            return null;
        }
        long capacity = moe.capacity(validRows);
        NDArray scores = probs.transpose(); // (E, n)
        if (valid != null) {
            // probabilities are >= 0: a padding row scored below 0 is never among the top
            // capacity <= validRows
            float[] penalty = new float[n];
            for (int r = 0; r < n; r++) {
                penalty[r] = valid[r] ? 0f : -1f;
            }
            scores =
                    scores.add(
                            probs.getManager().create(penalty).toType(scores.getDataType(), false));
        }
        NDList top = scores.topK(Math.toIntExact(capacity), 1, true, true);
        ExpertDispatch plan =
                ExpertDispatch.expertChoice(
                        top.get(1).toLongArray(), moe.experts(), capacity, n, validRows);
        return new Routed(plan, top.get(0).flatten());
    }

    // ---------------------------------------------------------------- experts

    /**
     * Gathers the rows in slot order, runs each expert on its block, gates the results and sums
     * them back per row.
     */
    private NDArray combine(NDArray x, Routed routed, NDArray stacked13, NDArray stacked2) {
        ExpertDispatch plan = routed.plan();
        NDManager manager = x.getManager();
        NDArray slots = x.get(new NDIndex("{}", manager.create(plan.rowOfSlot)));
        NDArray computed = runExperts(slots, plan.slotsPerExpert, stacked13, stacked2);
        NDArray gated = computed.mul(routed.slotGates().expandDims(1));
        // one zero row after the last slot stands for "no expert" in the combine table
        NDArray padded =
                gated.concat(
                        manager.zeros(new Shape(1, dim), gated.getDataType(), gated.getDevice()));
        NDArray picked = padded.get(new NDIndex("{}", manager.create(plan.combine)));
        long n = x.getShape().get(0);
        return plan.width == 1 ? picked : picked.reshape(n, plan.width, dim).sum(new int[] {1});
    }

    /** Expert {@code e}'s SwiGLU on its block of {@code slots}, blocks in expert order. */
    private NDArray runExperts(
            NDArray slots, long[] slotsPerExpert, NDArray stacked13, NDArray stacked2) {
        int experts = slotsPerExpert.length;
        if (allEqual(slotsPerExpert)) {
            // one batched matmul over (E, capacity, D)
            long capacity = slotsPerExpert[0];
            NDArray blocks = slots.reshape(experts, capacity, dim);
            NDArray gateUp =
                    blocks.batchMatMul(
                            stacked13.reshape(experts, 2 * hidden, dim).transpose(0, 2, 1));
            NDArray down = stacked2.reshape(experts, dim, hidden).transpose(0, 2, 1);
            return SwiGlu.gatedUnit(gateUp, hidden)
                    .batchMatMul(down)
                    .reshape(experts * capacity, dim);
        }
        NDList w13s = stacked13.split(experts, 0);
        NDList w2s = stacked2.split(experts, 0);
        NDList blocks = slots.split(boundaries(slotsPerExpert), 0);
        NDList outputs = new NDList(experts);
        for (int e = 0; e < experts; e++) {
            if (slotsPerExpert[e] > 0) {
                NDArray gateUp = Linear.linear(blocks.get(e), w13s.get(e)).singletonOrThrow();
                outputs.add(
                        Linear.linear(SwiGlu.gatedUnit(gateUp, hidden), w2s.get(e))
                                .singletonOrThrow());
            }
        }
        return outputs.size() == 1 ? outputs.head() : NDArrays.concat(outputs, 0);
    }

    private static boolean allEqual(long[] values) {
        for (long v : values) {
            if (v != values[0]) {
                return false;
            }
        }
        return true;
    }

    /** Split points of consecutive blocks of the given sizes (the last end left out). */
    private static long[] boundaries(long[] sizes) {
        long[] ends = new long[sizes.length - 1];
        long end = 0;
        for (int i = 0; i < ends.length; i++) {
            end += sizes[i];
            ends[i] = end;
        }
        return ends;
    }

    // ---------------------------------------------------------------- losses and statistics

    /**
     * Switch's load-balancing loss {@code E · Σ_e f_e · P_e} ({@code f_e}: fraction of the real
     * rows' choices that went to {@code e}; {@code P_e}: mean router probability of {@code e} over
     * real rows) and the router z-loss, both over real rows only; zeros when there are none.
     */
    private NDList auxiliaryLosses(
            NDArray logits, NDArray probs, Routed routed, boolean[] valid, long validRows) {
        NDManager manager = probs.getManager();
        DataType type = probs.getDataType();
        int experts = moe.experts();
        if (validRows == 0) {
            NDArray zero = manager.zeros(new Shape(), type, probs.getDevice());
            return named(zero, zero.duplicate());
        }
        double[] fraction = new double[experts];
        long choices = validRows * moe.topK();
        for (int e = 0; e < experts; e++) {
            fraction[e] = (double) routed.plan().slotsPerExpert[e] / choices;
        }
        NDArray rowWeights = rowWeights(manager, valid, probs.getShape().get(0), validRows, type);
        NDArray meanProb = probs.mul(rowWeights.expandDims(1)).sum(new int[] {0});
        NDArray balance =
                meanProb.mul(manager.create(fraction).toType(type, false))
                        .sum()
                        .mul(Scalars.of(manager, experts, type));
        // logsumexp per row: logits minus log-softmax, equal in every column
        NDArray logSumExp = logits.sub(logits.logSoftmax(1)).mean(new int[] {1});
        NDArray zLoss = logSumExp.square().mul(rowWeights).sum();
        return named(balance, zLoss);
    }

    private static NDList named(NDArray balance, NDArray zLoss) {
        balance.setName("load_balance");
        zLoss.setName("router_z");
        return new NDList(balance, zLoss);
    }

    /** {@code 1/validRows} for each real row, 0 for padding: a mean over real rows as a sum. */
    private static NDArray rowWeights(
            NDManager manager, boolean[] valid, long rows, long validRows, DataType type) {
        double[] w = new double[Math.toIntExact(rows)];
        for (int r = 0; r < w.length; r++) {
            w[r] = valid == null || valid[r] ? 1.0 / validRows : 0.0;
        }
        return manager.create(w).toType(type, false);
    }

    /** The share of computed rows per expert and, under expert choice, the dropped fraction. */
    private NDList statistics(NDManager manager, ExpertDispatch plan, long validRows) {
        int experts = moe.experts();
        float[] share = new float[experts];
        long slots = plan == null ? 0 : plan.slots();
        for (int e = 0; e < experts && slots > 0; e++) {
            share[e] = (float) ((double) plan.slotsPerExpert[e] / slots);
        }
        NDArray shares = manager.create(share);
        shares.setName(MoTOutputs.STATISTIC_PREFIX + "expert_share");
        NDList out = new NDList(shares);
        if (moe.routing() == MoeRouting.EXPERT_CHOICE) {
            double dropped =
                    plan == null || validRows == 0 ? 0 : (double) plan.droppedRows / validRows;
            NDArray d = manager.create((float) dropped);
            d.setName(MoTOutputs.STATISTIC_PREFIX + "dropped");
            out.add(d);
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    /** The host copy of a row validity mask {@code (n)} (non-zero is a real row). */
    private static boolean[] validity(NDArray mask, int rows) {
        if (mask.getShape().dimension() != 1 || mask.getShape().get(0) != rows) {
            throw new IllegalArgumentException(
                    "the row validity of a mixture of experts must have shape ("
                            + rows
                            + "), got "
                            + mask.getShape());
        }
        float[] values = mask.toType(DataType.FLOAT32, false).toFloatArray();
        boolean[] valid = new boolean[rows];
        for (int r = 0; r < rows; r++) {
            valid[r] = values[r] != 0f;
        }
        return valid;
    }

    private static long countTrue(boolean[] flags) {
        long count = 0;
        for (boolean f : flags) {
            if (f) {
                count++;
            }
        }
        return count;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        router.initialize(manager, dataType, inputShapes[0]);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** The router {@code [E, D]}. */
    public Linear router() {
        return router;
    }

    /** Every expert's {@code W1} and {@code W3}, stacked: {@code [E·2F, D]}. */
    public Parameter stackedW13() {
        return w13;
    }

    /** Every expert's {@code W2}, stacked: {@code [E·D, F]}. */
    public Parameter stackedW2() {
        return w2;
    }

    /** The number of experts and the routing. */
    public MoeConfig settings() {
        return moe;
    }

    /** F, each expert's hidden width. */
    public long hidden() {
        return hidden;
    }

    @Override
    public String toString() {
        return "MixtureOfExperts("
                + moe.experts()
                + " x SwiGlu("
                + dim
                + " -> "
                + hidden
                + " -> "
                + dim
                + "), "
                + moe.routing().jsonName()
                + ")";
    }
}
