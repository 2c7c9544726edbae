package io.motdjl.examples.compare;

import java.util.OptionalDouble;

/**
 * The paper's headline comparison: at what fraction of the dense model's training FLOPs does the
 * MoT first reach the dense model's final held-out loss. Between two evaluations the crossing is
 * found by linear interpolation in FLOPs; before the first evaluation nothing is assumed.
 */
public final class FlopsToMatch {

    private FlopsToMatch() {}

    /**
     * Returns the fraction of dense's training FLOPs at which the MoT reaches dense's final loss.
     *
     * @param dense the baseline's curve
     * @param mot the MoT's curve
     * @param modality which modality's loss to compare
     * @return MoT's FLOPs at the crossing divided by dense's final FLOPs, or empty when the MoT
     *     never reaches dense's final loss within its evaluations
     */
    public static OptionalDouble fraction(LossCurve dense, LossCurve mot, int modality) {
        double target = dense.last().heldOutLoss()[modality];
        double denseFlops = dense.last().trainingFlops();
        double[] flops = mot.flops();
        double[] loss = mot.loss(modality);
        if (!Double.isFinite(target) || denseFlops <= 0) {
            return OptionalDouble.empty();
        }
        for (int i = 0; i < loss.length; i++) {
            if (!(loss[i] <= target)) {
                continue;
            }
            if (i == 0 || !Double.isFinite(loss[i - 1])) {
                return OptionalDouble.of(flops[i] / denseFlops);
            }
            // loss[i-1] > target >= loss[i]: interpolate the crossing
            double t = (loss[i - 1] - target) / (loss[i - 1] - loss[i]);
            double crossing = flops[i - 1] + t * (flops[i] - flops[i - 1]);
            return OptionalDouble.of(crossing / denseFlops);
        }
        return OptionalDouble.empty();
    }
}
