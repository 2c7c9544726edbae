package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.NormOrder;
import io.motdjl.routing.GroupedRows;

/**
 * Modality-specific SwiGLU feed-forward {@code W2_m(silu(W1_m h) * W3_m h)}, with the layer's FFN
 * norm before it ({@link NormOrder#PRE}, {@code layers.l.ffn_norm}) or after it ({@link
 * NormOrder#POST}, {@code local_experts_ffn_norm}). Input and output {@code (B, T, D)}.
 */
public final class MoTFeedForward extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int dim;
    private final UntiedRmsNorm inputNorm;
    private final UntiedLinear w1;
    private final UntiedLinear w3;
    private final UntiedLinear w2;
    private final UntiedRmsNorm outputNorm;

    /** Builds the feed-forward of one layer from the model config. */
    public MoTFeedForward(MoTConfig config) {
        super(VERSION);
        this.dim = config.dim();
        int m = config.nModalities();
        int hidden = config.ffnHiddenDim();
        boolean untieFfn = config.untie().ffn();
        boolean untieNorms = config.untie().norms();
        boolean pre = config.normOrder() == NormOrder.PRE;
        inputNorm = pre ? addChildBlock("ffn_norm", MoTAttention.norm(dim, config, untieNorms)) : null;
        w1 = addChildBlock("w1", MoTAttention.linear(dim, hidden, m, untieFfn));
        w3 = addChildBlock("w3", MoTAttention.linear(dim, hidden, m, untieFfn));
        w2 = addChildBlock("w2", MoTAttention.linear(hidden, dim, m, untieFfn));
        outputNorm =
                pre ? null : addChildBlock("ffn_out_norm", MoTAttention.norm(dim, config, untieNorms));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        ForwardContext context = ForwardContext.from(params, "MoTFeedForward");
        NDArray h = inputs.singletonOrThrow();
        Shape shape = h.getShape();
        NDArray rows = h.reshape(-1, dim);
        GroupedRows grouped =
                isUntied()
                        ? GroupedRows.fromOriginal(context.routing(), rows)
                        : GroupedRows.ungrouped(rows, 0, context.routing().numModalities());
        return new NDList(apply(ps, grouped, training).toOriginal().reshape(shape));
    }

    /**
     * The feed-forward branch on rows grouped by modality, each chunk with its own parameters (the
     * residual is not added). {@code W1} and {@code W3} run as one {@code [2F, D]} projection,
     * concatenated at run time.
     *
     * @param ps the parameter store
     * @param h rows {@code (B·T, D)} grouped by modality
     * @param training whether this is a training pass
     * @return the branch output, grouped like {@code h}
     */
    public GroupedRows apply(ParameterStore ps, GroupedRows h, boolean training) {
        NDArray[] fusedWeights = new NDArray[w1.weights().size()];
        return h.map((r, m) -> swiGlu(ps, r, m, training, fusedWeights));
    }

    private NDArray swiGlu(
            ParameterStore ps, NDArray rows, int m, boolean training, NDArray[] fusedWeights) {
        NDArray in = inputNorm == null ? rows : inputNorm.apply(ps, rows, m, training);
        int set = w1.isUntied() ? m : 0;
        if (fusedWeights[set] == null) {
            fusedWeights[set] =
                    w1.value(ps, m, rows.getDevice(), training)
                            .concat(w3.value(ps, m, rows.getDevice(), training), 0);
            // made from parameters, so it lands in the model's manager: move it to the pass's
            fusedWeights[set].attach(rows.getManager());
        }
        NDArray gateUp = in.getNDArrayInternal().linear(in, fusedWeights[set], null).singletonOrThrow();
        long hidden = gateUp.getShape().tail() / 2;
        // split, not NDIndex slicing (whose backward materialises full-size zero arrays)
        NDList parts = gateUp.split(new long[] {hidden}, 1);
        NDArray gate = parts.get(0);
        NDArray up = parts.get(1);
        NDArray y = w2.apply(ps, gate.mul(Activation.sigmoid(gate)).mul(up), m, training);
        return outputNorm == null ? y : outputNorm.apply(ps, y, m, training);
    }

    /** Whether any part of the chain has per-modality parameters. */
    public boolean isUntied() {
        return w1.isUntied()
                || (inputNorm != null && inputNorm.isUntied())
                || (outputNorm != null && outputNorm.isUntied());
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        long n = x.size() / dim;
        Shape rows = new Shape(n, dim);
        if (inputNorm != null) {
            inputNorm.initialize(manager, dataType, rows);
        }
        w1.initialize(manager, dataType, rows);
        w3.initialize(manager, dataType, rows);
        w2.initialize(manager, dataType, new Shape(n, w2.weights().get(0).getShape().get(1)));
        if (outputNorm != null) {
            outputNorm.initialize(manager, dataType, rows);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** FFN norm in pre order ({@code layers.l.ffn_norm}), else null. */
    public UntiedRmsNorm inputNorm() {
        return inputNorm;
    }

    public UntiedLinear w1() {
        return w1;
    }

    public UntiedLinear w3() {
        return w3;
    }

    public UntiedLinear w2() {
        return w2;
    }

    /** Norm after {@code W2} in post order ({@code local_experts_ffn_norm}), else null. */
    public UntiedRmsNorm outputNorm() {
        return outputNorm;
    }
}
