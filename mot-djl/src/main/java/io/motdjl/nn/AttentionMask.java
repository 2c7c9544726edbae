package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Builds the additive attention mask {@code (B, 1, T, T)} shared by every layer.
 *
 * <p>Query {@code i} may attend to key {@code j} when {@code j ≤ i} (causal), or when both lie in
 * the same image span ({@code spanIds[i] == spanIds[j] > 0}, the Transfusion setting's
 * bidirectional image attention); and, when given, only if key {@code j} is not padding and both
 * belong to the same packed document. A token may always attend to itself, so no row is empty
 * (padding rows then produce finite values that the loss ignores).
 */
public final class AttentionMask {

    private AttentionMask() {}

    /**
     * Builds the mask of a batch of {@code batch} sequences of {@code length} tokens.
     *
     * @param manager where the mask is made
     * @param batch B
     * @param length T
     * @param imageSpanIds {@code (B, T)} integer span ids (0 = not in a span), or null; as the
     *     input contract (docs/design.md) requires, each span a contiguous run of one modality
     * @param validTokens {@code (B, T)} 1 for real tokens, 0 for padding, or null
     * @param documentIds {@code (B, T)} integer packed-document ids {@code >= 0}, each a contiguous
     *     run, or null
     * @param type floating type of the mask
     * @return additive mask: 0 where allowed, -inf elsewhere
     */
    public static NDArray build(
            NDManager manager,
            long batch,
            long length,
            NDArray imageSpanIds,
            NDArray validTokens,
            NDArray documentIds,
            DataType type) {
        NDArray positions = manager.arange(length);
        NDArray query = positions.reshape(length, 1);
        NDArray key = positions.reshape(1, length);
        NDArray allowed = query.gte(key).reshape(1, length, length);
        if (imageSpanIds != null) {
            NDArray spanQ = imageSpanIds.reshape(batch, length, 1);
            NDArray spanK = imageSpanIds.reshape(batch, 1, length);
            NDArray sameSpan = spanQ.eq(spanK).logicalAnd(spanQ.gt(0));
            allowed = allowed.logicalOr(sameSpan);
        }
        if (documentIds != null) {
            NDArray docQ = documentIds.reshape(batch, length, 1);
            NDArray docK = documentIds.reshape(batch, 1, length);
            allowed = allowed.logicalAnd(docQ.eq(docK));
        }
        if (validTokens != null) {
            NDArray keyValid =
                    validTokens.toType(DataType.BOOLEAN, false).reshape(batch, 1, length);
            allowed = allowed.logicalAnd(keyValid);
        }
        allowed = allowed.logicalOr(query.eq(key).reshape(1, length, length));
        Shape shape = new Shape(batch, 1, length, length);
        allowed = allowed.broadcast(new Shape(batch, length, length)).reshape(shape);
        // DJL's where does not broadcast, so both branches are full-sized
        NDArray zero = manager.zeros(shape, type);
        NDArray blocked = manager.full(shape, Float.NEGATIVE_INFINITY, type);
        return NDArrays.where(allowed, zero, blocked);
    }
}
