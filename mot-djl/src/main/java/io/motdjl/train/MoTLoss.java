package io.motdjl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import io.motdjl.objective.NextTokenLoss;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Next-token cross-entropy of a {@link io.motdjl.nn.MoTModel} as a DJL {@link Loss}.
 *
 * <p>Labels: {@code [tokens (B, T), modalities (B, T), attention_mask (B, T)]}, the mask optional
 * (1 = real token, 0 = padding). Predictions: {@code [logits (B, T, V)]}. The value is the mean
 * over every prediction whose input and target are real tokens ({@link NextTokenLoss#compute}).
 *
 * <p>Beyond the scalar, each evaluation leaves its per-modality losses on the host ({@link
 * #lastEvaluation()}), and the DJL accumulators (as used by {@code EvaluatorTrainingListener})
 * combine batches by token count ({@link #getModalityAccumulator}), not by batch.
 */
public final class MoTLoss extends Loss {

    private final int numModalities;
    private final Map<String, ModalityLosses> accumulators = new ConcurrentHashMap<>();
    private volatile Evaluation last;

    /** The losses of one evaluation and the arrays they were computed from (by identity). */
    private record Evaluation(NDArray logits, NDArray tokens, ModalityLosses losses) {}

    /** A loss named {@code "loss"} for a model with {@code numModalities} modalities. */
    public MoTLoss(int numModalities) {
        this("loss", numModalities);
    }

    /** A loss with a name of its own (DJL keys metrics by evaluator name). */
    public MoTLoss(String name, int numModalities) {
        super(name);
        if (numModalities < 1) {
            throw new IllegalArgumentException(
                    "the number of modalities must be positive, got " + numModalities);
        }
        this.numModalities = numModalities;
    }

    /** Number of modalities M. */
    public int numModalities() {
        return numModalities;
    }

    /**
     * The mean next-token loss, differentiable. Also copies this batch's per-modality losses to the
     * host (one device sync), readable through {@link #lastEvaluation()}.
     */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NextTokenLoss.Result result = compute(labels, predictions);
        last = new Evaluation(predictions.get(0), labels.get(0), ModalityLosses.of(result));
        return result.mean();
    }

    /** The full result (mean, per-modality means and counts) on the device, differentiable. */
    public NextTokenLoss.Result compute(NDList labels, NDList predictions) {
        if (labels.size() < 2 || labels.size() > 3 || predictions.isEmpty()) {
            throw new IllegalArgumentException(
                    "MoTLoss needs labels [tokens, modalities, attention_mask (optional)] and"
                            + " predictions [logits]; got "
                            + labels.size()
                            + " label(s) and "
                            + predictions.size()
                            + " prediction(s)");
        }
        NDArray valid = labels.size() > 2 ? labels.get(2) : null;
        return NextTokenLoss.compute(
                predictions.get(0), labels.get(0), labels.get(1), valid, numModalities);
    }

    /** Per-modality losses of the most recent {@link #evaluate}; null before the first. */
    public ModalityLosses lastEvaluation() {
        Evaluation e = last;
        return e == null ? null : e.losses();
    }

    /** {@inheritDoc} */
    @Override
    public void addAccumulator(String key) {
        accumulators.put(key, ModalityLosses.empty(numModalities));
    }

    /** {@inheritDoc} */
    @Override
    public void updateAccumulator(String key, NDList labels, NDList predictions) {
        updateAccumulators(new String[] {key}, labels, predictions);
    }

    /**
     * Adds a batch to accumulators. When the batch is the one just {@link #evaluate evaluated}, its
     * host copy is reused instead of recomputing the loss.
     */
    @Override
    public void updateAccumulators(String[] keys, NDList labels, NDList predictions) {
        Evaluation e = last;
        ModalityLosses batch =
                e != null && e.logits() == predictions.get(0) && e.tokens() == labels.get(0)
                        ? e.losses()
                        : ModalityLosses.of(compute(labels, predictions));
        for (String key : keys) {
            accumulators.merge(key, batch, ModalityLosses::plus);
        }
    }

    /** {@inheritDoc} */
    @Override
    public void resetAccumulator(String key) {
        accumulators.computeIfPresent(key, (k, v) -> ModalityLosses.empty(numModalities));
    }

    /** The token-weighted mean loss accumulated under {@code key}; NaN without tokens. */
    @Override
    public float getAccumulator(String key) {
        return (float) getModalityAccumulator(key).mean();
    }

    /** The per-modality sums and counts accumulated under {@code key}. */
    public ModalityLosses getModalityAccumulator(String key) {
        ModalityLosses value = accumulators.get(key);
        if (value == null) {
            throw new IllegalArgumentException("No loss accumulated under key " + key);
        }
        return value;
    }
}
