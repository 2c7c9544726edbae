package io.motdjl.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
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
        long length = tokens.getShape().get(1);
        if (!logits.getShape().slice(0, 2).equals(tokens.getShape())) {
            throw new IllegalArgumentException(
                    "logits " + logits.getShape() + " do not match tokens " + tokens.getShape());
        }
        DataType type = logits.getDataType();
        if (length < 2) {
            NDArray nan = logits.getManager().full(new Shape(), Float.NaN, type);
            NDArray nans = logits.getManager().full(new Shape(numModalities), Float.NaN, type);
            return new LossValue(
                    nan, nans, logits.getManager().zeros(new Shape(numModalities), type));
        }
        NDArray logProbs = logits.get(":, :-1, :").logSoftmax(-1);
        NDArray targets = tokens.get(":, 1:").toType(DataType.INT64, false);
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
}
