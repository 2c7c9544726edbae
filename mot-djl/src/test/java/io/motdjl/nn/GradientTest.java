package io.motdjl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.NormOrder;
import io.motdjl.io.ReferenceNames;
import io.motdjl.objective.NextTokenLoss;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;
import java.util.Random;

/**
 * Analytic gradients (DJL's GradientCollector through the routed gathers) against central finite
 * differences, in float64 on a tiny two-modality model.
 */
class GradientTest {

    private static final double STEP = 1e-6;

    @ParameterizedTest
    @EnumSource(NormOrder.class)
    void gradientsMatchFiniteDifferences(NormOrder order) {
        MoTConfig config = TinyModels.config(2).normOrder(order).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT64);
            Random random = new Random(7);
            NDArray tokens = TinyModels.ids(manager, random, 2, 9, config.vocabSize());
            NDArray modalities = TinyModels.ids(manager, random, 2, 9, 2);
            MoTInputs inputs = MoTInputs.of(tokens, modalities);

            Map<String, ReferenceNames.Slot> params = ReferenceNames.of(model);
            String[] probes = {
                "tok_embeddings.weight",
                "layers.0.attention.local_experts_wq.0.weight",
                "layers.0.attention.local_experts_wk.1.weight",
                "layers.1.attention.local_experts_wo.1.weight",
                "layers.1.feed_forward.local_experts.0.w1.weight",
                "layers.0.feed_forward.local_experts.1.w2.weight",
                order == NormOrder.POST
                        ? "layers.1.attention.local_experts_attention_norm.1.weight"
                        : "layers.1.attention_norm.1.weight",
                order == NormOrder.POST
                        ? "layers.0.feed_forward.local_experts_ffn_norm.0.weight"
                        : "layers.0.ffn_norm.0.weight",
                "layers.0.attention.local_experts_q_normalization.1.weight",
                "norm.1.weight",
                "output.weight",
            };
            Map<String, double[]> analytic = new java.util.HashMap<>();
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits =
                        model.forward(new ParameterStore(manager, false), inputs.toNDList(), true)
                                .singletonOrThrow();
                // a collection between forward and backward exposes any Java-owned memory that
                // the graph still reads (DJL's mul(Number) used to do this: see util.Scalars)
                TinyModels.forceGarbageCollection();
                collector.backward(loss(logits, inputs));
            }
            for (String name : probes) {
                analytic.put(name, params.get(name).gradient().toDoubleArray());
            }
            for (String name : probes) {
                ReferenceNames.Slot slot = params.get(name);
                NDArray weight = slot.parameter().getArray();
                long[] shape = weight.getShape().getShape();
                // the slot's rows of a (possibly stacked) parameter start at this flat index
                long start = slot.rowOffset() * (weight.size() / shape[0]);
                for (int probe = 0; probe < 3; probe++) {
                    long flat = random.nextInt((int) slot.shape().size());
                    NDIndex at = indexOf(start + flat, shape);
                    double original = weight.get(at).getDouble();
                    weight.set(at, original + STEP);
                    double up = evaluate(model, manager, inputs);
                    weight.set(at, original - STEP);
                    double down = evaluate(model, manager, inputs);
                    weight.set(at, original);
                    double numeric = (up - down) / (2 * STEP);
                    double got = analytic.get(name)[(int) flat];
                    assertEquals(
                            numeric,
                            got,
                            1e-6 + 1e-5 * Math.abs(numeric),
                            name + "[" + flat + "] (" + order + ")");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(NormOrder.class)
    void absentModalityGetsExactlyZeroGradient(NormOrder order) {
        MoTConfig config = TinyModels.config(3).normOrder(order).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Random random = new Random(3);
            NDArray tokens = TinyModels.ids(manager, random, 2, 10, config.vocabSize());
            NDArray modalities = TinyModels.ids(manager, random, 2, 10, 2); // modality 2 absent
            MoTInputs inputs = MoTInputs.of(tokens, modalities);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits =
                        model.forward(new ParameterStore(manager, false), inputs.toNDList(), true)
                                .singletonOrThrow();
                collector.backward(loss(logits, inputs));
            }
            int absent = 0;
            int present = 0;
            for (Map.Entry<String, ReferenceNames.Slot> e : ReferenceNames.of(model).entrySet()) {
                NDArray grad = e.getValue().gradient();
                double magnitude = grad.abs().sum().toType(DataType.FLOAT64, false).getDouble();
                if (e.getKey().matches(".*\\.2\\.(w[123]\\.)?weight")) {
                    assertEquals(0.0, magnitude, e.getKey() + " should get no gradient");
                    absent++;
                } else if (e.getKey().matches(".*\\.[01]\\.(w[123]\\.)?weight")) {
                    assertTrue(magnitude > 0, e.getKey() + " should get a gradient");
                    present++;
                }
            }
            assertTrue(absent > 10 && present > 20, absent + " absent, " + present + " present");
        }
    }

    private static NDArray loss(NDArray logits, MoTInputs inputs) {
        return NextTokenLoss.compute(logits, inputs.tokens(), inputs.modalities(), null, 3).mean();
    }

    private static double evaluate(MoTModel model, NDManager manager, MoTInputs inputs) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray logits = TinyModels.logits(model, scope, inputs);
            return loss(logits, inputs).getDouble();
        }
    }

    private static NDIndex indexOf(long flat, long[] shape) {
        long[] index = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return new NDIndex(index);
    }
}
