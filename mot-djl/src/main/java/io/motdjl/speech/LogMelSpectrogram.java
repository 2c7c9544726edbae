package io.motdjl.speech;

import java.util.Objects;

/**
 * The speech front end: audio samples to log-mel frames, in plain Java and deterministic to the bit
 * on every JVM.
 *
 * <p>With the {@link Options#defaults() defaults}, 16 kHz audio becomes 25 frames per second (one
 * per 40 ms) of 80 log-mel values:
 *
 * <ol>
 *   <li>centred frames of 1024 samples every 640 samples, the signal reflect-padded by 512 at both
 *       ends, so {@code n} samples give {@code floor(n / 640) + 1} frames;
 *   <li>a periodic Hann window and a 1024-point FFT; the power {@code |X|²} of bins 0 to 512;
 *   <li>80 triangular filters on the Slaney mel scale from 0 to 8 kHz with Slaney area
 *       normalisation ({@code librosa.filters.mel(sr=16000, n_fft=1024, n_mels=80)});
 *   <li>the natural logarithm of {@code max(mel, 1e-5)}: the floor keeps digital silence finite (at
 *       {@code ln 1e-5 ≈ -11.51}); it lies about 83 dB below the band of a full-scale 440 Hz sine
 *       and equals the bands of white noise at about -64 dBFS RMS: below speech, above 16-bit
 *       rounding noise.
 * </ol>
 *
 * <p>Matches {@code log(max(librosa.feature.melspectrogram(y=x, sr=16000, n_fft=1024, hop_length=
 * 640, power=2, center=True, pad_mode="reflect", n_mels=80), 1e-5))} up to float rounding.
 */
public final class LogMelSpectrogram {

    /** Mel energies below this are raised to it before the logarithm. */
    public static final double LOG_FLOOR = 1e-5;

    private final Options options;
    private final Stft stft;
    private final MelFilterbank filters;

    /**
     * A front end.
     *
     * @param options sample rate, FFT size, hop, mels and frequency range
     */
    public LogMelSpectrogram(Options options) {
        this.options = Objects.requireNonNull(options, "options");
        this.stft = new Stft(options.nFft(), options.hop());
        this.filters =
                new MelFilterbank(
                        options.sampleRate(),
                        options.nFft(),
                        options.mels(),
                        options.fminHz(),
                        options.fmaxHz());
    }

    /** The front end's parameters. */
    public Options options() {
        return options;
    }

    /** Number of frames computed from {@code samples} samples: {@code floor(samples / hop) + 1}. */
    public int frameCount(int samples) {
        return stft.frameCount(samples);
    }

    /**
     * The log-mel frames of {@code samples}.
     *
     * @param samples audio at {@link Options#sampleRate()}, nominally in {@code [-1, 1]}, at least
     *     one sample, all finite
     * @return {@code frameCount(samples.length)} frames of {@link Options#mels()} values
     */
    public float[][] compute(float[] samples) {
        checkSamples(samples);
        Stft.Spectra spectra = stft.forward(samples);
        float[][] frames = new float[spectra.frames()][];
        double[] power = new double[stft.bins()];
        double[] mel = new double[options.mels()];
        for (int t = 0; t < frames.length; t++) {
            double[] re = spectra.re()[t];
            double[] im = spectra.im()[t];
            for (int k = 0; k < power.length; k++) {
                power[k] = re[k] * re[k] + im[k] * im[k];
            }
            filters.apply(power, mel);
            frames[t] = new float[mel.length];
            for (int m = 0; m < mel.length; m++) {
                frames[t][m] = (float) StrictMath.log(Math.max(mel[m], LOG_FLOOR));
            }
        }
        return frames;
    }

    /** The mel filters (for the vocoder and tests). */
    MelFilterbank filters() {
        return filters;
    }

    /** Refuses null, empty or non-finite audio. */
    static void checkSamples(float[] samples) {
        Objects.requireNonNull(samples, "samples");
        if (samples.length == 0) {
            throw new IllegalArgumentException("no audio samples: expected at least one");
        }
        for (int i = 0; i < samples.length; i++) {
            if (!Float.isFinite(samples[i])) {
                throw new IllegalArgumentException(
                        "audio sample " + i + " is " + samples[i] + "; expected a finite value");
            }
        }
    }

    /**
     * Front-end parameters.
     *
     * @param sampleRate samples per second of the audio
     * @param nFft window and FFT length in samples, a power of two
     * @param hop samples between frame centres, in {@code [1, nFft]}
     * @param mels number of mel filters
     * @param fminHz lower edge of the lowest filter, in Hz
     * @param fmaxHz upper edge of the highest filter, in Hz, at most the Nyquist frequency
     */
    public record Options(
            int sampleRate, int nFft, int hop, int mels, double fminHz, double fmaxHz) {

        /** Default sample rate, 16 kHz. */
        public static final int DEFAULT_SAMPLE_RATE = 16_000;

        /** Default window and FFT length, 64 ms at 16 kHz. */
        public static final int DEFAULT_N_FFT = 1024;

        /** Default hop, 40 ms at 16 kHz: 25 frames per second. */
        public static final int DEFAULT_HOP = 640;

        /** Default number of mel filters. */
        public static final int DEFAULT_MELS = 80;

        /** Checks every parameter (see the record's description). */
        public Options {
            if (sampleRate <= 0) {
                throw new IllegalArgumentException(
                        "sampleRate must be positive, got " + sampleRate);
            }
            if (nFft < 2 || Integer.bitCount(nFft) != 1) {
                throw new IllegalArgumentException(
                        "nFft must be a power of two of at least 2, got " + nFft);
            }
            if (hop < 1 || hop > nFft) {
                throw new IllegalArgumentException(
                        "hop must lie in [1, nFft = " + nFft + "], got " + hop);
            }
            if (mels < 1) {
                throw new IllegalArgumentException("mels must be positive, got " + mels);
            }
            if (!(fminHz >= 0 && fminHz < fmaxHz && fmaxHz <= sampleRate / 2.0)) {
                throw new IllegalArgumentException(
                        "the mel range must satisfy 0 <= fmin < fmax <= sampleRate / 2 = "
                                + sampleRate / 2.0
                                + ", got fmin = "
                                + fminHz
                                + ", fmax = "
                                + fmaxHz);
            }
        }

        /** 16 kHz, nFft 1024, hop 640 (25 frames/s), 80 mels over 0-8 kHz. */
        public static Options defaults() {
            return new Options(
                    DEFAULT_SAMPLE_RATE,
                    DEFAULT_N_FFT,
                    DEFAULT_HOP,
                    DEFAULT_MELS,
                    0,
                    DEFAULT_SAMPLE_RATE / 2.0);
        }

        /** Frames per second, {@code sampleRate / hop}. */
        public double framesPerSecond() {
            return (double) sampleRate / hop;
        }

        /** These options with {@code value} mel filters. */
        public Options withMels(int value) {
            return new Options(sampleRate, nFft, hop, value, fminHz, fmaxHz);
        }

        /** These options with hop {@code value}. */
        public Options withHop(int value) {
            return new Options(sampleRate, nFft, value, mels, fminHz, fmaxHz);
        }

        /** These options with FFT length {@code value}. */
        public Options withNFft(int value) {
            return new Options(sampleRate, value, hop, mels, fminHz, fmaxHz);
        }

        /** These options with the mel range {@code [fmin, fmax]} in Hz. */
        public Options withRange(double fmin, double fmax) {
            return new Options(sampleRate, nFft, hop, mels, fmin, fmax);
        }
    }
}
