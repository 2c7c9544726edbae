package io.motdjl.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

import io.motdjl.nn.MoTOutputs;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Any {@link Objective} as a DJL {@link Loss}, so that DJL's {@code Trainer}, evaluators and
 * listeners use it: the value is the objective's scalar loss; predictions are the model's output
 * list ({@link MoTOutputs}).
 *
 * <p>Beyond the scalar, each evaluation leaves its per-modality losses on the host ({@link
 * #lastEvaluation()}), and the DJL accumulators (as used by {@code EvaluatorTrainingListener})
 * combine batches by count ({@link #getModalityAccumulator}), not by batch.
 */
public final class ObjectiveLoss extends Loss {

    private static final int RECENT = 16;

    private final Objective objective;
    private final Map<String, ModalityLosses> accumulators = new ConcurrentHashMap<>();
    // the latest few, so that listeners given a batch's blocks per device reuse them all
    private final Deque<Evaluation> recent = new ArrayDeque<>();

    /** The losses of one evaluation and the arrays they were computed from (by identity). */
    private record Evaluation(NDArray output, NDArray label, ModalityLosses losses) {}

    /** The next-token objective for {@code numModalities} modalities, named {@code "loss"}. */
    public ObjectiveLoss(int numModalities) {
        this(new NextTokenObjective(numModalities));
    }

    /** {@code objective} as a loss named {@code "loss"}. */
    public ObjectiveLoss(Objective objective) {
        this("loss", objective);
    }

    /** {@code objective} as a loss with a name of its own (DJL keys metrics by evaluator name). */
    public ObjectiveLoss(String name, Objective objective) {
        super(name);
        this.objective = java.util.Objects.requireNonNull(objective, "objective");
    }

    /** The objective. */
    public Objective objective() {
        return objective;
    }

    /** Number of modalities M. */
    public int numModalities() {
        return objective.numModalities();
    }

    /**
     * The objective's scalar loss, differentiable. Also copies this batch's per-modality losses to
     * the host (one device sync), readable through {@link #lastEvaluation()}.
     */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        return evaluateValue(labels, predictions).mean();
    }

    /**
     * The objective's full result, like {@link #evaluate}, which it records the same way: its
     * per-modality losses are copied to the host (one device sync) and kept for the listeners.
     */
    public LossValue evaluateValue(NDList labels, NDList predictions) {
        LossValue result = compute(labels, predictions);
        Evaluation e = new Evaluation(predictions.get(0), labels.get(0), ModalityLosses.of(result));
        synchronized (recent) {
            if (recent.size() == RECENT) {
                recent.removeLast();
            }
            recent.addFirst(e);
        }
        return result;
    }

    private ModalityLosses recorded(NDList labels, NDList predictions) {
        synchronized (recent) {
            for (Evaluation e : recent) {
                if (e.output() == predictions.get(0) && e.label() == labels.get(0)) {
                    return e.losses();
                }
            }
        }
        return null;
    }

    /** The full result (loss, per-modality means and counts) on the device, differentiable. */
    public LossValue compute(NDList labels, NDList predictions) {
        if (labels.isEmpty() || predictions.isEmpty()) {
            throw new IllegalArgumentException(
                    objective
                            + " needs labels and the model's outputs; got "
                            + labels.size()
                            + " label(s) and "
                            + predictions.size()
                            + " prediction(s)");
        }
        return objective.evaluate(MoTOutputs.of(predictions), labels);
    }

    /** Per-modality losses of the most recent {@link #evaluate}; null before the first. */
    public ModalityLosses lastEvaluation() {
        synchronized (recent) {
            Evaluation e = recent.peekFirst();
            return e == null ? null : e.losses();
        }
    }

    /** {@inheritDoc} */
    @Override
    public void addAccumulator(String key) {
        accumulators.put(key, ModalityLosses.empty(numModalities()));
    }

    /** {@inheritDoc} */
    @Override
    public void updateAccumulator(String key, NDList labels, NDList predictions) {
        updateAccumulators(new String[] {key}, labels, predictions);
    }

    /**
     * Adds a batch to accumulators. When the batch is one of the latest {@link #evaluate
     * evaluated}, its host copy is reused instead of recomputing the loss.
     */
    @Override
    public void updateAccumulators(String[] keys, NDList labels, NDList predictions) {
        ModalityLosses batch = recorded(labels, predictions);
        if (batch == null) {
            batch = ModalityLosses.of(compute(labels, predictions));
        }
        for (String key : keys) {
            accumulators.merge(key, batch, ModalityLosses::plus);
        }
    }

    /** {@inheritDoc} */
    @Override
    public void resetAccumulator(String key) {
        accumulators.computeIfPresent(key, (k, v) -> ModalityLosses.empty(numModalities()));
    }

    /** The count-weighted mean loss accumulated under {@code key}; NaN without items. */
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
