package io.motdjl.diffusion;

/**
 * The cosine noise schedule of Nichol and Dhariwal (2021), as Transfusion uses it: over {@code T}
 * timesteps {@code t = 0 .. T-1}, {@code ᾱ(t) = f(t+1) / f(0)} with {@code f(u) = cos²(((u/T) + s)
 * / (1 + s) · π/2)} and {@code s = 0.008}, each {@code β = 1 - ᾱ(t)/ᾱ(t-1)} clipped to 0.999. A
 * noised patch is {@code x_t = √ᾱ(t)·x_0 + √(1-ᾱ(t))·ε}; timestep 0 is the least noise, {@code T-1}
 * almost pure noise.
 */
public final class CosineSchedule {

    /** The paper's number of timesteps. */
    public static final int DEFAULT_TIMESTEPS = 1000;

    private static final double OFFSET = 0.008;
    private static final double MAX_BETA = 0.999;

    private final int timesteps;
    private final double[] alphaBar;
    private final double[] beta;

    /**
     * A schedule over {@code timesteps} steps.
     *
     * @throws IllegalArgumentException if {@code timesteps < 1}
     */
    public CosineSchedule(int timesteps) {
        if (timesteps < 1) {
            throw new IllegalArgumentException(
                    "a noise schedule needs at least one timestep, got " + timesteps);
        }
        this.timesteps = timesteps;
        alphaBar = new double[timesteps];
        beta = new double[timesteps];
        double f0 = f(0, timesteps);
        double previous = 1.0;
        for (int t = 0; t < timesteps; t++) {
            double b = Math.min(MAX_BETA, 1 - f(t + 1, timesteps) / f0 / previous);
            beta[t] = b;
            previous *= 1 - b;
            alphaBar[t] = previous;
        }
    }

    /** The schedule of the paper: 1,000 timesteps. */
    public static CosineSchedule standard() {
        return new CosineSchedule(DEFAULT_TIMESTEPS);
    }

    private static double f(double u, int timesteps) {
        double c = Math.cos((u / timesteps + OFFSET) / (1 + OFFSET) * Math.PI / 2);
        return c * c;
    }

    /** Number of timesteps T. */
    public int timesteps() {
        return timesteps;
    }

    /** {@code ᾱ(t)}, the share of the signal's variance left at timestep {@code t}. */
    public double alphaBar(int t) {
        return alphaBar[check(t)];
    }

    /** {@code β(t)}, the variance the step from {@code t-1} to {@code t} adds. */
    public double beta(int t) {
        return beta[check(t)];
    }

    /** {@code √ᾱ(t)}: the signal's coefficient in {@code x_t}. */
    public double signalScale(int t) {
        return Math.sqrt(alphaBar(t));
    }

    /** {@code √(1-ᾱ(t))}: the noise's coefficient in {@code x_t}. */
    public double noiseScale(int t) {
        return Math.sqrt(1 - alphaBar(t));
    }

    /**
     * Checks a timestep.
     *
     * @return {@code t}
     * @throws IllegalArgumentException if {@code t} is outside {@code [0, T)}
     */
    public int check(long t) {
        if (t < 0 || t >= timesteps) {
            throw new IllegalArgumentException(
                    "timestep " + t + " is outside the schedule's [0, " + timesteps + ")");
        }
        return (int) t;
    }

    @Override
    public String toString() {
        return "CosineSchedule(T=" + timesteps + ")";
    }
}
