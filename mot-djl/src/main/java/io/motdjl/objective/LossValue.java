package io.motdjl.objective;

import ai.djl.ndarray.NDArray;

import java.util.List;
import java.util.Objects;

/**
 * One batch's loss on the device: the scalar to minimise, the additive terms it is made of, and the
 * per-modality means it reports.
 *
 * @param mean the scalar loss, differentiable (NaN if nothing was counted); the sum of {@code
 *     weight · mean} over the terms whose count is not zero
 * @param perModality {@code (M)} the objective's per-modality means (NaN where a modality has
 *     none), for reporting
 * @param perModalityCount {@code (M)} how many items (tokens, patches) each mean is over, so that
 *     batches combine by count ({@link ModalityLosses})
 * @param terms the loss's additive parts ({@link LossTerm}), at least one
 */
public record LossValue(
        NDArray mean, NDArray perModality, NDArray perModalityCount, List<LossTerm> terms) {

    /** Checks the parts and copies the terms. */
    public LossValue {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(perModality, "perModality");
        Objects.requireNonNull(perModalityCount, "perModalityCount");
        terms = List.copyOf(terms);
        if (terms.isEmpty()) {
            throw new IllegalArgumentException("a loss needs at least one term");
        }
    }

    /**
     * A loss that is one mean over every counted item: a single term of weight 1 whose count is the
     * sum of {@code perModalityCount} (a next-token loss, for example).
     */
    public LossValue(NDArray mean, NDArray perModality, NDArray perModalityCount) {
        this(
                mean,
                perModality,
                perModalityCount,
                List.of(new LossTerm("loss", mean, 1.0, perModalityCount.sum())));
    }
}
