package io.motdjl.routing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.motdjl.util.NativeArrays;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;

/**
 * Index masks for deterministic routing by modality id, computed once per forward pass and
 * shared by every layer.
 *
 * <p>The {@code B·T} token rows are sorted (stably) by modality: {@link #apply} gathers the rows
 * into that order once, applies each modality's function to its contiguous chunk, concatenates
 * the results and gathers them back into the original order with the inverse permutation. Both
 * gathers are differentiable, so gradients reach the input and every modality's parameters; a
 * modality with no tokens is skipped and its parameters receive no gradient.
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

    /**
     * Applies {@code f} per modality to the rows of {@code x} and returns the rows in their
     * original order.
     *
     * @param x rows, shape {@code (B·T, in)} in the order of the ids given to {@link #of}
     * @param f the per-modality function
     * @return {@code y} with {@code y[i] = f(x[i], modality(i))}, shape {@code (B·T, out)}
     */
    public NDArray apply(NDArray x, ModalityFunction f) {
        if (x.getShape().get(0) != numTokens) {
            throw new IllegalArgumentException(
                    "routing was computed for "
                            + numTokens
                            + " tokens but the input has "
                            + x.getShape().get(0)
                            + " rows (shape "
                            + x.getShape()
                            + ")");
        }
        if (permutation == null) {
            return f.apply(x, onlyModality);
        }
        NDArray sorted = x.get(new NDIndex("{}", permutation));
        NDList chunks = sorted.split(splitPoints(), 0);
        NDList outputs = new NDList(numModalities);
        for (int m = 0; m < numModalities; m++) {
            if (counts[m] > 0) {
                outputs.add(f.apply(chunks.get(m), m));
            }
        }
        NDArray grouped = outputs.size() == 1 ? outputs.head() : ai.djl.ndarray.NDArrays.concat(outputs, 0);
        return grouped.get(new NDIndex("{}", inversePermutation));
    }

    /**
     * Like {@link #apply(NDArray, ModalityFunction)}, but when the computation is tied (one
     * parameter set for all modalities) it runs once on all rows without any gather.
     */
    public NDArray apply(NDArray x, ModalityFunction f, boolean untied) {
        return untied ? apply(x, f) : f.apply(x, 0);
    }

    private long[] splitPoints() {
        long[] points = new long[numModalities - 1];
        long sum = 0;
        for (int m = 0; m < numModalities - 1; m++) {
            sum += counts[m];
            points[m] = sum;
        }
        return points;
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

    /** The flat row indices of modality {@code m}'s tokens, in order. */
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

    /** Where the sorted rows split into modalities (the first M-1 chunk ends). */
    long[] chunkEnds() {
        return splitPoints();
    }

    /** The permutation that sorts rows by modality, or {@code null} when one modality is present. */
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
