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

    /**
     * Returns the fraction of the FLOPs dense took to its <em>best</em> held-out loss at which
     * {@code other} first reaches that loss: the comparison for a held-out curve that turns up
     * again (over-fitting), where dense's final loss is above its best and reaching it says little.
     * Equal to {@link #fraction} when dense's best is its final evaluation.
     *
     * @return empty when it is not reached, or dense has no finite loss
     */
    public static OptionalDouble bestFraction(LossCurve dense, LossCurve other, int modality) {
        int best = bestIndex(dense, modality);
        if (best < 0) {
            return OptionalDouble.empty();
        }
        return crossing(
                dense.loss(modality)[best], other.flops(), other, modality, dense.flops()[best]);
    }

    /** The evaluation at which {@code curve}'s loss is lowest (the first if tied), or -1. */
    public static int bestIndex(LossCurve curve, int modality) {
        double[] loss = curve.loss(modality);
        int best = -1;
        for (int i = 0; i < loss.length; i++) {
            if (Double.isFinite(loss[i]) && (best < 0 || loss[i] < loss[best])) {
                best = i;
            }
        }
        return best;
    }

    private static OptionalDouble crossing(
            LossCurve dense, double[] x, LossCurve other, int modality, double denseTotal) {
        return crossing(dense.last().heldOutLoss()[modality], x, other, modality, denseTotal);
    }

    private static OptionalDouble crossing(
            double target, double[] x, LossCurve other, int modality, double denseTotal) {
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
