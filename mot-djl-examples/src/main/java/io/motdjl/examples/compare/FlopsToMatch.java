package io.motdjl.examples.compare;

import java.util.OptionalDouble;

/**
 * The paper's headline comparison: at what fraction of the dense model's training FLOPs (or
 * training time) does another model first reach the dense model's final held-out loss. Between two
 * evaluations the crossing is found by linear interpolation; before the first evaluation nothing is
 * assumed.
 */
public final class FlopsToMatch {

    private FlopsToMatch() {}

    /**
     * Returns the fraction of dense's training FLOPs at which {@code other} reaches dense's final
     * loss.
     *
     * @param dense the baseline's curve
     * @param other the compared model's curve
     * @param modality which modality's loss to compare
     * @return the other model's FLOPs at the crossing divided by dense's final FLOPs, or empty when
     *     it never reaches dense's final loss within its evaluations
     */
    public static OptionalDouble fraction(LossCurve dense, LossCurve other, int modality) {
        return crossing(dense, other.flops(), other, modality, dense.last().trainingFlops());
    }

    /**
     * Returns the fraction of dense's training time (held-out scoring excluded) at which {@code
     * other} reaches dense's final loss: the wall-clock view, measured on each curve's own clock.
     *
     * @return empty when it is not reached, or when dense recorded no time
     */
    public static OptionalDouble timeFraction(LossCurve dense, LossCurve other, int modality) {
        return crossing(dense, other.seconds(), other, modality, dense.last().trainingSeconds());
    }

    private static OptionalDouble crossing(
            LossCurve dense, double[] x, LossCurve other, int modality, double denseTotal) {
        double target = dense.last().heldOutLoss()[modality];
        double[] loss = other.loss(modality);
        if (!Double.isFinite(target) || !(denseTotal > 0)) {
            return OptionalDouble.empty();
        }
        for (int i = 0; i < loss.length; i++) {
            if (!(loss[i] <= target)) {
                continue;
            }
            if (i == 0 || !Double.isFinite(loss[i - 1])) {
                return OptionalDouble.of(x[i] / denseTotal);
            }
            // loss[i-1] > target >= loss[i]: interpolate the crossing
            double t = (loss[i - 1] - target) / (loss[i - 1] - loss[i]);
            return OptionalDouble.of((x[i - 1] + t * (x[i] - x[i - 1])) / denseTotal);
        }
        return OptionalDouble.empty();
    }
}
