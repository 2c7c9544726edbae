package io.motdjl.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import java.util.Random;

class DenoisingStepTest {

    private static final CosineSchedule SCHEDULE = CosineSchedule.standard();

    @Test
    void visitsEvenlySpreadTimestepsFromTheLast() {
        assertArrayEquals(new int[] {999, 666, 333, 0}, DenoisingStep.timesteps(SCHEDULE, 4));
        assertArrayEquals(new int[] {999}, DenoisingStep.timesteps(SCHEDULE, 1));
        assertEquals(250, DenoisingStep.timesteps(SCHEDULE, 250).length);
        assertEquals(1000, DenoisingStep.timesteps(SCHEDULE, 1000)[0] + 1);
        assertThrows(IllegalArgumentException.class, () -> DenoisingStep.timesteps(SCHEDULE, 1001));
    }

    @Test
    void theTrueNoiseTakesDeterministicStepsAlongTheSameSample() {
        Random random = new Random(4);
        int n = 32;
        float[] clean = new float[n];
        float[] noise = new float[n];
        for (int i = 0; i < n; i++) {
            clean[i] = (float) (random.nextDouble() * 1.6 - 0.8);
            noise[i] = (float) random.nextGaussian();
        }
        int t = 700;
        int previous = 300;
        float[] x = noised(clean, noise, t);
        DenoisingStep.apply(SCHEDULE, x, noise, t, previous, 0.0, 1.0, null);
        // DDIM with the exact noise moves x_t to x_prev of the same (x_0, ε)
        float[] want = noised(clean, noise, previous);
        for (int i = 0; i < n; i++) {
            assertEquals(want[i], x[i], 1e-5);
        }
        // and the step past the last timestep returns x_0
        DenoisingStep.apply(SCHEDULE, x, noise, previous, -1, 1.0, 1.0, noise);
        for (int i = 0; i < n; i++) {
            assertEquals(clean[i], x[i], 1e-4);
        }
    }

    @Test
    void ancestralStepsAddTheirVarianceAndClipTheCleanEstimate() {
        int t = 500;
        int previous = 250;
        float[] zeros = new float[1];
        float[] x = {0f};
        float[] fresh = {1f};
        DenoisingStep.apply(SCHEDULE, x, zeros, t, previous, 1.0, 1.0, fresh);
        double a = SCHEDULE.alphaBar(t);
        double ap = SCHEDULE.alphaBar(previous);
        double sigma = Math.sqrt((1 - ap) / (1 - a)) * Math.sqrt(1 - a / ap);
        // x_0 estimate 0, ε 0: only the fresh noise's σ remains
        assertEquals(sigma, x[0], 1e-6);
        // an estimate far outside [-1, 1] is clipped to 1 before the step
        float[] far = {(float) (5 * Math.sqrt(a))};
        DenoisingStep.apply(SCHEDULE, far, zeros, t, -1, 0.0, 1.0, null);
        assertEquals(1.0, far[0], 1e-6);
    }

    private static float[] noised(float[] clean, float[] noise, int t) {
        float[] out = new float[clean.length];
        for (int i = 0; i < out.length; i++) {
            out[i] =
                    (float)
                            (SCHEDULE.signalScale(t) * clean[i]
                                    + SCHEDULE.noiseScale(t) * noise[i]);
        }
        return out;
    }
}
