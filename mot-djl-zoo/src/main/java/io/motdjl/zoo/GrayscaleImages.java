package io.motdjl.zoo;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.util.NDImageUtils;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Converts between DJL {@link Image}s and the grayscale bytes of an image tokenizer ({@code height
 * × width} unsigned bytes, row-major, as {@link io.motdjl.tokenize.ImageTokenizer} takes them).
 *
 * <p>To bytes: DJL's own grayscale conversion ({@code image.toNDArray(manager,
 * Image.Flag.GRAYSCALE)}: luma {@code 0.299 R + 0.587 G + 0.114 B}, rounded; alpha is ignored),
 * then, when the size differs, a resize to exactly {@code width × height} with DJL's engine op
 * ({@link NDImageUtils#resize}): area averaging when the image shrinks in both directions, bilinear
 * otherwise, rounded to the nearest byte. The aspect ratio is not kept (no cropping, no padding):
 * give square images for a square tokenizer. No colour inversion is done: the bundled models were
 * trained on Fashion-MNIST, light items on a black background.
 *
 * <p>From bytes: an opaque gray image from {@link ImageFactory#fromPixels} (each pixel {@code
 * 0xFF000000 | g << 16 | g << 8 | g}), which converts back to the same bytes.
 */
public final class GrayscaleImages {

    private GrayscaleImages() {}

    /**
     * The grayscale bytes of an image at the given size.
     *
     * @param image any DJL image
     * @param width the width wanted
     * @param height the height wanted
     * @param manager where the temporary arrays are made; they are closed before this returns
     * @return {@code height × width} unsigned bytes, row-major
     * @throws IllegalArgumentException if the image is null or empty
     */
    public static byte[] toGrayscale(Image image, int width, int height, NDManager manager) {
        if (image == null) {
            throw new IllegalArgumentException("no image given");
        }
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("bad target size " + width + "×" + height);
        }
        if (image.getWidth() < 1 || image.getHeight() < 1) {
            throw new IllegalArgumentException(
                    "the image is empty (" + image.getWidth() + "×" + image.getHeight() + ")");
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray gray = image.toNDArray(scope, Image.Flag.GRAYSCALE); // (H, W, 1) uint8
            if (image.getWidth() == width && image.getHeight() == height) {
                return gray.toByteArray();
            }
            boolean shrinks = image.getWidth() >= width && image.getHeight() >= height;
            Image.Interpolation mode =
                    shrinks ? Image.Interpolation.AREA : Image.Interpolation.BILINEAR;
            float[] resized =
                    NDImageUtils.resize(gray.toType(DataType.FLOAT32, false), width, height, mode)
                            .toFloatArray();
            byte[] out = new byte[width * height];
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) Math.max(0, Math.min(255, Math.round(resized[i])));
            }
            return out;
        }
    }

    /**
     * An opaque gray image of grayscale bytes.
     *
     * @param pixels {@code height × width} unsigned bytes, row-major
     * @param width the width
     * @param height the height
     * @return the image, made by {@link ImageFactory#getInstance()}
     * @throws IllegalArgumentException if the number of bytes is not {@code width × height}
     */
    public static Image fromGrayscale(byte[] pixels, int width, int height) {
        if (pixels == null || width < 1 || height < 1 || pixels.length != width * height) {
            throw new IllegalArgumentException(
                    "a "
                            + width
                            + "×"
                            + height
                            + " grayscale image needs "
                            + width * height
                            + " bytes, got "
                            + (pixels == null ? "none" : pixels.length));
        }
        int[] argb = new int[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            int g = Byte.toUnsignedInt(pixels[i]);
            argb[i] = 0xFF000000 | g << 16 | g << 8 | g;
        }
        return ImageFactory.getInstance().fromPixels(argb, width, height);
    }

    /**
     * Pixels in {@code [0, 1]} as grayscale bytes: {@code round(255 · v)}, values outside [0, 1]
     * clipped.
     *
     * @param pixels values in {@code [0, 1]} (as {@code io.motdjl.diffusion.ImagePatches#toPixels}
     *     gives them)
     * @return one unsigned byte per pixel
     */
    public static byte[] bytesOf(float[] pixels) {
        byte[] out = new byte[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            float v = Float.isNaN(pixels[i]) ? 0f : Math.max(0f, Math.min(1f, pixels[i]));
            out[i] = (byte) Math.round(255 * v);
        }
        return out;
    }

    /**
     * Grayscale bytes as pixels in {@code [0, 1]}: {@code b / 255}.
     *
     * @param gray unsigned bytes
     * @return one value in {@code [0, 1]} per byte
     */
    public static float[] pixelsOf(byte[] gray) {
        float[] out = new float[gray.length];
        for (int i = 0; i < gray.length; i++) {
            out[i] = Byte.toUnsignedInt(gray[i]) / 255f;
        }
        return out;
    }
}
