package io.motdjl.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

class TokenSamplerTest {

    private static final float[] LOGITS = {
        (float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15), (float) Math.log(0.05)
    };

    private static boolean[] all(int n) {
        boolean[] allowed = new boolean[n];
        Arrays.fill(allowed, true);
        return allowed;
    }

    private static double[] frequencies(SamplingSettings settings, boolean[] allowed, int draws) {
        TokenSampler sampler = new TokenSampler(settings);
        SplittableRandom random = sampler.randomForRow(0);
        double[] counts = new double[LOGITS.length];
        for (int i = 0; i < draws; i++) {
            counts[sampler.sample(LOGITS, allowed, random)] += 1.0 / draws;
        }
        return counts;
    }

    @Test
    void greedyTakesTheLargestAllowedLogit() {
        TokenSampler greedy = new TokenSampler(SamplingSettings.greedy());
        assertEquals(0, greedy.sample(LOGITS, all(4), null));
        boolean[] notFirst = all(4);
        notFirst[0] = false;
        assertEquals(1, greedy.sample(LOGITS, notFirst, null));
        assertEquals(0, greedy.sample(new float[] {1f, 1f, 0f}, all(3), null), "ties: lowest id");
    }

    @Test
    void temperatureOneDrawsFromTheSoftmax() {
        double[] f = frequencies(SamplingSettings.sample(1.0, 3), all(4), 40_000);
        double[] expected = {0.5, 0.3, 0.15, 0.05};
        for (int t = 0; t < 4; t++) {
            assertEquals(expected[t], f[t], 0.012, "token " + t + ": " + Arrays.toString(f));
        }
    }

    @Test
    void temperatureSharpensAndFlattens() {
        double[] cold = frequencies(SamplingSettings.sample(0.25, 3), all(4), 20_000);
        double[] hot = frequencies(SamplingSettings.sample(4.0, 3), all(4), 20_000);
        // p ∝ p0^(1/T): at T = 0.25, 0.5^4 / (0.5^4 + 0.3^4 + ...) ≈ 0.876
        assertEquals(0.876, cold[0], 0.015);
        assertTrue(hot[3] > 0.15, "a hot draw reaches the unlikely token: " + Arrays.toString(hot));
    }

    @Test
    void topKAndTopPCutTheTail() {
        double[] k2 = frequencies(SamplingSettings.sample(1.0, 5).withTopK(2), all(4), 20_000);
        assertEquals(0.0, k2[2] + k2[3]);
        assertEquals(0.5 / 0.8, k2[0], 0.015);
        // nucleus 0.75: {0.5, 0.3} is the smallest set reaching it
        double[] p = frequencies(SamplingSettings.sample(1.0, 5).withTopP(0.75), all(4), 20_000);
        assertEquals(0.0, p[2] + p[3]);
        assertEquals(0.625, p[0], 0.015);
        double[] tiny = frequencies(SamplingSettings.sample(1.0, 5).withTopP(0.01), all(4), 1_000);
        assertEquals(1.0, tiny[0], 1e-9, "a tiny nucleus is greedy");
    }

    @Test
    void forbiddenTokensAreNeverDrawn() {
        boolean[] allowed = {false, true, false, true};
        double[] f = frequencies(SamplingSettings.sample(2.0, 9), allowed, 5_000);
        assertEquals(0.0, f[0] + f[2]);
        assertEquals(1.0, f[1] + f[3], 1e-9);
        TokenSampler sampler = new TokenSampler(SamplingSettings.sample(1, 0));
        IllegalStateException none =
                assertThrows(
                        IllegalStateException.class,
                        () -> sampler.sample(LOGITS, new boolean[4], sampler.randomForRow(0)));
        assertTrue(none.getMessage().contains("no token"), none.getMessage());
    }

    @Test
    void sameSeedSameDraws() {
        int[] a = draws(SamplingSettings.sample(1.0, 42), 0);
        assertArrayEquals(a, draws(SamplingSettings.sample(1.0, 42), 0));
        assertNotEquals(
                Arrays.toString(a), Arrays.toString(draws(SamplingSettings.sample(1.0, 43), 0)));
        assertNotEquals(
                Arrays.toString(a), Arrays.toString(draws(SamplingSettings.sample(1.0, 42), 1)));
    }

    private static int[] draws(SamplingSettings settings, int row) {
        TokenSampler sampler = new TokenSampler(settings);
        SplittableRandom random = sampler.randomForRow(row);
        int[] out = new int[64];
        for (int i = 0; i < out.length; i++) {
            out[i] = sampler.sample(LOGITS, all(4), random);
        }
        return out;
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SamplingSettings(-1, 0, 1, 0));
        assertThrows(
                IllegalArgumentException.class, () -> new SamplingSettings(Double.NaN, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingSettings(1, -1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingSettings(1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingSettings(1, 0, 1.5, 0));
        assertThrows(IllegalArgumentException.class, () -> GenerationSettings.greedy(0));
    }
}
