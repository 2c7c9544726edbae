package io.motdjl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;

import io.motdjl.io.ReferenceCheckpoint;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.objective.LossValue;
import io.motdjl.objective.NextTokenLoss;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;

/** Every reference case through the Java API: logits and losses within 1e-4. */
class GoldenTest {

    static java.util.List<String> cases() {
        return GoldenCase.NAMES;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesReference(String name) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = ReferenceCheckpoint.load(GoldenCase.dir(name), manager);
            // loaded weights must not borrow memory from buffers the loader has let go
            TinyModels.forceGarbageCollection();
            Map<String, NDArray> input = GoldenCase.input(name, manager);
            Map<String, NDArray> expected = GoldenCase.expected(name, manager);
            MoTInputs in = MoTInputs.of(input.get("tokens"), input.get("modalities"));
            if (input.containsKey("image_span_ids")) {
                in = in.withImageSpanIds(input.get("image_span_ids"));
            }
            NDList out = model.forward(new ParameterStore(manager, false), in.toNDList(), false);
            NDArray logits = MoTOutputs.of(out).logits();
            NDArray want = expected.get("logits");
            assertEquals(want.getShape(), logits.getShape());
            float maxErr = logits.sub(want).abs().max().getFloat();
            assertTrue(maxErr <= 1e-4f, name + ": max |logits - expected| = " + maxErr);

            LossValue loss =
                    NextTokenLoss.compute(
                            logits,
                            in.tokens(),
                            in.modalities(),
                            null,
                            model.config().nModalities());
            if (expected.containsKey("loss")) {
                assertEquals(expected.get("loss").getFloat(0), loss.mean().getFloat(), 1e-4f, name);
            }
            if (expected.containsKey("loss_per_modality")) {
                float[] want2 = expected.get("loss_per_modality").toFloatArray();
                float[] got = loss.perModality().toFloatArray();
                assertEquals(want2.length, got.length);
                for (int m = 0; m < want2.length; m++) {
                    if (Float.isNaN(want2[m])) {
                        assertTrue(Float.isNaN(got[m]), name + " modality " + m + " should be NaN");
                    } else {
                        assertEquals(want2[m], got[m], 1e-4f, name + " modality " + m);
                    }
                }
            }
        }
    }
}
