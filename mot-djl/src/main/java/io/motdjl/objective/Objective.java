package io.motdjl.objective;

import ai.djl.ndarray.NDList;

import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTOutputs;

/**
 * What training minimises: turns a model's named outputs and a batch's labels into a scalar loss
 * and per-modality metrics. {@link NextTokenObjective} is the Chameleon setting's; {@link
 * WithAuxiliaryLosses} adds the auxiliary losses blocks report (a mixture of experts' load
 * balancing, for example). {@link ObjectiveLoss} makes any objective a DJL {@code Loss}, which is
 * how {@code TrainingRun} and DJL's {@code Trainer} use it.
 */
public interface Objective {

    /** Number of modalities M the per-modality metrics cover. */
    int numModalities();

    /**
     * The loss of one batch.
     *
     * @param outputs the model's outputs
     * @param labels the batch's labels (layout defined by the objective)
     * @return the differentiable loss and per-modality metrics, on the outputs' device
     * @throws IllegalArgumentException if outputs or labels do not have the layout it needs
     */
    LossValue evaluate(MoTOutputs outputs, NDList labels);

    /**
     * Checks that this objective can train a model of {@code config}, before anything is built:
     * e.g. that the modality it scores exists and any schedule it uses is the model's. The default
     * checks nothing ({@code RunOptions} checks the modality count of every objective).
     *
     * @param config the model's config
     * @throws IllegalArgumentException if it cannot, saying why
     */
    default void requireFits(MoTConfig config) {}

    /**
     * Whether this objective adds the auxiliary losses a model reports ({@link
     * MoTOutputs#auxiliaryLosses}) to the loss it minimises. Training refuses a model that reports
     * some to an objective that does not, so that none is dropped silently. False by default.
     */
    default boolean weighsAuxiliaryLosses() {
        return false;
    }

    /**
     * Whether this objective's batches may hold image spans ({@code image_span_ids > 0}: attention
     * bidirectional inside each image). Only an objective that predicts no token from inside a span
     * may allow them; a next-token loss would see its own targets. False by default.
     */
    default boolean allowsImageSpans() {
        return false;
    }

    /**
     * Turns a batch as the data gives it into what the model and {@link #evaluate} see, e.g. the
     * diffusion objective noises the images and adds the noise to the labels. Every array it makes
     * must belong to the batch's manager (the data's), so that it is closed with the batch. The
     * default passes the batch through.
     *
     * @param data the batch's inputs
     * @param labels the batch's labels
     * @param seed the seed of any randomness, given by the caller so that a resumed run and a
     *     repeated held-out evaluation draw the same numbers
     * @return the batch to run
     */
    default PreparedBatch prepare(NDList data, NDList labels, long seed) {
        return new PreparedBatch(data, labels);
    }
}
