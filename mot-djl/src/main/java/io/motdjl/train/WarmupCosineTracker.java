package io.motdjl.train;

import ai.djl.training.tracker.Tracker;

/**
 * Learning-rate schedule: linear warmup from 0 to the peak over {@code W} steps, then a cosine
 * decay from the peak to a floor at {@code totalSteps}, then the floor.
 *
 * <p>{@code numUpdate} is the 1-based number of the update being made, as DJL optimizers pass it
 * (the first update is 1). So
 *
 * <pre>
 *   lr(t) = peak · t / W                                                    for 1 ≤ t ≤ W
 *   lr(t) = floor + (peak − floor) · ½ · (1 + cos(π · (t − W) / (S − W)))   for W &lt; t ≤ S
 *   lr(t) = floor                                                           for t &gt; S
 * </pre>
 *
 * <p>The warmup line starts at 0 for {@code t = 0}, so the first update already moves the weights
 * (with {@code peak / W}), and the peak is reached exactly at {@code t = W}.
 */
public final class WarmupCosineTracker implements Tracker {

    private final double peakValue;
    private final double finalValue;
    private final int warmupSteps;
    private final int totalSteps;

    private WarmupCosineTracker(Builder b) {
        peakValue = b.peakValue;
        finalValue = b.finalValue;
        warmupSteps = b.warmupSteps;
        totalSteps = b.totalSteps;
    }

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@inheritDoc} */
    @Override
    public float getNewValue(int numUpdate) {
        return (float) valueAt(numUpdate);
    }

    /** The schedule in double precision at update {@code t} (1-based); 0 for {@code t ≤ 0}. */
    public double valueAt(long t) {
        if (t <= 0) {
            return 0.0;
        }
        if (t <= warmupSteps) {
            return peakValue * t / warmupSteps;
        }
        if (t >= totalSteps) {
            return finalValue;
        }
        double progress = (double) (t - warmupSteps) / (totalSteps - warmupSteps);
        return finalValue + (peakValue - finalValue) * 0.5 * (1.0 + Math.cos(Math.PI * progress));
    }

    /** The learning rate at the end of warmup. */
    public double peakValue() {
        return peakValue;
    }

    /** The floor reached at {@link #totalSteps()}. */
    public double finalValue() {
        return finalValue;
    }

    /** Number of warmup updates W. */
    public int warmupSteps() {
        return warmupSteps;
    }

    /** Update at which the cosine reaches the floor. */
    public int totalSteps() {
        return totalSteps;
    }

    /** Builder for {@link WarmupCosineTracker}. */
    public static final class Builder {
        private double peakValue = Double.NaN;
        private double finalValue;
        private int warmupSteps;
        private int totalSteps;

        private Builder() {}

        /** The learning rate reached at the end of warmup (required, positive). */
        public Builder setPeakValue(double v) {
            peakValue = v;
            return this;
        }

        /** The floor of the cosine, reached at the total step count (default 0). */
        public Builder optFinalValue(double v) {
            finalValue = v;
            return this;
        }

        /** Number of linear warmup updates (default 0: start at the peak). */
        public Builder optWarmupSteps(int v) {
            warmupSteps = v;
            return this;
        }

        /** The update at which the cosine reaches the floor (required, ≥ warmup steps, ≥ 1). */
        public Builder setTotalSteps(int v) {
            totalSteps = v;
            return this;
        }

        /** Builds and validates the schedule. */
        public WarmupCosineTracker build() {
            if (!(peakValue > 0) || Double.isInfinite(peakValue)) {
                throw new IllegalArgumentException(
                        "the peak learning rate must be positive and finite, got " + peakValue);
            }
            if (!(finalValue >= 0) || finalValue > peakValue) {
                throw new IllegalArgumentException(
                        "the final learning rate must be in [0, peak = "
                                + peakValue
                                + "], got "
                                + finalValue);
            }
            if (warmupSteps < 0 || totalSteps < 1 || warmupSteps > totalSteps) {
                throw new IllegalArgumentException(
                        "need 0 <= warmup steps <= total steps and total steps >= 1, got warmup "
                                + warmupSteps
                                + " and total "
                                + totalSteps);
            }
            return new WarmupCosineTracker(this);
        }
    }
}
