package io.motdjl.speech;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Random;

class SilenceTrimmerTest {

    private static final int RATE = 16_000;

    /** 0.3 s of quiet noise, 0.5 s of a tone, a 0.1 s pause, 0.2 s of tone, 0.4 s of noise. */
    private static float[] utterance(double noiseDb) {
        float[] x = new float[(int) (1.5 * RATE)];
        Random random = new Random(1);
        double noise = 0.5 * Math.pow(10, noiseDb / 20);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (noise * random.nextGaussian());
        }
        tone(x, 4800, 12_800);
        tone(x, 14_400, 17_600);
        return x;
    }

    private static void tone(float[] x, int from, int to) {
        for (int i = from; i < to; i++) {
            x[i] += (float) (0.5 * Math.sin(2 * Math.PI * 300 * i / RATE));
        }
    }

    @Test
    void cutsQuietEndsAndKeepsMarginsAndInnerPauses() {
        // noise 50 dB under the tone (flite kal16's floor) is cut; the tone starts at 4,800
        int[] range = SilenceTrimmer.speechRange(utterance(-50), RATE);
        assertEquals(4800 - 800, range[0]); // 50 ms margin
        assertEquals(17_600 + 800, range[1]);
        float[] trimmed = SilenceTrimmer.trim(utterance(-50), RATE);
        assertEquals(17_600 + 800 - 4000, trimmed.length);
        assertEquals(utterance(-50)[4000], trimmed[0]);
    }

    @Test
    void louderNoiseCountsAsSpeech() {
        // noise only 30 dB under the tone is above the -40 dB threshold: nothing is cut
        int[] range = SilenceTrimmer.speechRange(utterance(-30), RATE);
        assertArrayEquals(new int[] {0, (int) (1.5 * RATE)}, range);
    }

    @Test
    void marginsStopAtTheEnds() {
        float[] x = new float[3200];
        tone(x, 0, 3200);
        assertEquals(3200, SilenceTrimmer.trim(x, RATE).length);
    }

    @Test
    void silentOrInvalidAudioIsRefused() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> SilenceTrimmer.trim(new float[1000], RATE));
        assertTrue(e.getMessage().contains("silent"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SilenceTrimmer.trim(new float[0], RATE));
        assertThrows(
                IllegalArgumentException.class,
                () -> SilenceTrimmer.trim(new float[] {0, Float.NaN}, RATE));
        assertThrows(IllegalArgumentException.class, () -> SilenceTrimmer.trim(new float[4], 0));
    }
}
