/**
 * What training minimises: the {@link io.motdjl.objective.Objective} interface (model outputs and
 * labels to a loss and per-modality metrics), the next-token objective, weighted auxiliary losses,
 * and {@link io.motdjl.objective.ObjectiveLoss}, which makes any objective a DJL {@code Loss}.
 */
package io.motdjl.objective;
