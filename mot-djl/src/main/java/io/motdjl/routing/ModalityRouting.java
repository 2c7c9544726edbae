package io.motdjl.routing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.motdjl.util.NativeArrays;

import java.util.Arrays;

/**
 * Index masks for deterministic routing by modality id, computed once per forward pass and shared
 * by every layer: a stable sort of the {@code B·T} token rows by modality, its inverse, and the
 * count per modality. {@link GroupedRows} uses them to keep rows in contiguous per-modality chunks;
 * both gathers are differentiable, so gradients reach the input and every modality's parameters,
 * and a modality with no tokens is skipped (its parameters receive no gradient).
 */
public final class ModalityRouting implements AutoCloseable {

    private final int numModalities;
    private final long[] counts;
    private final long numTokens;
    private final int onlyModality;
    private final NDArray permutation;
    private final NDArray inversePermutation;

    private ModalityRouting(
            int numModalities,
            long[] counts,
            long numTokens,
            int onlyModality,
            NDArray permutation,
            NDArray inversePermutation) {
        this.numModalities = numModalities;
        this.counts = counts;
        this.numTokens = numTokens;
        this.onlyModality = onlyModality;
        this.permutation = permutation;
        this.inversePermutation = inversePermutation;
    }

    /**
     * Computes the routing for a batch.
     *
     * @param modalityIds integer modality ids of any shape (usually {@code (B, T)})
     * @param numModalities M; every id must lie in {@code [0, M)}
     * @return the routing; its index arrays live in {@code modalityIds}' manager
     * @throws IllegalArgumentException if an id lies outside {@code [0, M)}
     */
    public static ModalityRouting of(NDArray modalityIds, int numModalities) {
        if (!modalityIds.getDataType().isInteger()) {
            throw new IllegalArgumentException(
                    "modality ids must be an integer array, got " + modalityIds.getDataType());
        }
        long[] ids = modalityIds.toType(DataType.INT64, false).toLongArray();
        return of(ids, numModalities, modalityIds.getManager());
    }

    /**
     * Computes the routing from host-side modality ids (row-major {@code B·T}).
     *
     * @param ids modality id of each token row
     * @param numModalities M
     * @param manager where the index arrays are created
     * @return the routing
     */
    public static ModalityRouting of(long[] ids, int numModalities, NDManager manager) {
        long[] counts = new long[numModalities];
        for (int i = 0; i < ids.length; i++) {
            long m = ids[i];
            if (m < 0 || m >= numModalities) {
                throw new IllegalArgumentException(
                        "modality id "
                                + m
                                + " at flat position "
                                + i
                                + " is outside [0, "
                                + numModalities
                                + ")");
            }
            counts[(int) m]++;
        }
        int present = 0;
        int only = -1;
        for (int m = 0; m < numModalities; m++) {
            if (counts[m] > 0) {
                present++;
                only = m;
            }
        }
        if (present <= 1) {
            // one modality (or an empty batch): every function applies to all rows as they are
            return new ModalityRouting(
                    numModalities, counts, ids.length, Math.max(only, 0), null, null);
        }
        // stable counting sort by modality id
        long[] offsets = new long[numModalities];
        for (int m = 1; m < numModalities; m++) {
            offsets[m] = offsets[m - 1] + counts[m - 1];
        }
        long[] perm = new long[ids.length];
        long[] inverse = new long[ids.length];
        long[] next = offsets.clone();
        for (int i = 0; i < ids.length; i++) {
            int slot = (int) next[(int) ids[i]]++;
            perm[slot] = i;
            inverse[i] = slot;
        }
        NDArray p = NativeArrays.of(manager, perm, new Shape(perm.length));
        NDArray q = NativeArrays.of(manager, inverse, new Shape(inverse.length));
        return new ModalityRouting(numModalities, counts, ids.length, -1, p, q);
    }

    /** Number of modalities M the routing was computed for. */
    public int numModalities() {
        return numModalities;
    }

    /** Number of token rows ({@code B·T}). */
    public long numTokens() {
        return numTokens;
    }

    /** Tokens of each modality in the batch. */
    public long[] counts() {
        return counts.clone();
    }

    /** Whether modality {@code m} has at least one token in the batch. */
    public boolean isPresent(int m) {
        return counts[m] > 0;
    }

    /**
     * The modality of every row when at most one modality is present (0 for an empty batch), else
     * -1.
     */
    public int onlyModality() {
        return onlyModality;
    }

    /**
     * The inverse of {@link #permutation()} (row {@code i} of the input sits at position {@code
     * inverse[i]} of the sorted rows), or {@code null} when one modality is present.
     */
    public NDArray inversePermutation() {
        return inversePermutation;
    }

    /**
     * The flat row indices of modality {@code m}'s tokens, in order (for inspection; a host copy).
     */
    public long[] indicesOf(int m) {
        if (permutation == null) {
            return onlyModality == m
                    ? java.util.stream.LongStream.range(0, numTokens).toArray()
                    : new long[0];
        }
        long start = 0;
        for (int i = 0; i < m; i++) {
            start += counts[i];
        }
        long[] all = permutation.toLongArray();
        return Arrays.copyOfRange(all, (int) start, (int) (start + counts[m]));
    }

    /** Where the sorted rows split into modalities (the first M-1 chunk ends). */
    public long[] chunkEnds() {
        long[] points = new long[numModalities - 1];
        long sum = 0;
        for (int m = 0; m < numModalities - 1; m++) {
            sum += counts[m];
            points[m] = sum;
        }
        return points;
    }

    /**
     * The permutation that sorts rows by modality, or {@code null} when one modality is present.
     */
    public NDArray permutation() {
        return permutation;
    }

    @Override
    public void close() {
        if (permutation != null) {
            permutation.close();
            inversePermutation.close();
        }
    }
}
