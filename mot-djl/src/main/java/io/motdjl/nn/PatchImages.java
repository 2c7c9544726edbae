package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Patch rows of whole square grey images and the images themselves, both ways, on the engine: an
 * image of {@code g·p × g·p} pixels is {@code g²} rows of {@code p²} values, patches in row-major
 * grid order and pixels row-major inside each patch ({@code diffusion.ImagePatches}' layout). Also
 * feature maps {@code (N, C, g, g)} and rows of {@code C} values in the same grid order. Used by
 * the conv patch encoder and decoder, which see whole images where the trunk sees rows.
 *
 * @param grid g, patches along an image side
 * @param patch p, pixels along a patch side
 */
record PatchImages(long grid, long patch) {

    /** Rows per image, {@code g²}. */
    long rowsPerImage() {
        return grid * grid;
    }

    /** Pixels along an image side, {@code g·p}. */
    long imageSide() {
        return grid * patch;
    }

    /**
     * Number of images in {@code rows} rows.
     *
     * @param rows the row count
     * @param who the block that needs whole images, for the message
     * @throws IllegalArgumentException if {@code rows} is not a whole number of images
     */
    long images(long rows, String who) {
        if (rows % rowsPerImage() != 0) {
            throw new IllegalArgumentException(
                    who
                            + " needs whole images: an image is "
                            + rowsPerImage()
                            + " patch rows ("
                            + grid
                            + "x"
                            + grid
                            + " patches of "
                            + patch
                            + "x"
                            + patch
                            + " pixels), got "
                            + rows
                            + " image rows, not a multiple of "
                            + rowsPerImage());
        }
        return rows / rowsPerImage();
    }

    /** Rows {@code (n, p²)} to images {@code (N, 1, g·p, g·p)}. */
    NDArray toImages(NDArray rows, String who) {
        long n = images(rows.getShape().get(0), who);
        // (N, gy, gx, py, px) -> (N, gy, py, gx, px): pixel (gy·p + py, gx·p + px)
        return rows.reshape(n, grid, grid, patch, patch)
                .transpose(0, 1, 3, 2, 4)
                .reshape(n, 1, imageSide(), imageSide());
    }

    /** Images {@code (N, 1, g·p, g·p)} to rows {@code (N·g², p²)}. */
    NDArray toRows(NDArray images) {
        long n = images.getShape().get(0);
        return images.reshape(n, grid, patch, grid, patch)
                .transpose(0, 1, 3, 2, 4)
                .reshape(n * rowsPerImage(), patch * patch);
    }

    /** Feature maps {@code (N, C, g, g)} to rows {@code (N·g², C)}, one per grid cell. */
    NDArray mapsToRows(NDArray maps) {
        long channels = maps.getShape().get(1);
        return maps.transpose(0, 2, 3, 1).reshape(-1, channels);
    }

    /** Rows {@code (n, C)} to feature maps {@code (N, C, g, g)}. */
    NDArray rowsToMaps(NDArray rows, String who) {
        long n = images(rows.getShape().get(0), who);
        long channels = rows.getShape().get(1);
        return rows.reshape(n, grid, grid, channels).transpose(0, 3, 1, 2);
    }

    /**
     * Refuses rows that do not come as whole images, one after another: each run of {@code g²}
     * consecutive selected rows must be {@code g²} consecutive positions of one sequence, inside
     * one image span when the inputs have span ids. (Rows come from the model grouped by modality
     * in sequence order, so an image is whole exactly when its rows form such a run.)
     *
     * @param inputs the whole batch
     * @param rows the selected flat indices into the {@code B·T} rows, or null for all rows
     * @param count the number of selected rows
     * @param who the block that needs whole images, for the message
     */
    void requireWholeImages(MoTInputs inputs, NDArray rows, long count, String who) {
        images(count, who);
        if (count == 0) {
            return;
        }
        long length = inputs.tokens().getShape().get(1);
        long[] index = rows == null ? null : rows.toType(DataType.INT64, false).toLongArray();
        NDArray spanIds = inputs.imageSpanIds();
        long[] spans = spanIds == null ? null : spanIds.toType(DataType.INT64, false).toLongArray();
        long per = rowsPerImage();
        for (long first = 0; first < count; first += per) {
            long start = index == null ? first : index[(int) first];
            for (long j = 1; j < per; j++) {
                long at = index == null ? first + j : index[(int) (first + j)];
                boolean sameRun = at == start + j && at / length == start / length;
                if (!sameRun || (spans != null && spans[(int) at] != spans[(int) start])) {
                    throw new IllegalArgumentException(
                            who
                                    + " needs whole images: the image rows of sequence "
                                    + start / length
                                    + " from position "
                                    + start % length
                                    + " are not "
                                    + per
                                    + " consecutive positions of one image span (an image is "
                                    + grid
                                    + "x"
                                    + grid
                                    + " patch rows); row "
                                    + (first + j)
                                    + " of the image rows is sequence "
                                    + at / length
                                    + ", position "
                                    + at % length);
                }
            }
        }
    }
}
