package io.motdjl.examples.speech;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SincResamplerTest {

    private static final int IN = 22_050;
    private static final int OUT = 16_000;

    /** {@code seconds} of a sine at {@code rate}. */
    private static float[] sine(double hz, double amplitude, int rate, double seconds) {
        float[] x = new float[(int) (rate * seconds)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return x;
    }

    /** The sine's power over the middle of {@code y} (away from the zero-padded ends). */
    private static double power(float[] y, int skip) {
        double sum = 0;
        for (int i = skip; i < y.length - skip; i++) {
            sum += (double) y[i] * y[i];
        }
        return sum / (y.length - 2 * skip);
    }

    /** SNR in dB of {@code y} against the same sine sampled at the output rate. */
    private static double snr(float[] y, double hz, double amplitude, int skip) {
        double signal = 0;
        double noise = 0;
        for (int i = skip; i < y.length - skip; i++) {
            double expected = amplitude * Math.sin(2 * Math.PI * hz * i / OUT);
            signal += expected * expected;
            noise += (y[i] - expected) * (y[i] - expected);
        }
        return 10 * Math.log10(signal / noise);
    }

    /** The frequency with the most power, by a DFT on a 1 Hz grid near {@code guess}. */
    private static double peakFrequency(float[] y, double guess, int skip) {
        double best = 0;
        double bestPower = -1;
        for (double f = guess - 50; f <= guess + 50; f += 1) {
            double re = 0;
            double im = 0;
            for (int i = skip; i < y.length - skip; i++) {
                re += y[i] * Math.cos(2 * Math.PI * f * i / OUT);
                im += y[i] * Math.sin(2 * Math.PI * f * i / OUT);
            }
            double p = re * re + im * im;
            if (p > bestPower) {
                bestPower = p;
                best = f;
            }
        }
        return best;
    }

    @Test
    void sineKeepsItsFrequencyPhaseAndLevel() {
        SincResampler resampler = new SincResampler(IN, OUT);
        float[] x = sine(1000, 0.5, IN, 1.0);
        float[] y = resampler.resample(x);
        assertEquals(16_000, y.length);
        assertEquals(resampler.outputLength(x.length), y.length);
        int skip = 32; // the filter reaches 16 input samples past each end
        assertEquals(1000, peakFrequency(y, 1000, skip), 0.5);
        double snr = snr(y, 1000, 0.5, skip);
        // measured: 96.1 dB (windowed sinc, 16 taps each side, taps normalised to sum 1)
        assertTrue(snr > 90, "SNR of a 1 kHz sine " + snr + " dB");
        // 5 kHz, still in the flat part of the pass band (cut-off 7,360 Hz): measured 64.7 dB
        double snr5k = snr(resampler.resample(sine(5000, 0.5, IN, 1.0)), 5000, 0.5, skip);
        assertTrue(snr5k > 60, "SNR of a 5 kHz sine " + snr5k + " dB");
    }

    @Test
    void toneAboveTheNewNyquistFrequencyIsRemoved() {
        SincResampler resampler = new SincResampler(IN, OUT);
        for (int hz : new int[] {8500, 9000, 10_000}) { // would alias to 7.5, 7 and 6 kHz
            float[] y = resampler.resample(sine(hz, 0.5, IN, 1.0));
            double attenuation = 10 * Math.log10(power(y, 32) / (0.5 * 0.5 / 2));
            // measured: -60.9, -51.1 and -63.5 dB
            assertTrue(
                    attenuation < -50, hz + " Hz tone attenuated by only " + attenuation + " dB");
        }
    }

    @Test
    void constantStaysConstant() {
        float[] x = new float[2000];
        java.util.Arrays.fill(x, 0.25f);
        float[] y = new SincResampler(IN, OUT).resample(x);
        for (int i = 32; i < y.length - 32; i++) {
            assertEquals(0.25f, y[i], 1e-6f, "sample " + i);
        }
    }

    @Test
    void equalRatesCopyAndOddRatesWork() {
        float[] x = sine(440, 0.3, OUT, 0.1);
        float[] same = new SincResampler(OUT, OUT).resample(x);
        assertArrayEquals(x, same);
        // up-sampling 16 kHz to 22,050 Hz and back keeps a 440 Hz tone
        float[] up = new SincResampler(OUT, IN).resample(sine(440, 0.3, OUT, 1.0));
        float[] back = new SincResampler(IN, OUT).resample(up);
        assertTrue(snr(back, 440, 0.3, 64) > 60, "round-trip SNR " + snr(back, 440, 0.3, 64));
        assertEquals(0, new SincResampler(IN, OUT).resample(new float[0]).length);
    }

    @Test
    void invalidRatesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SincResampler(0, OUT));
        assertThrows(IllegalArgumentException.class, () -> new SincResampler(IN, -1));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> new SincResampler(99_991, 100_003));
        assertTrue(e.getMessage().contains("filter phases"), e.getMessage());
    }
}
