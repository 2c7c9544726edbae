package io.motdjl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class WarmupCosineTrackerTest {

    private static final WarmupCosineTracker SCHEDULE =
            WarmupCosineTracker.builder()
                    .setPeakValue(1.0)
                    .optFinalValue(0.1)
                    .optWarmupSteps(4)
                    .setTotalSteps(12)
                    .build();

    @Test
    void warmupIsLinearFromZeroToThePeak() {
        assertEquals(0.0, SCHEDULE.valueAt(0), 0.0);
        assertEquals(0.25, SCHEDULE.valueAt(1), 1e-12);
        assertEquals(0.5, SCHEDULE.valueAt(2), 1e-12);
        assertEquals(1.0, SCHEDULE.valueAt(4), 1e-12);
    }

    @Test
    void cosineDecaysToTheFloorAtTheTotalAndStaysThere() {
        // halfway through the decay (t = 8 of 4..12) the cosine term is 1/2
        assertEquals(0.1 + 0.9 * 0.5, SCHEDULE.valueAt(8), 1e-12);
        // a quarter of the way: (1 + cos(pi/4)) / 2
        assertEquals(0.1 + 0.9 * (1 + Math.cos(Math.PI / 4)) / 2, SCHEDULE.valueAt(6), 1e-12);
        assertEquals(0.1, SCHEDULE.valueAt(12), 1e-12);
        assertEquals(0.1, SCHEDULE.valueAt(1000), 0.0);
        assertEquals((float) SCHEDULE.valueAt(6), SCHEDULE.getNewValue(6), 0f);
        for (int t = 5; t <= 12; t++) {
            assertEquals(true, SCHEDULE.valueAt(t) < SCHEDULE.valueAt(t - 1), "decreasing at " + t);
        }
    }

    @Test
    void withoutWarmupTheFirstUpdateIsAlreadyOnTheCosine() {
        WarmupCosineTracker noWarmup =
                WarmupCosineTracker.builder().setPeakValue(2.0).setTotalSteps(4).build();
        assertEquals(2.0 * (1 + Math.cos(Math.PI / 4)) / 2, noWarmup.valueAt(1), 1e-12);
        assertEquals(0.0, noWarmup.valueAt(4), 0.0);
    }

    @Test
    void badSchedulesAreRejected() {
        assertThrows(
                IllegalArgumentException.class,
                () -> WarmupCosineTracker.builder().setTotalSteps(10).build());
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        WarmupCosineTracker.builder()
                                .setPeakValue(1)
                                .optWarmupSteps(11)
                                .setTotalSteps(10)
                                .build());
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        WarmupCosineTracker.builder()
                                .setPeakValue(1)
                                .optFinalValue(2)
                                .setTotalSteps(10)
                                .build());
    }
}
