package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/**
 * A modality's way into the trunk: turns the rows of a batch that belong to it into hidden rows
 * {@code (n, D)}. The Chameleon setting's adapter is the shared {@link TokenEmbedding}; a setting
 * with continuous inputs (image patches under a diffusion objective) brings an adapter that reads
 * its own arrays of the batch.
 */
public interface InputAdapter extends Block {

    /**
     * Embeds some rows of the batch.
     *
     * @param ps the parameter store
     * @param inputs the whole batch
     * @param rows int64 flat indices into the {@code B·T} rows, in the order wanted; {@code null}
     *     for all rows in sequence order
     * @param training whether this is a training pass
     * @return {@code (n, D)} hidden rows, one per index
     */
    NDArray embed(ParameterStore ps, MoTInputs inputs, NDArray rows, boolean training);
}
