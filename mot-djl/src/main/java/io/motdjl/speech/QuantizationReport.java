package io.motdjl.speech;

import java.util.List;
import java.util.Objects;

/**
 * How well a {@link SpeechUnitTokenizer}'s units represent log-mel frames.
 *
 * @param utterances number of utterances measured
 * @param frames number of frames measured
 * @param meanSquaredError mean over frames and mel values of the squared difference between a frame
 *     and its unit's centroid, in squared log-mel units (nats²)
 * @param frameVariance mean over mel values of the frames' variance around their mean frame, in the
 *     same units: the error of a single unit placed at the mean
 * @param relativeError {@code meanSquaredError / frameVariance}, the fraction of the frames'
 *     variance the units leave unexplained (0 when the variance is 0)
 * @param unitsUsed number of distinct units the frames were assigned to
 * @param perplexity {@code exp} of the entropy (in nats) of the unit frequencies: the number of
 *     equally used units that would be as unpredictable; between 1 and {@code unitsUsed}
 */
public record QuantizationReport(
        int utterances,
        long frames,
        double meanSquaredError,
        double frameVariance,
        double relativeError,
        int unitsUsed,
        double perplexity) {

    /**
     * Measures {@code tokenizer} on recordings.
     *
     * @param tokenizer the tokenizer
     * @param utterances audio at the tokenizer's sample rate, none silent
     * @return the quantisation error of their frames
     */
    public static QuantizationReport measure(
            SpeechUnitTokenizer tokenizer, List<float[]> utterances) {
        LogMelSpectrogram frontEnd = new LogMelSpectrogram(tokenizer.frontEnd());
        return measureMel(
                tokenizer,
                utterances.stream()
                        .map(
                                samples -> {
                                    SpeechUnitTokenizer.requireAudible(samples);
                                    return frontEnd.compute(samples);
                                })
                        .toList());
    }

    /**
     * Measures {@code tokenizer} on log-mel frames computed with its front end.
     *
     * @param tokenizer the tokenizer
     * @param utterances each utterance's frames
     * @return the quantisation error of the frames
     */
    public static QuantizationReport measureMel(
            SpeechUnitTokenizer tokenizer, List<float[][]> utterances) {
        Objects.requireNonNull(tokenizer, "tokenizer");
        int mels = tokenizer.frontEnd().mels();
        long[] counts = new long[tokenizer.unitCount()];
        double[] sum = new double[mels];
        double[] sumSquares = new double[mels];
        double squaredError = 0;
        long frames = 0;
        for (float[][] utterance : utterances) {
            int[] units = tokenizer.encodeMel(utterance);
            for (int t = 0; t < units.length; t++) {
                counts[units[t]]++;
                squaredError += tokenizer.squaredDistance(utterance[t], units[t]);
                for (int m = 0; m < mels; m++) {
                    sum[m] += utterance[t][m];
                    sumSquares[m] += (double) utterance[t][m] * utterance[t][m];
                }
            }
            frames += units.length;
        }
        if (frames == 0) {
            throw new IllegalArgumentException("no frames to measure quantisation error on");
        }
        double variance = 0;
        for (int m = 0; m < mels; m++) {
            double mean = sum[m] / frames;
            variance += Math.max(0, sumSquares[m] / frames - mean * mean);
        }
        variance /= mels;
        double mse = squaredError / ((double) frames * mels);
        int used = 0;
        double entropy = 0;
        for (long c : counts) {
            if (c > 0) {
                used++;
                double p = (double) c / frames;
                entropy -= p * Math.log(p);
            }
        }
        return new QuantizationReport(
                utterances.size(),
                frames,
                mse,
                variance,
                variance > 0 ? mse / variance : 0,
                used,
                Math.exp(entropy));
    }

    @Override
    public String toString() {
        return String.format(
                "%d utterances, %d frames: MSE %.4f (%.1f %% of the frames' variance %.3f),"
                        + " %d units used, perplexity %.1f",
                utterances,
                frames,
                meanSquaredError,
                100 * relativeError,
                frameVariance,
                unitsUsed,
                perplexity);
    }
}
