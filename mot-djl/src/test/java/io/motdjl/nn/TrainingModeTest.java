package io.motdjl.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.objective.NextTokenLoss;

import org.junit.jupiter.api.Test;

import java.util.Random;

/** Training mode with DJL's GradientCollector and optimizer: the loss falls on a fixed batch. */
class TrainingModeTest {

    @Test
    void adamStepsLowerTheLoss() {
        MoTConfig config = TinyModels.config(2).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Random random = new Random(8);
            NDArray tokens = TinyModels.ids(manager, random, 4, 10, config.vocabSize());
            NDArray modalities = TinyModels.ids(manager, random, 4, 10, 2);
            MoTInputs inputs = MoTInputs.of(tokens, modalities);
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-2f)).build();
            ParameterStore store = new ParameterStore(manager, false);
            float first = Float.NaN;
            float last = Float.NaN;
            for (int step = 0; step < 30; step++) {
                try (NDManager scope = manager.newSubManager()) {
                    float loss;
                    try (GradientCollector collector =
                            Engine.getInstance().newGradientCollector()) {
                        NDArray logits =
                                model.forward(store, inputs.toNDList(), true).singletonOrThrow();
                        logits.attach(scope);
                        NDArray value =
                                NextTokenLoss.compute(logits, tokens, modalities, null, 2).mean();
                        collector.backward(value);
                        loss = value.getFloat();
                    }
                    for (Pair<String, Parameter> p : model.getParameters()) {
                        NDArray weight = p.getValue().getArray();
                        NDArray grad = weight.getGradient();
                        adam.update(p.getValue().getId(), weight, grad);
                        grad.subi(grad); // DJL's PyTorch collector accumulates; reset per step
                    }
                    if (step == 0) {
                        first = loss;
                    }
                    last = loss;
                }
            }
            assertTrue(last < first * 0.5f, "loss " + first + " -> " + last);
        }
    }
}
