package io.motdjl.speech;

import java.util.Arrays;

/**
 * Cuts the leading and trailing pauses off an utterance with a simple energy threshold. Both
 * engines pad a caption with about 0.35 s of silence or faint noise (flite's kal16 has a noise
 * floor about 50 dB below its loudest 10 ms, espeak-ng decays into exact zeros).
 *
 * <p>The audio is cut into blocks of {@value #BLOCK_MS} ms; a block is speech if its RMS is within
 * {@value #THRESHOLD_DB} dB of the loudest block's. The kept audio runs from the first speech block
 * to the end of the last, widened by {@value #MARGIN_MS} ms on each side (within the audio) so that
 * soft onsets and final fricatives ("dress") are not clipped. Pauses inside the utterance are kept.
 */
public final class SilenceTrimmer {

    /** Block length in milliseconds. */
    public static final int BLOCK_MS = 10;

    /** A block quieter than this, relative to the loudest block, is silence (in dB). */
    public static final int THRESHOLD_DB = -40;

    /** Audio kept before the first and after the last speech block, in milliseconds. */
    public static final int MARGIN_MS = 50;

    private SilenceTrimmer() {}

    /**
     * The part of {@code samples} from the first to the last speech block, with the margins.
     *
     * @param samples the audio
     * @param sampleRate its sample rate in Hz
     * @return a copy of the kept samples
     * @throws IllegalArgumentException if the audio is empty, all zero or not finite
     */
    public static float[] trim(float[] samples, int sampleRate) {
        int[] range = speechRange(samples, sampleRate);
        return Arrays.copyOfRange(samples, range[0], range[1]);
    }

    /**
     * Where {@link #trim} cuts.
     *
     * @return {@code {start, end}}: the first kept sample and one past the last
     */
    public static int[] speechRange(float[] samples, int sampleRate) {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate);
        }
        if (samples.length == 0) {
            throw new IllegalArgumentException("no audio to trim");
        }
        int block = Math.max(1, sampleRate * BLOCK_MS / 1000);
        int blocks = (samples.length + block - 1) / block;
        double[] energy = new double[blocks]; // mean square
        double loudest = 0;
        for (int b = 0; b < blocks; b++) {
            int from = b * block;
            int to = Math.min(samples.length, from + block);
            double sum = 0;
            for (int i = from; i < to; i++) {
                sum += (double) samples[i] * samples[i];
            }
            energy[b] = sum / (to - from);
            loudest = Math.max(loudest, energy[b]);
        }
        if (!Double.isFinite(loudest)) {
            throw new IllegalArgumentException("the audio has NaN or infinite samples");
        }
        if (!(loudest > 0)) {
            throw new IllegalArgumentException("the audio is silent (every sample is 0)");
        }
        double threshold = loudest * StrictMath.pow(10, THRESHOLD_DB / 10.0); // power ratio
        int first = 0;
        while (energy[first] < threshold) {
            first++;
        }
        int last = blocks - 1;
        while (energy[last] < threshold) {
            last--;
        }
        int margin = sampleRate * MARGIN_MS / 1000;
        int start = Math.max(0, first * block - margin);
        int end = Math.min(samples.length, (last + 1) * block + margin);
        return new int[] {start, end};
    }
}
