package io.motdjl.objective;

import ai.djl.ndarray.NDList;

/**
 * A batch as an {@link Objective} prepared it: the model's inputs and the objective's labels.
 *
 * @param data the inputs, in the {@link io.motdjl.nn.MoTInputs} layout
 * @param labels the labels, in the objective's layout
 */
public record PreparedBatch(NDList data, NDList labels) {}
