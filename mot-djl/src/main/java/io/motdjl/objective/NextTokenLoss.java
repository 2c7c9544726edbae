package io.motdjl.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Next-token cross-entropy over an interleaved sequence: position {@code t} predicts token {@code
 * t+1}. The mean runs over all {@code B·(T-1)} predictions whose input and target are real
 * (non-padding) tokens; the per-modality means group predictions by the modality of the
 * <em>target</em> token and are NaN for a modality without targets.
 */
public final class NextTokenLoss {

    private NextTokenLoss() {}

    /**
     * Computes the loss.
     *
     * @param logits {@code (B, T, V)}
     * @param tokens {@code (B, T)} token ids
     * @param modalities {@code (B, T)} modality ids
     * @param validTokens {@code (B, T)} 1 for real tokens, 0 for padding; null if none is padded
     * @param numModalities M
     * @return mean and per-modality losses, in the logits' floating type
     */
    public static LossValue compute(
            NDArray logits,
            NDArray tokens,
            NDArray modalities,
            NDArray validTokens,
            int numModalities) {
        requireLayout(logits, tokens, modalities, validTokens, numModalities);
        long length = tokens.getShape().get(1);
        DataType type = logits.getDataType();
        if (length < 2) {
            NDArray nan = logits.getManager().full(new Shape(), Float.NaN, type);
            NDArray nans = logits.getManager().full(new Shape(numModalities), Float.NaN, type);
            return new LossValue(
                    nan, nans, logits.getManager().zeros(new Shape(numModalities), type));
        }
        NDArray logProbs = logits.get(":, :-1, :").logSoftmax(-1);
        NDArray targets = tokens.get(":, 1:").toType(DataType.INT64, false);
        if (validTokens != null) {
            // padding may hold any id (e.g. -100): gather id 0 there, weighed 0 below
            targets = targets.mul(validTokens.get(":, 1:").toType(DataType.INT64, false));
        }
        NDArray nll = logProbs.gather(targets.expandDims(-1), -1).squeeze(-1).neg();
        NDArray weight;
        if (validTokens == null) {
            weight = nll.onesLike();
        } else {
            NDArray valid = validTokens.toType(type, false);
            weight = valid.get(":, 1:").mul(valid.get(":, :-1"));
        }
        NDArray mean = nll.mul(weight).sum().div(weight.sum());
        NDArray targetModality = modalities.get(":, 1:");
        NDList means = new NDList(numModalities);
        NDList counts = new NDList(numModalities);
        for (int m = 0; m < numModalities; m++) {
            NDArray w = weight.mul(targetModality.eq(m).toType(type, false));
            NDArray count = w.sum();
            means.add(nll.mul(w).sum().div(count));
            counts.add(count);
        }
        return new LossValue(mean, NDArrays.stack(means), NDArrays.stack(counts));
    }

    /**
     * Refuses what would otherwise fail in native code or give a silently wrong loss: shapes other
     * than {@code (B, T, V)} and {@code (B, T)}, and (at real positions) token ids outside {@code
     * [0, V)} or modality ids outside {@code [0, M)}, which no modality's loss would count.
     */
    private static void requireLayout(
            NDArray logits,
            NDArray tokens,
            NDArray modalities,
            NDArray validTokens,
            int numModalities) {
        Shape shape = tokens.getShape();
        if (shape.dimension() != 2
                || logits.getShape().dimension() != 3
                || !logits.getShape().slice(0, 2).equals(shape)) {
            throw new IllegalArgumentException(
                    "the next-token loss needs logits (B, T, V) and tokens (B, T), got logits "
                            + logits.getShape()
                            + " and tokens "
                            + shape);
        }
        if (!modalities.getShape().equals(shape)
                || (validTokens != null && !validTokens.getShape().equals(shape))) {
            throw new IllegalArgumentException(
                    "modalities"
                            + (validTokens == null ? "" : " and the padding mask")
                            + " must have the tokens' shape "
                            + shape
                            + ", got "
                            + modalities.getShape()
                            + (validTokens == null ? "" : " and " + validTokens.getShape()));
        }
        if (numModalities < 1) {
            throw new IllegalArgumentException("M must be positive, got " + numModalities);
        }
        if (shape.size() == 0) {
            return;
        }
        long[] bounds;
        // one host read for all four bounds; padding positions count as id 0
        try (NDManager scratch = tokens.getManager().newSubManager()) {
            NDArray t = tokens.toType(DataType.INT64, true);
            NDArray m = modalities.toType(DataType.INT64, true);
            t.attach(scratch);
            m.attach(scratch);
            if (validTokens != null) {
                NDArray real = validTokens.toType(DataType.INT64, true);
                real.attach(scratch);
                t = t.mul(real);
                m = m.mul(real);
            }
            bounds = NDArrays.stack(new NDList(t.min(), t.max(), m.min(), m.max())).toLongArray();
        }
        long vocab = logits.getShape().get(2);
        if (bounds[0] < 0 || bounds[1] >= vocab) {
            throw new IllegalArgumentException(
                    "token ids must be in [0, V = "
                            + vocab
                            + "), got ids from "
                            + bounds[0]
                            + " to "
                            + bounds[1]);
        }
        if (bounds[2] < 0 || bounds[3] >= numModalities) {
            throw new IllegalArgumentException(
                    "modality ids must be in [0, M = "
                            + numModalities
                            + "), got ids from "
                            + bounds[2]
                            + " to "
                            + bounds[3]);
        }
    }
}
