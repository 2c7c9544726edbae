package io.motdjl.speech;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded speech-like test audio at 16 kHz: segments of voiced sound (a harmonic series shaped by
 * two formant bumps), hiss (differenced noise, like a fricative) and pauses, with short fades.
 */
final class SyntheticSpeech {

    static final int RATE = 16_000;

    private SyntheticSpeech() {}

    /** {@code count} utterances of about {@code seconds} each, from {@code seed}. */
    static List<float[]> utterances(int count, double seconds, long seed) {
        Random random = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(utterance(seconds, random));
        }
        return out;
    }

    /** A sum of harmonics of {@code f0} with amplitudes 1/h, {@code seconds} long, peak 0.5. */
    static float[] harmonic(double f0, int harmonics, double seconds) {
        float[] x = new float[(int) (seconds * RATE)];
        for (int i = 0; i < x.length; i++) {
            double s = 0;
            for (int h = 1; h <= harmonics; h++) {
                s += Math.sin(2 * Math.PI * f0 * h * i / RATE) / h;
            }
            x[i] = (float) s;
        }
        return scaleToPeak(x, 0.5f);
    }

    /** A pure tone. */
    static float[] sine(double hz, double amplitude, int samples) {
        float[] x = new float[samples];
        for (int i = 0; i < samples; i++) {
            x[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / RATE));
        }
        return x;
    }

    private static float[] utterance(double seconds, Random random) {
        float[] x = new float[(int) (seconds * RATE)];
        int pos = 0;
        while (pos < x.length) {
            int length =
                    Math.min(x.length - pos, (int) ((0.08 + 0.12 * random.nextDouble()) * RATE));
            int kind = random.nextInt(5);
            if (kind <= 2) {
                voiced(x, pos, length, random);
            } else if (kind == 3) {
                hiss(x, pos, length, random);
            } // else a pause
            pos += length;
        }
        return scaleToPeak(x, 0.7f);
    }

    private static void voiced(float[] x, int start, int length, Random random) {
        double f0 = 90 + 160 * random.nextDouble();
        double formant1 = 300 + 600 * random.nextDouble();
        double formant2 = 900 + 1600 * random.nextDouble();
        double phase = 0;
        for (int i = 0; i < length; i++) {
            phase += 2 * Math.PI * f0 / RATE;
            double s = 0;
            for (int h = 1; h * f0 < 4000; h++) {
                double f = h * f0;
                double gain = bump(f, formant1, 120) + 0.6 * bump(f, formant2, 200) + 0.05;
                s += gain * Math.sin(h * phase);
            }
            x[start + i] += (float) (0.3 * s * fade(i, length));
        }
    }

    private static void hiss(float[] x, int start, int length, Random random) {
        double previous = 0;
        double level = 0.1 + 0.2 * random.nextDouble();
        for (int i = 0; i < length; i++) {
            double noise = random.nextGaussian();
            x[start + i] += (float) (level * (noise - previous) * fade(i, length));
            previous = noise;
        }
    }

    private static double bump(double f, double centre, double width) {
        double d = (f - centre) / width;
        return Math.exp(-d * d);
    }

    /** 5 ms linear fades at both ends of a segment. */
    private static double fade(int i, int length) {
        int ramp = RATE / 200;
        return Math.min(1, Math.min((i + 1.0) / ramp, (double) (length - i) / ramp));
    }

    private static float[] scaleToPeak(float[] x, float peak) {
        float max = 0;
        for (float v : x) {
            max = Math.max(max, Math.abs(v));
        }
        if (max > 0) {
            for (int i = 0; i < x.length; i++) {
                x[i] *= peak / max;
            }
        }
        return x;
    }
}
