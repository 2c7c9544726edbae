package io.motdjl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrainingSettingsTest {

    @Test
    void settingsRoundTripThroughJson() {
        TrainingSettings s =
                TrainingSettings.builder()
                        .seed(3)
                        .batchSize(4)
                        .totalSteps(50)
                        .warmupSteps(5)
                        .build();
        assertEquals(s, TrainingSettings.fromJson(s.toJson()));
        assertEquals(
                1e-4, s.finalLearningRate(), 1e-18, "the floor defaults to a tenth of the peak");
        TrainingSettings unclipped = s.toBuilder().maxGradNorm(Double.POSITIVE_INFINITY).build();
        assertEquals(unclipped, TrainingSettings.fromJson(unclipped.toJson()));
    }

    @Test
    void badSettingsAreRejectedWithEveryReason() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TrainingSettings.builder().batchSize(0).warmupSteps(2000).build());
        assertTrue(e.getMessage().contains("batch_size"), e.getMessage());
        assertTrue(e.getMessage().contains("warmup_steps"), e.getMessage());
    }
}
