package io.motdjl.objective;

import ai.djl.ndarray.NDArray;

import java.util.Objects;

/**
 * One additive part of an objective's loss: {@code weight × mean}, where {@code mean} is a mean
 * over {@code count} items of the batch (target tokens, images, ...). An objective's loss is the
 * sum of its terms, which is what lets a batch split into blocks be trained as the whole batch:
 * block {@code i}'s share of a term is {@code weight · mean_i · count_i / Σ_j count_j}, and the
 * shares add up to the term on the whole batch (see {@code io.motdjl.train.BlockLosses}).
 *
 * <p>A term whose value is not a mean over items (a mixture of experts' load-balancing loss, which
 * multiplies two batch averages) is given the count of the items it was computed over; its blocks'
 * shares then add up to the count-weighted mean of the blocks' values, not to its value on the
 * whole batch.
 *
 * @param name what the term is, for messages (e.g. {@code next_token}, {@code diffusion})
 * @param mean the mean, a differentiable scalar on the device (NaN when {@code count} is 0)
 * @param weight the term's weight in the loss, finite and non-negative
 * @param count a scalar on the device: how many items the mean is over
 */
public record LossTerm(String name, NDArray mean, double weight, NDArray count) {

    /** Checks the parts. */
    public LossTerm {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(count, "count");
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException(
                    "the weight of loss term '"
                            + name
                            + "' must be finite and >= 0, got "
                            + weight);
        }
    }
}
