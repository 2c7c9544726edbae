package io.motdjl.routing;

import ai.djl.ndarray.NDArray;

/** A computation with one parameter set per modality, applied to the rows of one modality. */
@FunctionalInterface
public interface ModalityFunction {

    /**
     * Applies modality {@code modality}'s parameters to {@code rows}.
     *
     * @param rows the tokens of that modality, shape {@code (n, in)}
     * @param modality the modality id of every row
     * @return the result, shape {@code (n, out)}
     */
    NDArray apply(NDArray rows, int modality);
}
