package io.motdjl.tokenize;

/**
 * Turns a grayscale image into a fixed number of discrete codes and back (a lossy round trip).
 * Images are unsigned bytes, row-major, {@link #imageHeight()} × {@link #imageWidth()}; codes lie
 * in {@code [0, codebookSize())}.
 *
 * <p>Implementations must be safe to use from several threads at once: datasets encode images in
 * parallel.
 */
public interface ImageTokenizer {

    /** Image height in pixels. */
    int imageHeight();

    /** Image width in pixels. */
    int imageWidth();

    /** Number of codes an image becomes. */
    int codesPerImage();

    /** Number of distinct codes. */
    int codebookSize();

    /**
     * Encodes an image.
     *
     * @param image {@code imageHeight * imageWidth} unsigned bytes, row-major
     * @return {@link #codesPerImage()} codes in {@code [0, codebookSize())}
     */
    int[] encode(byte[] image);

    /**
     * Decodes codes into the image they stand for.
     *
     * @param codes {@link #codesPerImage()} codes in {@code [0, codebookSize())}
     * @return {@code imageHeight * imageWidth} unsigned bytes, row-major
     */
    byte[] decode(int[] codes);
}
