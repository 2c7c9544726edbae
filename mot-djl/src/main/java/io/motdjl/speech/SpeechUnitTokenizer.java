package io.motdjl.speech;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Speech as discrete units: audio to {@link LogMelSpectrogram log-mel frames} (25 per second with
 * the default front end, one per 40 ms), each frame replaced by the index of the nearest of K
 * learned centroids (vector quantisation with k-means, squared Euclidean distance, the lowest unit
 * winning a tie). {@link #decodeMel(int[])} maps units back to their centroid frames, which {@link
 * GriffinLim} turns into audio.
 *
 * <p>Train one with {@link SpeechUnitTrainer}; save and load it with {@link #save(Path)} and {@link
 * #load(Path)} (a JSON file holding the front end's parameters and the centroids, bit-exact).
 */
public final class SpeechUnitTokenizer {

    /**
     * Audio whose largest absolute sample is below this is silent and refused by {@link
     * #encode(float[])}: about 3 steps of 16-bit PCM, -80 dB below full scale.
     */
    public static final double SILENCE_PEAK = 1e-4;

    /** The most units a tokenizer may have. */
    public static final int MAX_UNITS = 65_536;

    private final LogMelSpectrogram frontEnd;
    private final int units;

    /** {@code units * mels} floats, centroid after centroid. */
    private final float[] centroids;

    /**
     * A tokenizer from centroids.
     *
     * @param frontEnd the front end the centroids were learned with
     * @param centroids {@code K * mels} finite floats, centroid after centroid (copied)
     */
    public SpeechUnitTokenizer(LogMelSpectrogram.Options frontEnd, float[] centroids) {
        this.frontEnd = new LogMelSpectrogram(Objects.requireNonNull(frontEnd, "frontEnd"));
        int mels = frontEnd.mels();
        if (centroids.length == 0 || centroids.length % mels != 0) {
            throw new IllegalArgumentException(
                    "centroids of "
                            + mels
                            + " mels need a positive multiple of "
                            + mels
                            + " floats, got "
                            + centroids.length);
        }
        this.units = centroids.length / mels;
        if (units > MAX_UNITS) {
            throw new IllegalArgumentException(
                    units + " units is more than the limit of " + MAX_UNITS);
        }
        for (int i = 0; i < centroids.length; i++) {
            if (!Float.isFinite(centroids[i])) {
                throw new IllegalArgumentException(
                        "centroid "
                                + i / mels
                                + " value "
                                + i % mels
                                + " is "
                                + centroids[i]
                                + "; expected a finite log-mel value");
            }
        }
        this.centroids = centroids.clone();
    }

    /**
     * Loads a tokenizer saved by {@link #save(Path)}, validating every field.
     *
     * @param file the JSON file
     * @return the tokenizer
     * @throws io.motdjl.tokenize.TokenizerFormatException if the file is not a valid speech unit
     *     tokenizer
     * @throws IOException if reading fails
     */
    public static SpeechUnitTokenizer load(Path file) throws IOException {
        return SpeechUnitTokenizerFile.read(file);
    }

    /** The front end's parameters. */
    public LogMelSpectrogram.Options frontEnd() {
        return frontEnd.options();
    }

    /** Number of units K. */
    public int unitCount() {
        return units;
    }

    /** Units per second of audio (the front end's frame rate, 25 by default). */
    public double unitsPerSecond() {
        return frontEnd.options().framesPerSecond();
    }

    /** The centroid log-mel frame of {@code unit}. */
    public float[] centroid(int unit) {
        Objects.checkIndex(unit, units);
        int mels = frontEnd.options().mels();
        return Arrays.copyOfRange(centroids, unit * mels, (unit + 1) * mels);
    }

    /** All centroids: {@code K * mels} floats, centroid after centroid. */
    public float[] centroids() {
        return centroids.clone();
    }

    /**
     * The units of a recording: one per front-end frame, {@code floor(n / hop) + 1} for {@code n}
     * samples.
     *
     * @param samples audio at the front end's sample rate, nominally in {@code [-1, 1]}
     * @return unit ids in {@code [0, K)}
     * @throws IllegalArgumentException if the audio is empty, not finite or silent (peak below
     *     {@link #SILENCE_PEAK})
     */
    public int[] encode(float[] samples) {
        requireAudible(samples);
        return encodeMel(frontEnd.compute(samples));
    }

    /**
     * The units of a 16-bit mono PCM WAV file, which must be at the front end's sample rate.
     *
     * @param wavFile the recording
     * @return unit ids in {@code [0, K)}
     * @throws WavFormatException if the file is not 16-bit mono PCM WAV at the front end's rate
     * @throws IOException if reading fails
     */
    public int[] encode(Path wavFile) throws IOException {
        return encode(WavFile.read(wavFile, frontEnd.options().sampleRate()));
    }

    /**
     * The units of a recorded utterance: its leading and trailing pauses cut ({@link
     * SilenceTrimmer}, as the bundled corpus's were before its units were learned), then {@link
     * #encode(float[])}. Pauses would otherwise become units the model never saw at the ends of an
     * utterance.
     *
     * @param samples audio at the front end's sample rate, nominally in {@code [-1, 1]}
     * @return unit ids in {@code [0, K)}
     * @throws IllegalArgumentException if the audio is empty, not finite or silent
     */
    public int[] encodeUtterance(float[] samples) {
        requireAudible(samples);
        return encode(SilenceTrimmer.trim(samples, frontEnd.options().sampleRate()));
    }

    /**
     * The units of log-mel frames computed by this tokenizer's front end.
     *
     * @param logMel frames of {@code mels} values
     * @return the nearest unit of each frame
     */
    public int[] encodeMel(float[][] logMel) {
        int mels = frontEnd.options().mels();
        int[] ids = new int[logMel.length];
        for (int t = 0; t < logMel.length; t++) {
            if (logMel[t].length != mels) {
                throw new IllegalArgumentException(
                        "frame " + t + " has " + logMel[t].length + " values, expected " + mels);
            }
            ids[t] = nearest(logMel[t]);
        }
        return ids;
    }

    /**
     * The centroid frames of {@code units}, ready for {@link GriffinLim#synthesize(float[][])}.
     *
     * @param units unit ids in {@code [0, K)}
     * @return one log-mel frame per unit
     */
    public float[][] decodeMel(int[] units) {
        Objects.requireNonNull(units, "units");
        float[][] frames = new float[units.length][];
        for (int t = 0; t < units.length; t++) {
            if (units[t] < 0 || units[t] >= this.units) {
                throw new IllegalArgumentException(
                        "unit "
                                + units[t]
                                + " at position "
                                + t
                                + " is outside [0, "
                                + this.units
                                + ")");
            }
            frames[t] = centroid(units[t]);
        }
        return frames;
    }

    /**
     * Saves the tokenizer as JSON (written to a temporary file, then moved into place).
     *
     * @param file the destination
     * @throws IOException if writing fails
     */
    public void save(Path file) throws IOException {
        SpeechUnitTokenizerFile.write(this, file);
    }

    /** Squared Euclidean distance from {@code frame} to the centroid of {@code unit}. */
    double squaredDistance(float[] frame, int unit) {
        int base = unit * frame.length;
        double d = 0;
        for (int j = 0; j < frame.length; j++) {
            double diff = frame[j] - centroids[base + j];
            d += diff * diff;
        }
        return d;
    }

    /** The centroid nearest to {@code frame}; the lowest index wins a tie. */
    int nearest(float[] frame) {
        int mels = frame.length;
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int c = 0; c < units; c++) {
            int base = c * mels;
            double d = 0;
            // partial sums only grow: stop once this centroid can no longer win
            for (int j = 0; j < mels && d < bestDistance; j++) {
                double diff = frame[j] - centroids[base + j];
                d += diff * diff;
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }

    /** Refuses empty, non-finite or silent audio with a message saying which. */
    static void requireAudible(float[] samples) {
        LogMelSpectrogram.checkSamples(samples);
        double peak = 0;
        for (float x : samples) {
            peak = Math.max(peak, Math.abs(x));
        }
        if (peak < SILENCE_PEAK) {
            throw new IllegalArgumentException(
                    "the audio is silent: its peak |sample| is "
                            + peak
                            + ", below "
                            + SILENCE_PEAK
                            + "; expected speech");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpeechUnitTokenizer t
                && t.frontEnd.options().equals(frontEnd.options())
                && Arrays.equals(t.centroids, centroids);
    }

    @Override
    public int hashCode() {
        return 31 * frontEnd.options().hashCode() + Arrays.hashCode(centroids);
    }

    @Override
    public String toString() {
        return "SpeechUnitTokenizer["
                + units
                + " units, "
                + frontEnd.options().mels()
                + " mels at "
                + frontEnd.options().framesPerSecond()
                + " frames/s]";
    }
}
