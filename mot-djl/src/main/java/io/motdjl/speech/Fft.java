package io.motdjl.speech;

/**
 * An in-place radix-2 complex FFT of one power-of-two size, in double precision. The twiddle
 * factors come from {@link StrictMath}, so every JVM computes the same bits.
 */
final class Fft {

    private final int size;
    private final int[] bitReversed;

    /** {@code cos(2πk/size)} and {@code sin(2πk/size)} for {@code k < size/2}. */
    private final double[] cos;

    private final double[] sin;

    /**
     * An FFT of {@code size} points.
     *
     * @param size a power of two, at least 1
     */
    Fft(int size) {
        if (size < 1 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("FFT size must be a power of two, got " + size);
        }
        this.size = size;
        int bits = Integer.numberOfTrailingZeros(size);
        bitReversed = new int[size];
        for (int i = 0; i < size; i++) {
            bitReversed[i] = bits == 0 ? 0 : Integer.reverse(i) >>> (Integer.SIZE - bits);
        }
        cos = new double[Math.max(1, size / 2)];
        sin = new double[cos.length];
        for (int k = 0; k < cos.length; k++) {
            double angle = 2 * StrictMath.PI * k / size;
            cos[k] = StrictMath.cos(angle);
            sin[k] = StrictMath.sin(angle);
        }
    }

    /** The number of points. */
    int size() {
        return size;
    }

    /**
     * The forward transform {@code X[k] = Σ x[j] e^{-2πijk/n}}, in place.
     *
     * @param re real parts, {@code size} values
     * @param im imaginary parts, {@code size} values
     */
    void forward(double[] re, double[] im) {
        if (re.length != size || im.length != size) {
            throw new IllegalArgumentException(
                    "expected "
                            + size
                            + " real and imaginary parts, got "
                            + re.length
                            + " and "
                            + im.length);
        }
        permute(re);
        permute(im);
        for (int half = 1; half < size; half *= 2) {
            int step = size / (2 * half); // twiddle stride for butterflies of this span
            for (int start = 0; start < size; start += 2 * half) {
                for (int j = 0; j < half; j++) {
                    double wr = cos[j * step];
                    double wi = -sin[j * step];
                    int a = start + j;
                    int b = a + half;
                    double tr = re[b] * wr - im[b] * wi;
                    double ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }

    /**
     * The inverse transform {@code x[j] = (1/n) Σ X[k] e^{2πijk/n}}, in place.
     *
     * @param re real parts, {@code size} values
     * @param im imaginary parts, {@code size} values
     */
    void inverse(double[] re, double[] im) {
        // swapping real and imaginary parts before and after turns the forward into the inverse
        forward(im, re);
        double scale = 1.0 / size;
        for (int i = 0; i < size; i++) {
            re[i] *= scale;
            im[i] *= scale;
        }
    }

    private void permute(double[] values) {
        for (int i = 0; i < size; i++) {
            int j = bitReversed[i];
            if (j > i) {
                double tmp = values[i];
                values[i] = values[j];
                values[j] = tmp;
            }
        }
    }
}
