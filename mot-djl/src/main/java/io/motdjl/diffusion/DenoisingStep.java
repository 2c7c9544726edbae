package io.motdjl.diffusion;

/**
 * One step of the generalised DDIM update (Song et al. 2021), on the host: from {@code x_t} and the
 * noise estimate {@code ε̂}, the clean estimate {@code x̂_0 = (x_t - √(1-ᾱ_t)·ε̂) / √ᾱ_t} (clipped,
 * and {@code ε̂} made consistent with the clipped value), then {@code x_prev = √ᾱ_prev·x̂_0 +
 * √(1-ᾱ_prev-σ²)·ε̂ + σ·z} with {@code σ = η·√((1-ᾱ_prev)/(1-ᾱ_t))·√(1-ᾱ_t/ᾱ_prev)}. η = 1 is
 * ancestral (DDPM's posterior variance over the strided schedule), η = 0 deterministic DDIM. The
 * step past the last timestep has {@code ᾱ_prev = 1} and returns {@code x̂_0}.
 */
public final class DenoisingStep {

    private DenoisingStep() {}

    /**
     * The timesteps a sampler visits: {@code steps} values spread evenly over {@code [0, T-1]},
     * largest first, always including {@code T-1} and 0.
     */
    public static int[] timesteps(CosineSchedule schedule, int steps) {
        int last = schedule.timesteps() - 1;
        if (steps < 1 || steps > schedule.timesteps()) {
            throw new IllegalArgumentException(
                    "denoising steps must be in [1, "
                            + schedule.timesteps()
                            + "] for this schedule, got "
                            + steps);
        }
        int[] out = new int[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = steps == 1 ? last : (int) Math.round(last * (1.0 - (double) i / (steps - 1)));
        }
        return out;
    }

    /**
     * Applies the update in place to {@code x}.
     *
     * @param schedule the noise schedule
     * @param x {@code x_t}, replaced by {@code x_prev}
     * @param epsilon the noise estimate at {@code x_t}
     * @param t the current timestep
     * @param previous the next timestep to visit, or -1 past the last
     * @param eta η
     * @param clip bound of the clean estimate's values
     * @param noise fresh standard normal values (used only when σ > 0)
     */
    public static void apply(
            CosineSchedule schedule,
            float[] x,
            float[] epsilon,
            int t,
            int previous,
            double eta,
            double clip,
            float[] noise) {
        double alphaBar = schedule.alphaBar(t);
        double alphaBarPrevious = previous < 0 ? 1.0 : schedule.alphaBar(previous);
        double sigma =
                previous < 0
                        ? 0
                        : eta
                                * Math.sqrt((1 - alphaBarPrevious) / (1 - alphaBar))
                                * Math.sqrt(1 - alphaBar / alphaBarPrevious);
        double signal = Math.sqrt(alphaBar);
        double noiseScale = Math.sqrt(1 - alphaBar);
        double direction = Math.sqrt(Math.max(0, 1 - alphaBarPrevious - sigma * sigma));
        for (int i = 0; i < x.length; i++) {
            double clean = (x[i] - noiseScale * epsilon[i]) / signal;
            clean = Math.max(-clip, Math.min(clip, clean));
            double eps = (x[i] - signal * clean) / noiseScale;
            double next = Math.sqrt(alphaBarPrevious) * clean + direction * eps;
            if (sigma > 0) {
                next += sigma * noise[i];
            }
            x[i] = (float) next;
        }
    }
}
