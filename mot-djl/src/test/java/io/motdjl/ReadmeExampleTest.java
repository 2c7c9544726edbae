package io.motdjl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.NormOrder;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.objective.LossValue;
import io.motdjl.objective.NextTokenLoss;

import org.junit.jupiter.api.Test;

/** The README's Java example, as written there (keep the two in step). */
class ReadmeExampleTest {

    @Test
    void readmeExampleRuns() {
        MoTConfig config =
                MoTConfig.builder()
                        .vocabSize(512)
                        .dim(256)
                        .nLayers(4)
                        .nHeads(4)
                        .ffnHiddenDim(768)
                        .nModalities(2)
                        .normOrder(NormOrder.POST)
                        .maxSeqLen(256)
                        .build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = new MoTModel(config);
            model.initialize(manager, DataType.FLOAT32, new Shape(1, 1), new Shape(1, 1));

            NDArray tokens = manager.create(new long[] {1, 17, 300, 301, 302, 2}, new Shape(1, 6));
            NDArray modalities = manager.create(new long[] {0, 0, 1, 1, 1, 0}, new Shape(1, 6));
            MoTInputs inputs = MoTInputs.of(tokens, modalities);

            NDArray logits =
                    model.forward(new ParameterStore(manager, false), inputs.toNDList(), false)
                            .singletonOrThrow();
            LossValue loss =
                    NextTokenLoss.compute(logits, tokens, modalities, null, config.nModalities());

            assertEquals(new Shape(1, 6, 512), logits.getShape());
            // an untrained model is close to uniform: loss near ln(512)
            assertEquals(Math.log(512), loss.mean().getFloat(), 0.5);
            float[] perModality = loss.perModality().toFloatArray();
            assertTrue(Float.isFinite(perModality[0]) && Float.isFinite(perModality[1]));
        }
    }
}
