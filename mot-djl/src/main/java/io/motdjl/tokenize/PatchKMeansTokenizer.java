package io.motdjl.tokenize;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * An image tokenizer that cuts an image into non-overlapping square patches and replaces each patch
 * by the nearest entry of a learned codebook (vector quantisation with k-means centroids). A 28 ×
 * 28 image with 4 × 4 patches becomes 49 codes on a 7 × 7 grid, row by row.
 *
 * <p>Codebook entries are stored as unsigned bytes, like the pixels, so that decoding yields an
 * exact image and encoding compares integers: {@code encode(decode(codes))} returns {@code codes}
 * whenever their entries are distinct, and nearest-entry ties go to the lowest code.
 *
 * <p>Train one with {@link PatchKMeansTrainer}; save and load it with {@link #save(Path)} and
 * {@link #load(Path)}.
 */
public final class PatchKMeansTokenizer implements ImageTokenizer {

    private final PatchGrid grid;
    private final int codebookSize;

    /** {@code codebookSize * patchDim} unsigned bytes, entry after entry. */
    private final byte[] codebook;

    /**
     * A tokenizer from a codebook.
     *
     * @param grid the patch grid
     * @param codebook {@code K * patchDim} unsigned bytes, entry after entry (copied)
     */
    public PatchKMeansTokenizer(PatchGrid grid, byte[] codebook) {
        this.grid = Objects.requireNonNull(grid, "grid");
        int dim = grid.patchDim();
        if (codebook.length == 0 || codebook.length % dim != 0) {
            throw new IllegalArgumentException(
                    "a codebook of "
                            + dim
                            + "-pixel patches needs a positive multiple of "
                            + dim
                            + " bytes, got "
                            + codebook.length);
        }
        this.codebook = codebook.clone();
        this.codebookSize = codebook.length / dim;
    }

    /** The patch grid. */
    public PatchGrid grid() {
        return grid;
    }

    @Override
    public int imageHeight() {
        return grid.imageHeight();
    }

    @Override
    public int imageWidth() {
        return grid.imageWidth();
    }

    @Override
    public int codesPerImage() {
        return grid.patchCount();
    }

    @Override
    public int codebookSize() {
        return codebookSize;
    }

    /** Codebook entry {@code code}: {@code patchDim} unsigned bytes, row-major. */
    public byte[] entry(int code) {
        Objects.checkIndex(code, codebookSize);
        int dim = grid.patchDim();
        return Arrays.copyOfRange(codebook, code * dim, (code + 1) * dim);
    }

    /** The whole codebook: {@code K * patchDim} unsigned bytes, entry after entry. */
    public byte[] codebook() {
        return codebook.clone();
    }

    /** Number of distinct codebook entries (duplicates waste codes but are harmless). */
    public int distinctEntries() {
        int dim = grid.patchDim();
        Set<String> seen = new HashSet<>();
        for (int c = 0; c < codebookSize; c++) {
            seen.add(Arrays.toString(Arrays.copyOfRange(codebook, c * dim, (c + 1) * dim)));
        }
        return seen.size();
    }

    @Override
    public int[] encode(byte[] image) {
        grid.checkImage(image);
        int[] codes = new int[grid.patchCount()];
        for (int p = 0; p < codes.length; p++) {
            codes[p] = nearestEntry(image, p);
        }
        return codes;
    }

    @Override
    public byte[] decode(int[] codes) {
        Objects.requireNonNull(codes, "codes");
        if (codes.length != grid.patchCount()) {
            throw new IllegalArgumentException(
                    "expected " + grid.patchCount() + " codes (" + grid + "), got " + codes.length);
        }
        byte[] image = new byte[grid.imagePixels()];
        int dim = grid.patchDim();
        for (int p = 0; p < codes.length; p++) {
            if (codes[p] < 0 || codes[p] >= codebookSize) {
                throw new IllegalArgumentException(
                        "code "
                                + codes[p]
                                + " at position "
                                + p
                                + " is outside the codebook [0, "
                                + codebookSize
                                + ")");
            }
            grid.place(codebook, codes[p] * dim, p, image);
        }
        return image;
    }

    /** The entry nearest to patch {@code patch} (exact integer distance; lowest code on ties). */
    private int nearestEntry(byte[] image, int patch) {
        int dim = grid.patchDim();
        int[] pixels = new int[dim];
        for (int j = 0; j < dim; j++) {
            pixels[j] = Byte.toUnsignedInt(image[grid.pixelIndex(patch, j)]);
        }
        int best = 0;
        int bestDistance = Integer.MAX_VALUE;
        for (int c = 0; c < codebookSize; c++) {
            int base = c * dim;
            int d = 0;
            for (int j = 0; j < dim && d < bestDistance; j++) {
                int diff = pixels[j] - Byte.toUnsignedInt(codebook[base + j]);
                d += diff * diff;
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }

    /**
     * Saves the tokenizer as JSON (written to a temporary file, then moved into place).
     *
     * @param file the destination
     * @throws IOException if writing fails
     */
    public void save(Path file) throws IOException {
        PatchKMeansTokenizerFile.write(this, file);
    }

    /**
     * Loads a tokenizer saved by {@link #save(Path)}, validating every field.
     *
     * @param file the JSON file
     * @return the tokenizer
     * @throws IOException if reading fails or the file is not a valid tokenizer
     */
    public static PatchKMeansTokenizer load(Path file) throws IOException {
        return PatchKMeansTokenizerFile.read(file);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PatchKMeansTokenizer t
                && t.grid.equals(grid)
                && Arrays.equals(t.codebook, codebook);
    }

    @Override
    public int hashCode() {
        return 31 * grid.hashCode() + Arrays.hashCode(codebook);
    }

    @Override
    public String toString() {
        return "PatchKMeansTokenizer[" + grid + ", " + codebookSize + " codes]";
    }
}
