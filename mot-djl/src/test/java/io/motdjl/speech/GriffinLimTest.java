package io.motdjl.speech;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

class GriffinLimTest {

    private static final LogMelSpectrogram.Options FRONT_END = LogMelSpectrogram.Options.defaults();

    /** 220 Hz and four overtones at 1/h: the fundamental dominates. */
    private static final float[] HARMONIC = SyntheticSpeech.harmonic(220, 5, 1.0);

    @Test
    void moreIterationsConvergeBetter() {
        double[][] target = new Stft(1024, 160).forward(HARMONIC).magnitude();
        double one = convergence(target, 1);
        double many = convergence(target, 32);
        assertTrue(many < one, "32 iterations: " + many + ", 1 iteration: " + one);
        assertTrue(many < 0.2, "spectral convergence after 32 iterations: " + many);
        // random phases alone are far off
        assertTrue(convergence(target, 0) > 0.5);
    }

    @Test
    void theDominantFrequencySurvivesTheMelRoundTrip() {
        float[][] logMel = new LogMelSpectrogram(FRONT_END).compute(HARMONIC);
        GriffinLim vocoder = new GriffinLim(FRONT_END, GriffinLim.Options.defaults());
        float[] audio = vocoder.synthesize(logMel);
        double[][] spectrum = new Stft(1024, 160).forward(audio).magnitude();
        double[] mean = new double[spectrum[0].length];
        for (double[] frame : spectrum) {
            for (int k = 0; k < mean.length; k++) {
                mean[k] += frame[k];
            }
        }
        int peak = 0;
        for (int k = 1; k < mean.length; k++) {
            if (mean[k] > mean[peak]) {
                peak = k;
            }
        }
        double hz = peak * 16000.0 / 1024;
        // a mel band near 220 Hz is 37 Hz wide on each side; bins are 15.6 Hz apart
        assertEquals(220, hz, 40, "dominant frequency of the resynthesis");
    }

    @Test
    void outputHasTheFramesLengthAndPeakAndRepeatsForASeed() {
        float[][] logMel = new LogMelSpectrogram(FRONT_END).compute(HARMONIC);
        assertEquals(26, logMel.length);
        GriffinLim vocoder =
                new GriffinLim(FRONT_END, GriffinLim.Options.defaults().withIterations(4));
        float[] a = vocoder.synthesize(logMel);
        assertEquals(25 * 640 + 320, a.length);
        assertEquals(logMel.length, new LogMelSpectrogram(FRONT_END).frameCount(a.length));
        float peak = 0;
        for (float x : a) {
            peak = Math.max(peak, Math.abs(x));
        }
        assertEquals(GriffinLim.PEAK, peak, 1e-6);
        assertArrayEquals(a, vocoder.synthesize(logMel));
        float[] otherSeed =
                new GriffinLim(FRONT_END, vocoder.options().withSeed(1)).synthesize(logMel);
        assertFalse(Arrays.equals(a, otherSeed));
    }

    @Test
    void silenceStaysSilent() {
        float[][] floor = new LogMelSpectrogram(FRONT_END).compute(new float[6400]);
        float[] audio =
                new GriffinLim(FRONT_END, GriffinLim.Options.defaults().withIterations(2))
                        .synthesize(floor);
        for (float x : audio) {
            assertTrue(Math.abs(x) < SpeechUnitTokenizer.SILENCE_PEAK, "sample " + x);
        }
    }

    @Test
    void interpolationIsLinearInTheLogDomain() {
        GriffinLim vocoder = new GriffinLim(FRONT_END, GriffinLim.Options.defaults());
        float[][] logMel = new float[2][80];
        Arrays.fill(logMel[1], 4f);
        double[][] fine = vocoder.interpolate(logMel, 7);
        double[] expected = {0, 1, 2, 3, 4, 4, 4};
        for (int j = 0; j < expected.length; j++) {
            assertEquals(expected[j], fine[j][17], 1e-12, "frame " + j);
        }
    }

    @Test
    void badOptionsAndInputAreRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> GriffinLim.Options.defaults().withMomentum(1));
        assertThrows(
                IllegalArgumentException.class,
                () -> GriffinLim.Options.defaults().withIterations(-1));
        assertThrows(
                IllegalArgumentException.class,
                () -> new GriffinLim(FRONT_END, GriffinLim.Options.defaults().withHop(2048)));
        GriffinLim vocoder = new GriffinLim(FRONT_END, GriffinLim.Options.defaults());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> vocoder.synthesize(new float[0][]));
        assertEquals("no log-mel frames to synthesize", e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> vocoder.reconstruct(new double[3][513], 1600));
    }

    private static double convergence(double[][] target, int iterations) {
        GriffinLim vocoder =
                new GriffinLim(FRONT_END, GriffinLim.Options.defaults().withIterations(iterations));
        return vocoder.spectralConvergence(target, vocoder.reconstruct(target, HARMONIC.length));
    }
}
