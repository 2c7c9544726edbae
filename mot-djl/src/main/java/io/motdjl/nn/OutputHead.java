package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/**
 * A modality's way out of the trunk: turns final hidden rows into one named output of the model
 * (the Chameleon setting's {@link VocabularyHead} gives {@code logits}; a diffusion setting's image
 * head gives noise predictions).
 */
public interface OutputHead extends Block {

    /** The name of the model output this head produces (e.g. {@code logits}). */
    String outputName();

    /** Width of one output row. */
    long outputWidth();

    /**
     * Projects hidden rows.
     *
     * @param ps the parameter store
     * @param hidden {@code (n, D)} final hidden rows
     * @param training whether this is a training pass
     * @return {@code (n, outputWidth)}
     */
    NDArray project(ParameterStore ps, NDArray hidden, boolean training);
}
