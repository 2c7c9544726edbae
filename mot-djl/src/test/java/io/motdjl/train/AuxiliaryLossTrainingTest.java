package io.motdjl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.MoeConfig;
import io.motdjl.config.MoeRouting;
import io.motdjl.objective.NextTokenObjective;
import io.motdjl.objective.Objective;
import io.motdjl.objective.WithAuxiliaryLosses;

import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * A mixture of experts' auxiliary losses reach training or training refuses to start: a model that
 * reports them under an objective that would not add them is stopped before its first update.
 */
class AuxiliaryLossTrainingTest {

    private static MoTConfig moe(MoeRouting routing) {
        return TinyModels.config(2).moe(new MoeConfig(2, routing, 1, 1.0, List.of(0))).build();
    }

    private static RunOptions options(java.util.function.Function<MoTConfig, Objective> o) {
        return RunOptions.builder()
                .device(Device.cpu())
                .progressBar(false)
                .logEvery(0)
                .objective(o)
                .build();
    }

    private static TrainingSettings settings() {
        return TrainingSettings.builder()
                .seed(3)
                .batchSize(4)
                .totalSteps(4)
                .warmupSteps(1)
                .peakLearningRate(1e-2)
                .build();
    }

    @Test
    void anObjectiveThatWouldDropThemIsRefusedBeforeTheFirstUpdate() throws Exception {
        SyntheticSequences train = SyntheticSequences.create(16, 2);
        RunOptions bare = options(c -> new NextTokenObjective(c.nModalities()));
        try (TrainingRun run =
                TrainingRun.start(moe(MoeRouting.TOKEN_CHOICE), settings(), train, bare)) {
            float[] before =
                    run.model()
                            .vocabularyHead()
                            .getParameters()
                            .valueAt(0)
                            .getArray()
                            .toFloatArray();
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> run.train(1));
            assertTrue(e.getMessage().contains("auxiliary losses"), e.getMessage());
            assertTrue(e.getMessage().contains("load_balance"), e.getMessage());
            assertTrue(e.getMessage().contains("WithAuxiliaryLosses.forModel"), e.getMessage());
            assertEquals(0, run.step());
            assertArrayEquals(
                    before,
                    run.model()
                            .vocabularyHead()
                            .getParameters()
                            .valueAt(0)
                            .getArray()
                            .toFloatArray(),
                    "no update before the refusal");
        }
    }

    @Test
    void theDefaultAndTheWrappedObjectiveAddThem() throws Exception {
        SyntheticSequences train = SyntheticSequences.create(16, 2);
        MoTConfig config = moe(MoeRouting.TOKEN_CHOICE);
        assertTrue(RunOptions.defaultObjective(config).weighsAuxiliaryLosses());
        Objective bare = new NextTokenObjective(2);
        assertTrue(WithAuxiliaryLosses.forModel(bare, config).weighsAuxiliaryLosses());
        assertEquals(bare, WithAuxiliaryLosses.forModel(bare, TinyModels.config(2).build()));
        RunOptions wrapped =
                options(c -> WithAuxiliaryLosses.forModel(new NextTokenObjective(2), c));
        try (TrainingRun run = TrainingRun.start(config, settings(), train, wrapped)) {
            List<StepReport> steps = run.train(2);
            assertFalse(steps.get(1).auxiliaryLosses().isEmpty(), steps.get(1).toString());
        }
    }

    @Test
    void expertChoiceReportsNoneAndTrainsUnderAPlainObjective() throws Exception {
        SyntheticSequences train = SyntheticSequences.create(16, 2);
        RunOptions bare = options(c -> new NextTokenObjective(c.nModalities()));
        try (TrainingRun run =
                TrainingRun.start(moe(MoeRouting.EXPERT_CHOICE), settings(), train, bare)) {
            assertEquals(2, run.train(2).size());
        }
    }
}
