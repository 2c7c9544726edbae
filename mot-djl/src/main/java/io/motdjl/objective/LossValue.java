package io.motdjl.objective;

import ai.djl.ndarray.NDArray;

/**
 * One batch's loss on the device: the scalar to minimise and the per-modality means it reports.
 *
 * @param mean the scalar loss, differentiable (NaN if nothing was counted)
 * @param perModality {@code (M)} the objective's per-modality means (NaN where a modality has
 *     none), for reporting
 * @param perModalityCount {@code (M)} how many items (tokens, patches) each mean is over, so that
 *     batches combine by count ({@link ModalityLosses})
 */
public record LossValue(NDArray mean, NDArray perModality, NDArray perModalityCount) {}
