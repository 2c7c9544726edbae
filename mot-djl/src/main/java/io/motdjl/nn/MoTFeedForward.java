package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.NormOrder;
import io.motdjl.routing.GroupedRows;

import java.util.ArrayList;
import java.util.List;

/**
 * The feed-forward branch of a MoT layer: per-modality feed-forward blocks (a {@link SwiGlu} each
 * by default; the {@link FeedForwardFactory} decides), with the layer's FFN norm before them
 * ({@link NormOrder#PRE}, {@code layers.l.ffn_norm}) or after them ({@link NormOrder#POST}, {@code
 * local_experts_ffn_norm}). Input and output {@code (B, T, D)}; standalone it needs a {@link
 * ForwardContext} in its params.
 */
public final class MoTFeedForward extends AbstractBlock {

    private static final byte VERSION = 2;

    private final int dim;
    private final PerModality<RmsNorm> inputNorm;
    private final PerModality<Block> experts;
    private final PerModality<RmsNorm> outputNorm;

    /**
     * Builds the feed-forward branch of layer {@code layer}.
     *
     * @param config the model config
     * @param layer the layer index (passed to the factory)
     * @param factory makes each tower's feed-forward block
     */
    public MoTFeedForward(MoTConfig config, int layer, FeedForwardFactory factory) {
        super(VERSION);
        this.dim = config.dim();
        boolean untieNorms = config.untie().norms();
        boolean pre = config.normOrder() == NormOrder.PRE;
        inputNorm =
                pre
                        ? addChildBlock("ffn_norm", RmsNorm.perModality(config, dim, untieNorms))
                        : null;
        experts =
                addChildBlock(
                        "local_experts",
                        PerModality.mapped(
                                config.towersFor(config.untie().ffn()),
                                t -> factory.create(config, layer, t)));
        outputNorm =
                pre
                        ? null
                        : addChildBlock(
                                "ffn_out_norm", RmsNorm.perModality(config, dim, untieNorms));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        ForwardContext context = ForwardContext.from(params, "MoTFeedForward");
        return context.runStandalone(
                inputs.get(0),
                isUntied(),
                (rows, batch, length, auxiliary) -> apply(ps, rows, context, training, auxiliary));
    }

    /**
     * The feed-forward branch on rows grouped by modality, each chunk through its own tower (the
     * chunks of modalities that share a tower through it together; the residual is not added).
     *
     * @param ps the parameter store
     * @param h rows {@code (B·T, D)} grouped by modality
     * @param context the forward pass's context (its params reach every block: the norms share its
     *     constants)
     * @param training whether this is a training pass
     * @param auxiliary receives the towers' auxiliary outputs, named {@code
     *     feed_forward.{tower}.{name}}
     * @return the branch output, grouped like {@code h}
     */
    public GroupedRows apply(
            ParameterStore ps,
            GroupedRows h,
            ForwardContext context,
            boolean training,
            NDList auxiliary) {
        PairList<String, Object> params = context.asParams();
        GroupedRows in = inputNorm == null ? h : inputNorm.apply(ps, h, training, params);
        GroupedRows y;
        if (experts.isShared() && in.isGrouped()) {
            // one block for every modality sees every row at once (an expert-choice mixture's
            // capacity is over all the rows that reach it)
            NDArray all = in.sorted();
            NDArray out =
                    run(ps, 0, all, context.validityOfSorted(in), training, params, auxiliary);
            y = GroupedRows.fromSorted(in.routing(), out);
        } else {
            NDArray[] out = new NDArray[in.numModalities()];
            for (int t = 0; t < experts.numTowers(); t++) {
                runTower(ps, t, in, context, training, params, auxiliary, out);
            }
            y = in.map((rows, m) -> out[m]);
        }
        return outputNorm == null ? y : outputNorm.apply(ps, y, training, params);
    }

    /**
     * Runs tower {@code t} once over the rows of every modality it serves, into {@code out} (one
     * entry per modality). Modalities that share a tower are run together, so that a mixture of
     * experts sees all the rows that reach it (its capacity and auxiliary losses are over them,
     * reported once per tower).
     */
    private void runTower(
            ParameterStore ps,
            int t,
            GroupedRows in,
            ForwardContext context,
            boolean training,
            PairList<String, Object> params,
            NDList auxiliary,
            NDArray[] out) {
        List<Integer> served = new ArrayList<>();
        for (int m = 0; m < in.numModalities(); m++) {
            if (experts.towerOf(m) == t && in.chunk(m) != null) {
                served.add(m);
            }
        }
        if (served.isEmpty()) {
            return;
        }
        if (served.size() == 1) {
            int m = served.get(0);
            out[m] =
                    run(ps, t, in.chunk(m), context.validityOf(in, m), training, params, auxiliary);
            return;
        }
        // several chunks means the rows are grouped: the routing knows each chunk's length
        long[] counts = in.routing().counts();
        NDList rows = new NDList();
        NDList validity = new NDList();
        long[] ends = new long[served.size() - 1];
        long end = 0;
        for (int i = 0; i < served.size(); i++) {
            int m = served.get(i);
            rows.add(in.chunk(m));
            validity.add(context.validityOf(in, m));
            end += counts[m];
            if (i < ends.length) {
                ends[i] = end;
            }
        }
        NDArray together =
                run(
                        ps,
                        t,
                        NDArrays.concat(rows, 0),
                        validity.get(0) == null ? null : NDArrays.concat(validity, 0),
                        training,
                        params,
                        auxiliary);
        NDList parts = together.split(ends, 0);
        for (int i = 0; i < served.size(); i++) {
            out[served.get(i)] = parts.get(i);
        }
    }

    /**
     * Runs tower {@code t} on its rows (with their validity when the pass has padding), passing any
     * further outputs on as auxiliary ones named {@code feed_forward.{tower}.{name}}.
     */
    private NDArray run(
            ParameterStore ps,
            int t,
            NDArray rows,
            NDArray validity,
            boolean training,
            PairList<String, Object> params,
            NDList auxiliary) {
        NDList input = validity == null ? new NDList(rows) : new NDList(rows, validity);
        NDList out = experts.tower(t).forward(ps, input, training, params);
        for (int i = 1; i < out.size(); i++) {
            NDArray extra = out.get(i);
            String name = extra.getName() == null ? "aux" + i : extra.getName();
            extra.setName("feed_forward." + t + "." + name);
            auxiliary.add(extra);
        }
        return out.head();
    }

    /** Whether any part of the chain has per-modality parameters. */
    public boolean isUntied() {
        return !experts.isShared()
                || (inputNorm != null && !inputNorm.isShared())
                || (outputNorm != null && !outputNorm.isShared());
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        Shape rows = new Shape(x.size() / dim, dim);
        if (inputNorm != null) {
            inputNorm.initialize(manager, dataType, rows);
        }
        experts.initialize(manager, dataType, rows);
        if (outputNorm != null) {
            outputNorm.initialize(manager, dataType, rows);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** FFN norm in pre order ({@code layers.l.ffn_norm}), else null. */
    public PerModality<RmsNorm> inputNorm() {
        return inputNorm;
    }

    /** The feed-forward block of each tower ({@code feed_forward.local_experts.{tower}}). */
    public PerModality<Block> experts() {
        return experts;
    }

    /** Norm after the feed-forward in post order ({@code local_experts_ffn_norm}), else null. */
    public PerModality<RmsNorm> outputNorm() {
        return outputNorm;
    }
}
