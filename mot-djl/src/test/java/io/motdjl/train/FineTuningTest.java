package io.motdjl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.io.ReferenceCheckpoint;
import io.motdjl.nn.MoTModel;
import io.motdjl.objective.ModalityLosses;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run started from an already trained model (a checkpoint's or a zoo model's block, given through
 * {@link RunOptions.Builder#model}) keeps its weights and continues from them.
 */
class FineTuningTest {

    private static RunOptions.Builder quiet() {
        return RunOptions.builder().device(Device.cpu()).progressBar(false).logEvery(0);
    }

    private static TrainingSettings settings(int steps) {
        return TrainingSettings.builder()
                .seed(4)
                .batchSize(8)
                .totalSteps(steps)
                .warmupSteps(1)
                .peakLearningRate(1e-2)
                .build();
    }

    private static Map<String, float[]> weights(MoTModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : model.getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    @Test
    void aTrainedModelIsFineTunedFromItsOwnWeights(@TempDir Path dir) throws Exception {
        MoTConfig config = TinyModels.config(2).build();
        SyntheticSequences train = SyntheticSequences.create(32, 5);
        SyntheticSequences heldOut = SyntheticSequences.create(16, 6);
        ModalityLosses trained;
        try (TrainingRun run = TrainingRun.start(config, settings(30), train, quiet().build())) {
            run.trainToEnd();
            trained = run.evaluate(heldOut);
            ReferenceCheckpoint.save(run.model(), dir);
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel pretrained = ReferenceCheckpoint.load(dir, manager);
            Map<String, float[]> loaded = weights(pretrained);
            RunOptions fromIt = quiet().model(c -> pretrained).build();
            try (TrainingRun tune = TrainingRun.start(config, settings(5), train, fromIt)) {
                // nothing re-initialised: the run starts where the checkpoint ended
                Map<String, float[]> atStart = weights(tune.model());
                assertEquals(loaded.keySet(), atStart.keySet());
                for (String name : loaded.keySet()) {
                    assertArrayEquals(loaded.get(name), atStart.get(name), name);
                }
                assertEquals(trained.mean(), tune.evaluate(heldOut).mean(), 1e-6);
                tune.trainToEnd();
                assertTrue(Float.isFinite((float) tune.evaluate(heldOut).mean()));
                assertTrue(
                        !java.util.Arrays.equals(
                                loaded.values().iterator().next(),
                                weights(tune.model()).values().iterator().next()),
                        "fine-tuning changed the weights");
            }
        }
    }
}
