package io.motdjl.tokenize;

import java.util.List;
import java.util.stream.IntStream;

/**
 * How well a tokenizer's round trip {@code decode(encode(image))} reproduces images, on the {@code
 * [0, 1]} pixel scale.
 *
 * @param images number of images measured
 * @param rmse root mean squared pixel error over all pixels of all images
 * @param psnrDb peak signal-to-noise ratio {@code 10 log10(1 / MSE)} of the same error, in dB
 * @param meanImagePsnrDb mean over images of each image's own PSNR, in dB (an image reproduced
 *     exactly counts as 100 dB)
 */
public record ReconstructionReport(int images, double rmse, double psnrDb, double meanImagePsnrDb) {

    /** PSNR given to an exact reconstruction, whose true PSNR is infinite. */
    static final double EXACT_PSNR_DB = 100.0;

    /**
     * Measures {@code tokenizer} on every image of {@code images}.
     *
     * @param tokenizer the tokenizer
     * @param images unsigned-byte images, row-major, of the tokenizer's size
     * @return the round trip's error
     */
    public static ReconstructionReport measure(ImageTokenizer tokenizer, List<byte[]> images) {
        int n = images.size();
        if (n == 0) {
            throw new IllegalArgumentException("no images to measure reconstruction on");
        }
        // per-image sums of squared errors, in pixel units; images are independent
        long[] squaredErrors =
                IntStream.range(0, n)
                        .parallel()
                        .mapToLong(i -> squaredError(tokenizer, images.get(i)))
                        .toArray();
        int pixels = tokenizer.imageHeight() * tokenizer.imageWidth();
        double total = 0;
        double psnrSum = 0;
        for (long e : squaredErrors) {
            total += e;
            psnrSum += psnr(e / (255.0 * 255.0 * pixels));
        }
        double mse = total / (255.0 * 255.0 * pixels * n);
        return new ReconstructionReport(n, Math.sqrt(mse), psnr(mse), psnrSum / n);
    }

    private static long squaredError(ImageTokenizer tokenizer, byte[] image) {
        byte[] decoded = tokenizer.decode(tokenizer.encode(image));
        long sum = 0;
        for (int j = 0; j < image.length; j++) {
            int diff = Byte.toUnsignedInt(image[j]) - Byte.toUnsignedInt(decoded[j]);
            sum += (long) diff * diff;
        }
        return sum;
    }

    private static double psnr(double mse) {
        return mse == 0 ? EXACT_PSNR_DB : Math.min(EXACT_PSNR_DB, -10 * Math.log10(mse));
    }

    @Override
    public String toString() {
        return String.format(
                "%d images: RMSE %.4f, PSNR %.2f dB (mean per image %.2f dB)",
                images, rmse, psnrDb, meanImagePsnrDb);
    }
}
