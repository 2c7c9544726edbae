package io.motdjl.routing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

import java.util.function.BinaryOperator;

/**
 * Token rows kept grouped by modality: one contiguous chunk per modality present, in the order of a
 * {@link ModalityRouting}'s stable sort. A model keeps its residual stream in this form from the
 * embedding to the final norm, so every modality-specific computation runs on its own chunk with no
 * gather at all; only attention, which mixes all tokens of a sequence, needs the rows back in
 * sequence order ({@link #toOriginal()}), and its output is grouped again ({@link #fromOriginal}).
 * Both moves are one differentiable index operation.
 *
 * <p>Rows that need no grouping (one modality present, or a computation with one parameter set for
 * every modality) are a single chunk in their original order: the same code runs the dense baseline
 * without any gather.
 */
public final class GroupedRows {

    private final ModalityRouting routing;
    private final NDArray[] chunks;

    private GroupedRows(ModalityRouting routing, NDArray[] chunks) {
        this.routing = routing;
        this.chunks = chunks;
    }

    /**
     * Rows in their original order as one chunk that every modality's function will see as modality
     * {@code modality} (for a tied computation any modality will do).
     *
     * @param rows {@code (N, ...)} rows
     * @param modality the modality id passed to functions of the chunk
     * @param numModalities M
     * @return the single-chunk rows
     */
    public static GroupedRows ungrouped(NDArray rows, int modality, int numModalities) {
        NDArray[] chunks = new NDArray[numModalities];
        chunks[modality] = rows;
        return new GroupedRows(null, chunks);
    }

    /**
     * Groups rows in their original order by modality.
     *
     * @param routing the routing of the batch
     * @param rows {@code (B·T, ...)} rows in the order of the routing's ids
     * @return grouped rows; a single ungrouped chunk when the routing has one modality present
     */
    public static GroupedRows fromOriginal(ModalityRouting routing, NDArray rows) {
        if (routing.permutation() == null) {
            return ungrouped(rows, routing.onlyModality(), routing.numModalities());
        }
        return fromSorted(routing, rows.get(new NDIndex("{}", routing.permutation())));
    }

    /**
     * Splits rows that are already in the routing's sorted order (for example the embeddings of
     * tokens that were sorted first) into chunks; no copy is made.
     *
     * @param routing the routing of the batch, with at least two modalities present
     * @param sorted {@code (B·T, ...)} rows sorted by modality
     * @return grouped rows
     */
    public static GroupedRows fromSorted(ModalityRouting routing, NDArray sorted) {
        if (routing.permutation() == null) {
            return ungrouped(sorted, routing.onlyModality(), routing.numModalities());
        }
        NDList parts = sorted.split(routing.chunkEnds(), 0);
        NDArray[] chunks = new NDArray[routing.numModalities()];
        for (int m = 0; m < chunks.length; m++) {
            if (routing.isPresent(m)) {
                chunks[m] = parts.get(m);
            }
        }
        return new GroupedRows(routing, chunks);
    }

    /**
     * Rows given as one chunk per modality (null where a modality has no rows), each in the
     * routing's sorted order.
     *
     * @param routing the routing of the batch, with at least two modalities present
     * @param chunks one entry per modality
     * @return grouped rows
     */
    public static GroupedRows fromChunks(ModalityRouting routing, NDArray[] chunks) {
        if (routing.permutation() == null || chunks.length != routing.numModalities()) {
            throw new IllegalArgumentException(
                    "chunks need a routing with several modalities present and one slot per modality");
        }
        for (int m = 0; m < chunks.length; m++) {
            if ((chunks[m] != null) != routing.isPresent(m)) {
                throw new IllegalArgumentException(
                        "modality "
                                + m
                                + (routing.isPresent(m)
                                        ? " has rows but no chunk"
                                        : " has a chunk but no rows"));
            }
        }
        return new GroupedRows(routing, chunks.clone());
    }

    /** The routing the rows are grouped by; null when they are one chunk in sequence order. */
    public ModalityRouting routing() {
        return routing;
    }

    /** Whether the rows are grouped (sorted) rather than one chunk in the original order. */
    public boolean isGrouped() {
        return routing != null;
    }

    /** Number of modalities M (chunk slots). */
    public int numModalities() {
        return chunks.length;
    }

    /** Modality {@code m}'s chunk, or null when it has no rows here. */
    public NDArray chunk(int m) {
        return chunks[m];
    }

    /** Applies each modality's function to its own chunk. */
    public GroupedRows map(ModalityFunction f) {
        NDArray[] out = new NDArray[chunks.length];
        for (int m = 0; m < chunks.length; m++) {
            if (chunks[m] != null) {
                out[m] = f.apply(chunks[m], m);
            }
        }
        return new GroupedRows(routing, out);
    }

    /** Combines two groupings of the same rows chunk by chunk (e.g. a residual addition). */
    public GroupedRows combine(GroupedRows other, BinaryOperator<NDArray> op) {
        if (other.routing != routing || other.chunks.length != chunks.length) {
            throw new IllegalArgumentException("the two row groupings differ");
        }
        NDArray[] out = new NDArray[chunks.length];
        for (int m = 0; m < chunks.length; m++) {
            if (chunks[m] != null) {
                out[m] = op.apply(chunks[m], other.chunks[m]);
            }
        }
        return new GroupedRows(routing, out);
    }

    /** Chunk-wise sum, for residual connections. */
    public GroupedRows add(GroupedRows other) {
        return combine(other, NDArray::add);
    }

    /** Groups rows given in their original order the same way as these rows. */
    public GroupedRows regroup(NDArray originalRows) {
        if (routing == null) {
            for (int m = 0; m < chunks.length; m++) {
                if (chunks[m] != null) {
                    return ungrouped(originalRows, m, chunks.length);
                }
            }
            throw new IllegalStateException("no rows");
        }
        return fromOriginal(routing, originalRows);
    }

    /** The rows sorted by modality as one array (the chunks concatenated). */
    public NDArray sorted() {
        NDList present = new NDList(chunks.length);
        for (NDArray c : chunks) {
            if (c != null) {
                present.add(c);
            }
        }
        return present.size() == 1 ? present.head() : NDArrays.concat(present, 0);
    }

    /** The rows in their original order (one gather, or none when ungrouped). */
    public NDArray toOriginal() {
        NDArray sorted = sorted();
        return routing == null
                ? sorted
                : sorted.get(new NDIndex("{}", routing.inversePermutation()));
    }
}
