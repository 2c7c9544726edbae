package io.motdjl.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.util.Scalars;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An objective plus weighted auxiliary losses from the model's outputs: {@code loss = base + Σ
 * weight(kind) · aux}, where an auxiliary output named {@code
 * aux.layers.3.feed_forward.0.load_balance} is of kind {@code load_balance} (the last part of its
 * name). Every auxiliary output must have a weight (0 to ignore one knowingly), so a new kind of
 * auxiliary loss is never silently dropped. The per-modality metrics are the base objective's.
 */
public final class WithAuxiliaryLosses implements Objective {

    /**
     * Weights of a mixture of experts' auxiliary losses used unless told otherwise: {@code
     * load_balance} 0.01 (Fedus et al. 2021, Switch) and {@code router_z} 0.001 (Zoph et al. 2022,
     * ST-MoE).
     */
    public static final Map<String, Double> MOE_DEFAULT_WEIGHTS =
            Map.of("load_balance", 0.01, "router_z", 0.001);

    private final Objective base;
    private final Map<String, Double> weights;

    /**
     * Adds the weighted auxiliary losses to a base objective.
     *
     * @param base the main objective
     * @param weights weight of each kind of auxiliary loss
     */
    public WithAuxiliaryLosses(Objective base, Map<String, Double> weights) {
        this.base = base;
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            if (e.getValue() == null || !Double.isFinite(e.getValue()) || e.getValue() < 0) {
                throw new IllegalArgumentException(
                        "auxiliary loss weight for '"
                                + e.getKey()
                                + "' must be finite and >= 0, got "
                                + e.getValue());
            }
        }
        this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }

    /** The kind of an auxiliary loss: the last dot-separated part of its name. */
    public static String kindOf(String name) {
        return name.substring(name.lastIndexOf('.') + 1);
    }

    @Override
    public int numModalities() {
        return base.numModalities();
    }

    @Override
    public LossValue evaluate(MoTOutputs outputs, NDList labels) {
        LossValue value = base.evaluate(outputs, labels);
        NDArray total = value.mean();
        List<LossTerm> terms = new ArrayList<>(value.terms());
        // not a mean over items: weighted across blocks by the items the base loss scored
        NDArray scored = null;
        for (Map.Entry<String, NDArray> e : outputs.auxiliaryLosses().entrySet()) {
            String kind = kindOf(e.getKey());
            Double weight = weights.get(kind);
            if (weight == null) {
                throw new IllegalArgumentException(
                        "the model reports the auxiliary loss '"
                                + e.getKey()
                                + "' of kind '"
                                + kind
                                + "', which has no weight; weights are given for "
                                + weights.keySet());
            }
            if (weight != 0) {
                NDArray aux = e.getValue();
                // a native scalar: the product's backward keeps it (see util.Scalars)
                total = total.add(aux.mul(Scalars.of(aux.getManager(), weight, aux.getDataType())));
                if (scored == null) {
                    scored = value.perModalityCount().sum();
                }
                terms.add(new LossTerm(e.getKey(), aux, weight, scored));
            }
        }
        return new LossValue(total, value.perModality(), value.perModalityCount(), terms);
    }

    /**
     * {@code base}, plus a mixture of experts' auxiliary losses at {@link #MOE_DEFAULT_WEIGHTS}
     * when {@code config} has one; {@code base} itself otherwise.
     */
    public static Objective forModel(Objective base, MoTConfig config) {
        return config.moe() == null ? base : new WithAuxiliaryLosses(base, MOE_DEFAULT_WEIGHTS);
    }

    @Override
    public boolean allowsImageSpans() {
        return base.allowsImageSpans();
    }

    @Override
    public void requireFits(MoTConfig config) {
        base.requireFits(config);
    }

    @Override
    public boolean weighsAuxiliaryLosses() {
        return true;
    }

    @Override
    public PreparedBatch prepare(NDList data, NDList labels, long seed) {
        return base.prepare(data, labels, seed);
    }

    @Override
    public String toString() {
        return base + " + auxiliary " + weights;
    }
}
