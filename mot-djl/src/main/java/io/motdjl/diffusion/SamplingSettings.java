package io.motdjl.diffusion;

/**
 * How an image is drawn from a Transfusion model.
 *
 * @param steps denoising steps, spread evenly over the schedule (the paper: 250)
 * @param eta 1 for DDPM-style ancestral sampling (fresh noise at every step), 0 for deterministic
 *     DDIM, in between a mix (Song et al. 2021's η)
 * @param guidanceScale classifier-free guidance {@code s}: the noise estimate is {@code ε_u +
 *     s·(ε_c - ε_u)}; 1 uses the conditional estimate alone (no unconditional pass), 0 the
 *     unconditional
 * @param clip the predicted clean patch values are clipped to {@code [-clip, clip]} at each step
 *     (patches are normalised to [-1, 1]); infinity for none
 * @param seed seed of the starting noise and of every fresh draw: the same seed gives the same
 *     image
 */
public record SamplingSettings(
        int steps, double eta, double guidanceScale, double clip, long seed) {

    /** The paper's sampler: 250 ancestral steps, here with guidance scale 3 and clipping at 1. */
    public static final int PAPER_STEPS = 250;

    /**
     * Checks the values that do not depend on the schedule.
     *
     * @throws IllegalArgumentException naming the value
     */
    public SamplingSettings {
        if (steps < 1) {
            throw new IllegalArgumentException("denoising steps must be at least 1, got " + steps);
        }
        if (!(eta >= 0 && eta <= 1)) {
            throw new IllegalArgumentException("eta must be in [0, 1], got " + eta);
        }
        if (!(guidanceScale >= 0) || guidanceScale > 100) {
            throw new IllegalArgumentException(
                    "the guidance scale must be in [0, 100], got " + guidanceScale);
        }
        if (!(clip > 0)) {
            throw new IllegalArgumentException(
                    "the clip bound must be positive (infinity for none), got " + clip);
        }
    }

    /** DDPM-style ancestral sampling with {@code steps} steps. */
    public static SamplingSettings ancestral(int steps, double guidanceScale, long seed) {
        return new SamplingSettings(steps, 1.0, guidanceScale, 1.0, seed);
    }

    /** Deterministic DDIM with {@code steps} steps. */
    public static SamplingSettings ddim(int steps, double guidanceScale, long seed) {
        return new SamplingSettings(steps, 0.0, guidanceScale, 1.0, seed);
    }

    /** Whether an unconditional pass is needed. */
    public boolean needsUnconditional() {
        return guidanceScale != 1.0;
    }
}
