package io.motdjl.speech;

import java.util.Objects;
import java.util.Random;

/**
 * A rough vocoder for listening to speech units: log-mel frames back to audio by Griffin-Lim phase
 * reconstruction. It is intelligible-ish, not natural; it exists to hear what the units keep.
 *
 * <ol>
 *   <li>the log-mel frames (25 Hz with the default front end) are interpolated linearly in the log
 *       domain to the vocoder's hop (160 samples, 100 Hz, by default): a 40 ms hop with a 64 ms
 *       window overlaps too little for phase reconstruction;
 *   <li>{@code exp} (values at the {@link LogMelSpectrogram#LOG_FLOOR floor} become 0), then mel to
 *       linear power by the filterbank's non-negative transpose inverse (each bin the weighted mean
 *       of the power densities of the bands covering it), then the square root: a magnitude
 *       spectrogram;
 *   <li>fast Griffin-Lim (Perraudin, Balazs and Søndergaard 2013; librosa's {@code griffinlim}):
 *       from seeded random phases, alternately the inverse STFT (overlap-add, window-sum
 *       normalised) and the STFT with the target magnitudes put back, with momentum;
 *   <li>peak normalisation to {@link #PEAK} (the reconstruction is roughly at the level of the
 *       audio the frames came from; silence is left silent).
 * </ol>
 *
 * <p>Same input, options and seed, same samples on every JVM.
 */
public final class GriffinLim {

    /** The largest absolute sample of {@link #synthesize(float[][])}'s output. */
    public static final float PEAK = 0.9f;

    /**
     * Log-mel values this close to {@code ln(LOG_FLOOR)} are taken as no energy at all: the floor
     * stands for "this quiet or quieter", and digital silence should come back as silence rather
     * than as noise at the floor's level (white noise of about -64 dBFS RMS).
     */
    private static final double FLOOR_LOG = StrictMath.log(LogMelSpectrogram.LOG_FLOOR) + 1e-6;

    /** Keeps the phase defined where a bin's magnitude is 0. */
    private static final double EPSILON = 1e-16;

    private final LogMelSpectrogram.Options frontEnd;
    private final Options options;
    private final Stft stft;
    private final MelFilterbank filters;

    /**
     * A vocoder for frames of {@code frontEnd}.
     *
     * @param frontEnd the front end that computed (or whose units stand for) the log-mel frames;
     *     the vocoder uses its sample rate, FFT length and mel filters
     * @param options iterations, hop, momentum and seed
     */
    public GriffinLim(LogMelSpectrogram.Options frontEnd, Options options) {
        this.frontEnd = Objects.requireNonNull(frontEnd, "frontEnd");
        this.options = Objects.requireNonNull(options, "options");
        if (options.hop() > frontEnd.nFft()) {
            throw new IllegalArgumentException(
                    "the vocoder's hop "
                            + options.hop()
                            + " exceeds the FFT length "
                            + frontEnd.nFft());
        }
        this.stft = new Stft(frontEnd.nFft(), options.hop());
        this.filters = new LogMelSpectrogram(frontEnd).filters();
    }

    /** The vocoder's options. */
    public Options options() {
        return options;
    }

    /**
     * Audio for log-mel frames.
     *
     * @param logMel frames of the front end's mels, one per front-end hop (e.g. {@link
     *     SpeechUnitTokenizer#decodeMel(int[])})
     * @return {@link #length(int) length(frames)} samples at the front end's sample rate, scaled to
     *     peak {@link #PEAK} unless quieter than {@link SpeechUnitTokenizer#SILENCE_PEAK} (silence
     *     stays silence rather than becoming loud noise)
     */
    public float[] synthesize(float[][] logMel) {
        Objects.requireNonNull(logMel, "logMel");
        if (logMel.length == 0) {
            throw new IllegalArgumentException("no log-mel frames to synthesize");
        }
        int length = length(logMel.length);
        double[][] magnitude = magnitude(interpolate(logMel, stft.frameCount(length)));
        return peakNormalise(reconstruct(magnitude, length));
    }

    /**
     * The number of samples synthesized for {@code frames} front-end frames: {@code (frames - 1) ×
     * hop + hop / 2}, the middle of the lengths that have exactly that many centred frames, so that
     * the front end gives the same number of frames back and the duration is within half a hop (20
     * ms by default) of the original's.
     */
    public int length(int frames) {
        if (frames < 1) {
            throw new IllegalArgumentException("expected at least one frame, got " + frames);
        }
        long length = (long) (frames - 1) * frontEnd.hop() + frontEnd.hop() / 2;
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(frames + " frames are too many to synthesize");
        }
        return (int) Math.max(1, length);
    }

    /**
     * Griffin-Lim on a linear magnitude spectrogram: a signal whose STFT (this vocoder's hop, the
     * front end's FFT length, centred Hann frames) has magnitudes close to {@code magnitude}.
     *
     * @param magnitude {@code [frame][nFft / 2 + 1]} non-negative magnitudes, as many frames as
     *     {@code floor(length / hop) + 1}
     * @param length samples to return
     * @return the signal, not normalised
     */
    public float[] reconstruct(double[][] magnitude, int length) {
        if (length < 1 || magnitude.length != stft.frameCount(length)) {
            throw new IllegalArgumentException(
                    magnitude.length
                            + " frames do not fit "
                            + length
                            + " samples at hop "
                            + stft.hop()
                            + " (expected floor(length / hop) + 1 frames and length >= 1)");
        }
        int frames = magnitude.length;
        int bins = stft.bins();
        // java.util.Random's sequence is fixed by the Java specification
        Random random = new Random(options.seed());
        // unit phasors, updated in place; the first are random
        double[][] phaseRe = new double[frames][bins];
        double[][] phaseIm = new double[frames][bins];
        for (int t = 0; t < frames; t++) {
            if (magnitude[t].length != bins) {
                throw new IllegalArgumentException(
                        "frame " + t + " has " + magnitude[t].length + " bins, expected " + bins);
            }
            for (int k = 0; k < bins; k++) {
                double angle = 2 * StrictMath.PI * random.nextDouble();
                phaseRe[t][k] = StrictMath.cos(angle);
                phaseIm[t][k] = StrictMath.sin(angle);
            }
        }
        double momentum = options.momentum() / (1 + options.momentum());
        Stft.Spectra previous = null;
        for (int iteration = 0; iteration < options.iterations(); iteration++) {
            Stft.Spectra rebuilt =
                    stft.forward(stft.inverse(apply(magnitude, phaseRe, phaseIm), length));
            for (int t = 0; t < frames; t++) {
                for (int k = 0; k < bins; k++) {
                    double re = rebuilt.re()[t][k];
                    double im = rebuilt.im()[t][k];
                    if (previous != null) {
                        // momentum: step further along the change since the last iteration
                        re -= momentum * previous.re()[t][k];
                        im -= momentum * previous.im()[t][k];
                    }
                    double norm = Math.sqrt(re * re + im * im) + EPSILON;
                    phaseRe[t][k] = re / norm;
                    phaseIm[t][k] = im / norm;
                }
            }
            previous = rebuilt;
        }
        return stft.inverse(apply(magnitude, phaseRe, phaseIm), length);
    }

    /**
     * Spectral convergence {@code ‖S − |STFT(x)|‖ / ‖S‖} (Frobenius norms): how far the magnitudes
     * of {@code samples}' STFT at this vocoder's hop are from {@code magnitude}; 0 is exact.
     *
     * @param magnitude the target, {@code [frame][nFft / 2 + 1]}
     * @param samples a signal of {@code (frames - 1) × hop} to {@code frames × hop - 1} samples
     * @return the relative error
     */
    public double spectralConvergence(double[][] magnitude, float[] samples) {
        double[][] actual = stft.forward(samples).magnitude();
        if (actual.length != magnitude.length) {
            throw new IllegalArgumentException(
                    samples.length
                            + " samples give "
                            + actual.length
                            + " frames, the target has "
                            + magnitude.length);
        }
        double error = 0;
        double total = 0;
        for (int t = 0; t < actual.length; t++) {
            for (int k = 0; k < actual[t].length; k++) {
                double diff = magnitude[t][k] - actual[t][k];
                error += diff * diff;
                total += magnitude[t][k] * magnitude[t][k];
            }
        }
        return total > 0 ? Math.sqrt(error / total) : Math.sqrt(error);
    }

    /**
     * The magnitude spectrogram at this vocoder's hop that {@link #synthesize(float[][])} would
     * reconstruct for {@code logMel}.
     *
     * @param logMel front-end frames
     * @return {@code [frame][nFft / 2 + 1]} magnitudes for {@link #length(int)} samples
     */
    public double[][] targetMagnitude(float[][] logMel) {
        int length = length(logMel.length);
        return magnitude(interpolate(logMel, stft.frameCount(length)));
    }

    /**
     * Log-mel frames at this vocoder's hop: frame {@code j} lies at front-end frame position {@code
     * j · hop / frontEndHop}, interpolated linearly between its neighbours (in the log domain, so
     * geometrically in power), the last frame held beyond the end.
     */
    double[][] interpolate(float[][] logMel, int frames) {
        int mels = frontEnd.mels();
        double[][] out = new double[frames][mels];
        for (int j = 0; j < frames; j++) {
            double position = (double) j * options.hop() / frontEnd.hop();
            int left = Math.min((int) position, logMel.length - 1);
            int right = Math.min(left + 1, logMel.length - 1);
            double fraction = Math.min(1, position - left);
            if (logMel[left].length != mels || logMel[right].length != mels) {
                throw new IllegalArgumentException(
                        "a log-mel frame has the wrong length; expected " + mels + " values");
            }
            for (int m = 0; m < mels; m++) {
                out[j][m] = (1 - fraction) * logMel[left][m] + fraction * logMel[right][m];
            }
        }
        return out;
    }

    /** Log-mel frames to linear magnitudes. */
    private double[][] magnitude(double[][] logMel) {
        double[][] magnitude = new double[logMel.length][stft.bins()];
        double[] mel = new double[frontEnd.mels()];
        for (int t = 0; t < logMel.length; t++) {
            for (int m = 0; m < mel.length; m++) {
                mel[m] = logMel[t][m] <= FLOOR_LOG ? 0 : StrictMath.exp(logMel[t][m]);
            }
            filters.invert(mel, magnitude[t]);
            for (int k = 0; k < magnitude[t].length; k++) {
                magnitude[t][k] = Math.sqrt(magnitude[t][k]);
            }
        }
        return magnitude;
    }

    private static Stft.Spectra apply(
            double[][] magnitude, double[][] phaseRe, double[][] phaseIm) {
        double[][] re = new double[magnitude.length][];
        double[][] im = new double[magnitude.length][];
        for (int t = 0; t < magnitude.length; t++) {
            re[t] = new double[magnitude[t].length];
            im[t] = new double[magnitude[t].length];
            for (int k = 0; k < magnitude[t].length; k++) {
                re[t][k] = magnitude[t][k] * phaseRe[t][k];
                im[t][k] = magnitude[t][k] * phaseIm[t][k];
            }
        }
        return new Stft.Spectra(re, im);
    }

    private static float[] peakNormalise(float[] samples) {
        float peak = 0;
        for (float x : samples) {
            peak = Math.max(peak, Math.abs(x));
        }
        if (peak < SpeechUnitTokenizer.SILENCE_PEAK) {
            return samples;
        }
        float scale = PEAK / peak;
        for (int i = 0; i < samples.length; i++) {
            samples[i] *= scale;
        }
        return samples;
    }

    /**
     * Vocoder options.
     *
     * @param iterations Griffin-Lim iterations, 0 for the random phases alone
     * @param hop samples between the vocoder's frames, at most the FFT length
     * @param momentum fast Griffin-Lim's momentum in {@code [0, 1)}; 0 is the original algorithm
     * @param seed seed of the initial random phases
     */
    public record Options(int iterations, int hop, double momentum, long seed) {

        /** Default number of iterations. */
        public static final int DEFAULT_ITERATIONS = 32;

        /** Default hop: 10 ms at 16 kHz, a quarter of the front end's default hop. */
        public static final int DEFAULT_HOP = 160;

        /** Default momentum, librosa's. */
        public static final double DEFAULT_MOMENTUM = 0.99;

        /** Checks the iterations are non-negative, the hop positive, the momentum in range. */
        public Options {
            if (iterations < 0 || hop < 1 || !(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException(
                        "expected iterations >= 0, hop >= 1 and momentum in [0, 1), got "
                                + iterations
                                + ", "
                                + hop
                                + ", "
                                + momentum);
            }
        }

        /** 32 iterations, hop 160, momentum 0.99, seed 0. */
        public static Options defaults() {
            return new Options(DEFAULT_ITERATIONS, DEFAULT_HOP, DEFAULT_MOMENTUM, 0);
        }

        /** These options with {@code value} iterations. */
        public Options withIterations(int value) {
            return new Options(value, hop, momentum, seed);
        }

        /** These options with hop {@code value}. */
        public Options withHop(int value) {
            return new Options(iterations, value, momentum, seed);
        }

        /** These options with momentum {@code value}. */
        public Options withMomentum(double value) {
            return new Options(iterations, hop, value, seed);
        }

        /** These options with seed {@code value}. */
        public Options withSeed(long value) {
            return new Options(iterations, hop, momentum, value);
        }
    }
}
