package io.motdjl.train;

import io.motdjl.objective.ModalityLosses;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one training step did. Losses are those of the step's batch before the update.
 *
 * @param step the step's number, 1-based (the run's step count after it)
 * @param epoch the epoch the batch came from, 0-based
 * @param loss the mean next-token loss that was back-propagated
 * @param losses the batch's losses per target modality (sums and counts)
 * @param learningRate the learning rate of the update
 * @param gradNorm the global gradient L2 norm before clipping
 * @param clipped whether the gradients were scaled down
 * @param tokens real (non-padding) input tokens in the batch
 * @param sequenceLength T of the batch
 * @param totalTokens real tokens processed by the run so far, this step included
 * @param totalTrainingFlops analytic training FLOPs of the run so far ({@link FlopsAccounting})
 * @param nanos wall time of the step
 * @param auxiliaryLosses the values of the blocks' auxiliary losses in the step's forward pass, by
 *     name without the {@code aux.} prefix (empty without any)
 * @param statistics the blocks' statistics in the step's forward pass (a mixture of experts' {@code
 *     expert_share} and {@code dropped}), by name without the {@code stat.} prefix
 */
public record StepReport(
        int step,
        int epoch,
        float loss,
        ModalityLosses losses,
        double learningRate,
        double gradNorm,
        boolean clipped,
        long tokens,
        int sequenceLength,
        long totalTokens,
        double totalTrainingFlops,
        long nanos,
        Map<String, Float> auxiliaryLosses,
        Map<String, float[]> statistics) {

    /** Copies the maps in their order (the arrays stay the report's own). */
    public StepReport {
        auxiliaryLosses = Collections.unmodifiableMap(new LinkedHashMap<>(auxiliaryLosses));
        statistics = Collections.unmodifiableMap(new LinkedHashMap<>(statistics));
    }
}
