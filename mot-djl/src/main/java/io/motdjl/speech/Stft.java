package io.motdjl.speech;

/**
 * A short-time Fourier transform with centred frames, and its inverse by windowed overlap-add.
 *
 * <p>Frame {@code t} is centred on sample {@code t · hop}: the signal is reflect-padded by {@code
 * nFft / 2} on both sides (as {@code torch.stft(center=True, pad_mode="reflect")} and librosa do),
 * so a signal of {@code n} samples has {@code floor(n / hop) + 1} frames. Every frame is multiplied
 * by a periodic Hann window of {@code nFft} samples, and only the {@code nFft / 2 + 1} bins of
 * non-negative frequency are kept.
 */
final class Stft {

    /** Below this window sum the inverse leaves a sample as it is rather than divide by ~0. */
    private static final double MIN_WINDOW_SUM = 1e-10;

    private final int nFft;
    private final int hop;
    private final double[] window;
    private final Fft fft;

    /**
     * An STFT.
     *
     * @param nFft frame and FFT length, a power of two
     * @param hop samples between frame centres, in {@code [1, nFft]}
     */
    Stft(int nFft, int hop) {
        if (nFft < 2 || hop < 1 || hop > nFft) {
            throw new IllegalArgumentException(
                    "STFT needs nFft >= 2 and 1 <= hop <= nFft, got nFft = "
                            + nFft
                            + ", hop = "
                            + hop);
        }
        this.fft = new Fft(nFft);
        this.nFft = nFft;
        this.hop = hop;
        this.window = hann(nFft);
    }

    /**
     * The periodic Hann window {@code 0.5 - 0.5 cos(2πi / n)} ({@code torch.hann_window(n)}, {@code
     * scipy.signal.get_window("hann", n)}), which sums to a constant under overlap-add at hops of
     * {@code n / 2}, {@code n / 4}, ...
     */
    static double[] hann(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.5 - 0.5 * StrictMath.cos(2 * StrictMath.PI * i / n);
        }
        return w;
    }

    /** Frame length. */
    int nFft() {
        return nFft;
    }

    /** Samples between frame centres. */
    int hop() {
        return hop;
    }

    /** Number of frequency bins per frame, {@code nFft / 2 + 1}. */
    int bins() {
        return nFft / 2 + 1;
    }

    /** Number of centred frames of a signal of {@code length} samples. */
    int frameCount(int length) {
        return length / hop + 1;
    }

    /**
     * The complex spectra of {@code samples}' frames.
     *
     * @param samples the signal, at least one sample
     * @return {@code frameCount(samples.length)} frames of {@link #bins()} bins
     */
    Spectra forward(float[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("cannot transform an empty signal");
        }
        int frames = frameCount(samples.length);
        int bins = bins();
        Spectra spectra = new Spectra(new double[frames][bins], new double[frames][bins]);
        double[] re = new double[nFft];
        double[] im = new double[nFft];
        for (int t = 0; t < frames; t++) {
            int start = t * hop - nFft / 2;
            for (int i = 0; i < nFft; i++) {
                re[i] = samples[reflect(start + i, samples.length)] * window[i];
                im[i] = 0;
            }
            fft.forward(re, im);
            System.arraycopy(re, 0, spectra.re()[t], 0, bins);
            System.arraycopy(im, 0, spectra.im()[t], 0, bins);
        }
        return spectra;
    }

    /**
     * The signal whose STFT is closest to {@code spectra} in the least-squares sense (Griffin and
     * Lim 1984): each frame's inverse FFT, windowed again, overlap-added, divided by the sum of
     * squared windows at each sample.
     *
     * @param spectra frames of {@link #bins()} bins, as many as {@code frameCount(length)}
     * @param length samples to return
     * @return the signal
     */
    float[] inverse(Spectra spectra, int length) {
        int frames = spectra.frames();
        if (length < 1 || frames != frameCount(length)) {
            throw new IllegalArgumentException(
                    frames
                            + " frames at hop "
                            + hop
                            + " do not make a signal of "
                            + length
                            + " samples (that needs "
                            + (length < 1 ? "a positive length" : frameCount(length) + " frames")
                            + ")");
        }
        int bins = bins();
        double[] out = new double[length];
        double[] windowSum = new double[length];
        double[] re = new double[nFft];
        double[] im = new double[nFft];
        for (int t = 0; t < frames; t++) {
            double[] frameRe = spectra.re()[t];
            double[] frameIm = spectra.im()[t];
            if (frameRe.length != bins || frameIm.length != bins) {
                throw new IllegalArgumentException(
                        "frame " + t + " has " + frameRe.length + " bins, expected " + bins);
            }
            // the negative frequencies of a real signal mirror the positive ones, conjugated
            for (int k = 0; k < bins; k++) {
                re[k] = frameRe[k];
                im[k] = frameIm[k];
            }
            for (int k = bins; k < nFft; k++) {
                re[k] = frameRe[nFft - k];
                im[k] = -frameIm[nFft - k];
            }
            fft.inverse(re, im);
            int start = t * hop - nFft / 2;
            for (int i = Math.max(0, -start); i < nFft && start + i < length; i++) {
                out[start + i] += re[i] * window[i];
                windowSum[start + i] += window[i] * window[i];
            }
        }
        float[] samples = new float[length];
        for (int p = 0; p < length; p++) {
            samples[p] = (float) (windowSum[p] > MIN_WINDOW_SUM ? out[p] / windowSum[p] : out[p]);
        }
        return samples;
    }

    /**
     * Index of position {@code i} of a signal of {@code n} samples extended by mirror reflection
     * without repeating the edge sample ({@code numpy.pad(mode="reflect")}), repeatedly if the
     * padding is longer than the signal.
     */
    static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int j = Math.floorMod(i, period);
        return j < n ? j : period - j;
    }

    /**
     * Complex STFT frames.
     *
     * @param re real parts, {@code [frame][bin]}
     * @param im imaginary parts, {@code [frame][bin]}
     */
    record Spectra(double[][] re, double[][] im) {

        /** Number of frames. */
        int frames() {
            return re.length;
        }

        /** The magnitudes {@code |X|}, {@code [frame][bin]}. */
        double[][] magnitude() {
            double[][] magnitude = new double[re.length][];
            for (int t = 0; t < re.length; t++) {
                magnitude[t] = new double[re[t].length];
                for (int k = 0; k < re[t].length; k++) {
                    magnitude[t][k] = Math.sqrt(re[t][k] * re[t][k] + im[t][k] * im[t][k]);
                }
            }
            return magnitude;
        }
    }
}
