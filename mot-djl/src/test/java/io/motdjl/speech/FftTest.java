package io.motdjl.speech;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Random;

class FftTest {

    @Test
    void matchesANaiveDftOnRandomInput() {
        Random random = new Random(1);
        for (int size : new int[] {1, 2, 4, 8, 64, 1024}) {
            double[] re = new double[size];
            double[] im = new double[size];
            for (int i = 0; i < size; i++) {
                re[i] = 2 * random.nextDouble() - 1;
                im[i] = 2 * random.nextDouble() - 1;
            }
            double[][] expected = naiveDft(re, im);
            new Fft(size).forward(re, im);
            for (int k = 0; k < size; k++) {
                assertEquals(expected[0][k], re[k], 1e-4, "size " + size + ", re[" + k + "]");
                assertEquals(expected[1][k], im[k], 1e-4, "size " + size + ", im[" + k + "]");
            }
        }
    }

    @Test
    void inverseUndoesForward() {
        Random random = new Random(2);
        double[] re = new double[512];
        double[] im = new double[512];
        for (int i = 0; i < re.length; i++) {
            re[i] = random.nextGaussian();
        }
        double[] original = re.clone();
        Fft fft = new Fft(512);
        fft.forward(re, im);
        fft.inverse(re, im);
        for (int i = 0; i < re.length; i++) {
            assertEquals(original[i], re[i], 1e-12);
            assertEquals(0, im[i], 1e-12);
        }
    }

    @Test
    void aCosineLandsInItsTwoBins() {
        int n = 1024;
        double[] re = new double[n];
        double[] im = new double[n];
        for (int i = 0; i < n; i++) {
            re[i] = Math.cos(2 * Math.PI * 64 * i / n);
        }
        new Fft(n).forward(re, im);
        assertEquals(n / 2.0, re[64], 1e-9);
        assertEquals(n / 2.0, re[n - 64], 1e-9);
        assertEquals(0, Math.abs(re[65]) + Math.abs(im[65]), 1e-9);
    }

    @Test
    void refusesSizesThatAreNotPowersOfTwo() {
        for (int size : new int[] {0, 3, 1000, -8}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> new Fft(size));
            assertTrue(e.getMessage().contains("power of two"), e.getMessage());
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> new Fft(8).forward(new double[8], new double[4]));
    }

    private static double[][] naiveDft(double[] re, double[] im) {
        int n = re.length;
        double[][] out = new double[2][n];
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < n; j++) {
                double angle = -2 * Math.PI * ((long) j * k % n) / n;
                out[0][k] += re[j] * Math.cos(angle) - im[j] * Math.sin(angle);
                out[1][k] += re[j] * Math.sin(angle) + im[j] * Math.cos(angle);
            }
        }
        return out;
    }
}
