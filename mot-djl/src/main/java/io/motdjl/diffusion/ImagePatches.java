package io.motdjl.diffusion;

/**
 * Grey images as rows of continuous patch values and back: a {@code h × w} image with pixels in
 * {@code [0, 1]} becomes {@code (h/p)·(w/p)} rows of {@code p·p} values in {@code [-1, 1]}
 * (row-major patches, row-major pixels inside each), the range the sampler clips its clean estimate
 * to.
 *
 * @param height image height h
 * @param width image width w
 * @param patch patch side p, dividing both
 */
public record ImagePatches(int height, int width, int patch) {

    /**
     * Checks the geometry.
     *
     * @throws IllegalArgumentException if a size is not positive or p does not divide h and w
     */
    public ImagePatches {
        if (height < 1 || width < 1 || patch < 1 || height % patch != 0 || width % patch != 0) {
            throw new IllegalArgumentException(
                    "the patch side must divide the image's height and width, got a "
                            + height
                            + "x"
                            + width
                            + " image and patch side "
                            + patch);
        }
    }

    /** Patch rows per image. */
    public int rows() {
        return (height / patch) * (width / patch);
    }

    /** Values per patch row, P. */
    public int values() {
        return patch * patch;
    }

    /**
     * The patch rows of an image, {@code rows × P} row-major.
     *
     * @param pixels {@code h·w} values in {@code [0, 1]}, row-major
     * @throws IllegalArgumentException for a wrong size, or a pixel that is not a number in [0, 1]
     *     (naming its position and value)
     */
    public float[] toRows(float[] pixels) {
        if (pixels.length != height * width) {
            throw new IllegalArgumentException(
                    "expected a "
                            + height
                            + "x"
                            + width
                            + " image ("
                            + height * width
                            + " pixels), got "
                            + pixels.length
                            + " pixels");
        }
        float[] rows = new float[rows() * values()];
        int across = width / patch;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                float v = pixels[y * width + x];
                if (!(v >= 0f && v <= 1f)) {
                    throw new IllegalArgumentException(
                            "pixel ("
                                    + y
                                    + ", "
                                    + x
                                    + ") is "
                                    + v
                                    + "; pixels must be numbers in [0, 1]");
                }
                int row = (y / patch) * across + x / patch;
                int inside = (y % patch) * patch + x % patch;
                rows[row * values() + inside] = 2f * v - 1f;
            }
        }
        return rows;
    }

    /** The image of patch rows (values clipped to [-1, 1]), pixels in [0, 1], row-major. */
    public float[] toPixels(float[] rows) {
        if (rows.length != rows() * values()) {
            throw new IllegalArgumentException(
                    "expected "
                            + rows()
                            + " patch rows of "
                            + values()
                            + " values, got "
                            + rows.length);
        }
        float[] pixels = new float[height * width];
        int across = width / patch;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int row = (y / patch) * across + x / patch;
                int inside = (y % patch) * patch + x % patch;
                float v = Math.max(-1f, Math.min(1f, rows[row * values() + inside]));
                pixels[y * width + x] = (v + 1f) / 2f;
            }
        }
        return pixels;
    }
}
