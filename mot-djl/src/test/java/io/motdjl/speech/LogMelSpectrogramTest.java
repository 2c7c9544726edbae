package io.motdjl.speech;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogMelSpectrogramTest {

    private static final LogMelSpectrogram FRONT_END =
            new LogMelSpectrogram(LogMelSpectrogram.Options.defaults());

    @Test
    void aOneKilohertzSinePeaksInTheMelBinAroundOneKilohertz() {
        float[][] frames = FRONT_END.compute(SyntheticSpeech.sine(1000, 0.5, 16_000));
        MelFilterbank filters = FRONT_END.filters();
        int nearest = 0;
        for (int m = 1; m < filters.mels(); m++) {
            if (Math.abs(filters.centreHz(m) - 1000) < Math.abs(filters.centreHz(nearest) - 1000)) {
                nearest = m;
            }
        }
        assertTrue(filters.lowerHz(nearest) < 1000 && 1000 < filters.upperHz(nearest));
        // frames whose window lies inside the signal (the edge frames also see its reflection)
        for (int t = 1; t < frames.length - 1; t++) {
            assertEquals(nearest, argmax(frames[t]), "frame " + t);
        }
    }

    @Test
    void centredFramesNumberFloorOfSamplesOverHopPlusOne() {
        assertEquals(25.0, FRONT_END.options().framesPerSecond());
        for (int n : new int[] {1, 639, 640, 641, 16_000, 16_001, 23_999}) {
            float[] x = SyntheticSpeech.sine(300, 0.1, n);
            assertEquals(n / 640 + 1, FRONT_END.frameCount(n));
            assertEquals(n / 640 + 1, FRONT_END.compute(x).length, n + " samples");
            assertEquals(80, FRONT_END.compute(x)[0].length);
        }
    }

    @Test
    void matchesANumpyReimplementationOfLibrosa() {
        // log(max(librosa.feature.melspectrogram(y, sr=16000, n_fft=1024, hop_length=640,
        // power=2, center=True, pad_mode="reflect", n_mels=80), 1e-5)), re-implemented in NumPy
        // (Slaney scale and norm, float64) on this signal
        int n = 5000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] =
                    (float)
                            (0.5 * Math.sin(2 * Math.PI * 440 * i / 16000.0)
                                    + 0.25 * Math.sin(2 * Math.PI * 3000 * i / 16000.0)
                                    + 0.01 * Math.sin(0.37 * i * i / 1000.0));
        }
        float[][] frames = FRONT_END.compute(x);
        assertEquals(8, frames.length);
        assertEquals(1.0342556055349261, frames[0][0], 1e-5);
        assertEquals(-3.7271184389418637, frames[3][9], 1e-5);
        assertEquals(5.013777757006412, frames[3][10], 1e-5);
        assertEquals(6.1752287532294545, frames[3][11], 1e-5);
        assertEquals(3.387033280067995, frames[3][54], 1e-5);
        assertEquals(-4.417759585107146, frames[7][79], 1e-5);
        assertEquals(Math.log(1e-5), frames[3][30], 1e-6);
    }

    @Test
    void silenceSitsAtTheLogFloorAndResultsRepeatExactly() {
        float[][] silent = FRONT_END.compute(new float[3000]);
        for (float[] frame : silent) {
            for (float v : frame) {
                assertEquals((float) Math.log(LogMelSpectrogram.LOG_FLOOR), v);
            }
        }
        float[] x = SyntheticSpeech.utterances(1, 1.0, 5).get(0);
        float[][] a = FRONT_END.compute(x);
        float[][] b = new LogMelSpectrogram(LogMelSpectrogram.Options.defaults()).compute(x);
        for (int t = 0; t < a.length; t++) {
            assertArrayEquals(a[t], b[t]);
        }
    }

    @Test
    void slaneyMelScaleIsLinearBelowOneKilohertz() {
        assertEquals(15.0, MelFilterbank.hzToMel(1000), 1e-12);
        assertEquals(7.5, MelFilterbank.hzToMel(500), 1e-12);
        assertEquals(15 + 27, MelFilterbank.hzToMel(6400), 1e-9);
        for (double hz : new double[] {0, 100, 999, 1000, 4321, 8000}) {
            assertEquals(hz, MelFilterbank.melToHz(MelFilterbank.hzToMel(hz)), 1e-9);
        }
        MelFilterbank filters = FRONT_END.filters();
        assertEquals(0, filters.lowerHz(0));
        assertEquals(8000, filters.upperHz(79), 1e-9);
        // area normalisation: a filter's weights sum to about (its width / bin spacing) * (2 /
        // width) * (1 / 2) = 1 / bin spacing
        double sum = 0;
        for (int k = 0; k < filters.bins(); k++) {
            sum += filters.weight(40, k);
        }
        assertEquals(1024 / 16000.0, sum, 0.1 * 1024 / 16000.0);
    }

    @Test
    void invertIsExactForAFlatSpectrum() {
        MelFilterbank filters = FRONT_END.filters();
        double[] power = new double[filters.bins()];
        java.util.Arrays.fill(power, 2.5);
        double[] mel = new double[filters.mels()];
        filters.apply(power, mel);
        double[] back = new double[filters.bins()];
        filters.invert(mel, back);
        for (int k = 1; k < filters.bins() - 1; k++) {
            assertEquals(2.5, back[k], 1e-9, "bin " + k);
        }
    }

    @Test
    void badOptionsAndInputAreRefused() {
        assertMessage(
                "nFft must be a power of two of at least 2, got 1000",
                () -> new LogMelSpectrogram.Options(16000, 1000, 640, 80, 0, 8000));
        assertMessage(
                "hop must lie in [1, nFft = 1024], got 0",
                () -> LogMelSpectrogram.Options.defaults().withHop(0));
        assertMessage(
                "the mel range must satisfy 0 <= fmin < fmax <= sampleRate / 2 = 8000.0, got"
                        + " fmin = 0.0, fmax = 9000.0",
                () -> LogMelSpectrogram.Options.defaults().withRange(0, 9000));
        IllegalArgumentException narrow =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new LogMelSpectrogram(
                                        new LogMelSpectrogram.Options(
                                                16000, 128, 64, 80, 0, 8000)));
        assertTrue(narrow.getMessage().contains("contains no FFT bin"), narrow.getMessage());
        assertMessage(
                "no audio samples: expected at least one", () -> FRONT_END.compute(new float[0]));
        assertMessage(
                "audio sample 2 is NaN; expected a finite value",
                () -> FRONT_END.compute(new float[] {0, 0, Float.NaN}));
    }

    private static void assertMessage(String expected, Runnable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertEquals(expected, e.getMessage());
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
