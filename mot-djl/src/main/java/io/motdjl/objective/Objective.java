package io.motdjl.objective;

import ai.djl.ndarray.NDList;

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
}
