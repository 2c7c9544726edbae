package io.motdjl.tokenize;

import java.util.Objects;

/**
 * Cuts an image into non-overlapping square patches on a regular grid, and puts it back together.
 * Patches are numbered row by row; the pixels of a patch row by row.
 */
public final class PatchGrid {

    private final int imageHeight;
    private final int imageWidth;
    private final int patchSize;

    /**
     * {@code pixelOf[p * patchDim + j]}: image pixel index of pixel {@code j} of patch {@code p}.
     */
    private final int[] pixelOf;

    /**
     * A grid of {@code patchSize × patchSize} patches over {@code imageHeight × imageWidth} images;
     * the patch size must divide both sides.
     */
    public PatchGrid(int imageHeight, int imageWidth, int patchSize) {
        if (imageHeight <= 0 || imageWidth <= 0 || patchSize <= 0) {
            throw new IllegalArgumentException(
                    "image sides and patch size must be positive, got "
                            + imageHeight
                            + " x "
                            + imageWidth
                            + " with patch size "
                            + patchSize);
        }
        if (imageHeight % patchSize != 0 || imageWidth % patchSize != 0) {
            throw new IllegalArgumentException(
                    "patch size "
                            + patchSize
                            + " must divide the image sides "
                            + imageHeight
                            + " x "
                            + imageWidth);
        }
        this.imageHeight = imageHeight;
        this.imageWidth = imageWidth;
        this.patchSize = patchSize;
        this.pixelOf = new int[imageHeight * imageWidth];
        int dim = patchSize * patchSize;
        for (int p = 0; p < patchCount(); p++) {
            int top = (p / cols()) * patchSize;
            int left = (p % cols()) * patchSize;
            for (int j = 0; j < dim; j++) {
                pixelOf[p * dim + j] = (top + j / patchSize) * imageWidth + left + j % patchSize;
            }
        }
    }

    /** Image height in pixels. */
    public int imageHeight() {
        return imageHeight;
    }

    /** Image width in pixels. */
    public int imageWidth() {
        return imageWidth;
    }

    /** Side of a patch in pixels. */
    public int patchSize() {
        return patchSize;
    }

    /** Patches per column of the grid. */
    public int rows() {
        return imageHeight / patchSize;
    }

    /** Patches per row of the grid. */
    public int cols() {
        return imageWidth / patchSize;
    }

    /** Patches per image. */
    public int patchCount() {
        return rows() * cols();
    }

    /** Pixels per patch. */
    public int patchDim() {
        return patchSize * patchSize;
    }

    /** Pixels per image. */
    public int imagePixels() {
        return imageHeight * imageWidth;
    }

    /** Image pixel index of pixel {@code j} of patch {@code patch}. */
    public int pixelIndex(int patch, int j) {
        return pixelOf[patch * patchDim() + j];
    }

    /**
     * Writes patch {@code patch} of {@code image} as floats in {@code [0, 255]} at {@code offset}.
     */
    public void extract(byte[] image, int patch, float[] out, int offset) {
        checkImage(image);
        int dim = patchDim();
        for (int j = 0; j < dim; j++) {
            out[offset + j] = Byte.toUnsignedInt(image[pixelOf[patch * dim + j]]);
        }
    }

    /**
     * Copies {@code patchPixels[offset .. offset + patchDim)} into patch {@code patch} of image.
     */
    public void place(byte[] patchPixels, int offset, int patch, byte[] image) {
        checkImage(image);
        int dim = patchDim();
        for (int j = 0; j < dim; j++) {
            image[pixelOf[patch * dim + j]] = patchPixels[offset + j];
        }
    }

    /** Checks that {@code image} has this grid's pixel count. */
    public void checkImage(byte[] image) {
        Objects.requireNonNull(image, "image");
        if (image.length != imagePixels()) {
            throw new IllegalArgumentException(
                    "expected an image of "
                            + imageHeight
                            + " x "
                            + imageWidth
                            + " = "
                            + imagePixels()
                            + " bytes, got "
                            + image.length);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PatchGrid g
                && g.imageHeight == imageHeight
                && g.imageWidth == imageWidth
                && g.patchSize == patchSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(imageHeight, imageWidth, patchSize);
    }

    @Override
    public String toString() {
        return imageHeight
                + "x"
                + imageWidth
                + " image in "
                + rows()
                + "x"
                + cols()
                + " patches of "
                + patchSize
                + "x"
                + patchSize;
    }
}
