package io.motdjl.speech;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import java.util.Random;

class StftTest {

    @Test
    void reflectPaddingMirrorsWithoutRepeatingTheEdge() {
        // numpy.pad([0, 1, 2, 3, 4], 3, mode="reflect") = [3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1]
        int[] expected = {3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1};
        for (int i = -3; i < 8; i++) {
            assertEquals(expected[i + 3], Stft.reflect(i, 5), "position " + i);
        }
        assertEquals(0, Stft.reflect(-7, 1));
        // longer than the signal: reflected again
        assertEquals(1, Stft.reflect(-5, 3));
    }

    @Test
    void centredFramesCountAndInverseReconstructs() {
        Random random = new Random(4);
        for (int hop : new int[] {160, 256, 640}) {
            Stft stft = new Stft(1024, hop);
            for (int length : new int[] {1, 500, 3200, 16_001}) {
                float[] x = new float[length];
                for (int i = 0; i < length; i++) {
                    x[i] = (float) random.nextGaussian();
                }
                Stft.Spectra spectra = stft.forward(x);
                assertEquals(length / hop + 1, spectra.frames());
                assertEquals(513, spectra.re()[0].length);
                // each sample is the window-weighted mean of its frames' exact copies
                float[] y = stft.inverse(spectra, length);
                for (int i = 0; i < length; i++) {
                    assertEquals(x[i], y[i], 1e-4, "hop " + hop + ", sample " + i);
                }
            }
        }
    }

    @Test
    void hannIsPeriodic() {
        double[] w = Stft.hann(8);
        assertEquals(0, w[0], 0);
        assertEquals(1, w[4], 1e-15);
        assertEquals(w[1], w[7], 1e-15);
    }

    @Test
    void inverseRefusesAFrameCountThatDoesNotFitTheLength() {
        Stft stft = new Stft(1024, 160);
        Stft.Spectra spectra = stft.forward(new float[1600]);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> stft.inverse(spectra, 3200));
        assertEquals(
                "11 frames at hop 160 do not make a signal of 3200 samples (that needs 21"
                        + " frames)",
                e.getMessage());
    }
}
