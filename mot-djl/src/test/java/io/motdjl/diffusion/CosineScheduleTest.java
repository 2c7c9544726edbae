package io.motdjl.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CosineScheduleTest {

    private static double f(double u) {
        double c = Math.cos((u / 1000 + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    @Test
    void followsTheClosedFormUntilTheClip() {
        CosineSchedule s = CosineSchedule.standard();
        assertEquals(1000, s.timesteps());
        for (int t = 0; t < 990; t++) {
            // no β is clipped this early: ᾱ(t) is exactly f(t+1) / f(0)
            assertEquals(f(t + 1) / f(0), s.alphaBar(t), 1e-12, "t=" + t);
            assertEquals(1 - s.alphaBar(t) / (t == 0 ? 1 : s.alphaBar(t - 1)), s.beta(t), 1e-12);
        }
        for (int t = 1; t < 1000; t++) {
            assertTrue(s.alphaBar(t) < s.alphaBar(t - 1), "decreasing at " + t);
            assertTrue(s.beta(t) <= 0.999 && s.beta(t) > 0);
        }
        assertTrue(s.alphaBar(0) > 0.9999, "t=0 is almost clean: " + s.alphaBar(0));
        assertTrue(s.alphaBar(999) < 1e-6, "t=T-1 is almost pure noise: " + s.alphaBar(999));
        assertEquals(0.999, s.beta(999), 1e-12, "the last step is clipped");
        assertEquals(1.0, Math.pow(s.signalScale(500), 2) + Math.pow(s.noiseScale(500), 2), 1e-12);
    }

    @Test
    void timestepsOutsideTheScheduleAreRefusedByValue() {
        CosineSchedule s = new CosineSchedule(10);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> s.alphaBar(10));
        assertEquals("timestep 10 is outside the schedule's [0, 10)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.beta(-1));
        assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(0));
    }
}
