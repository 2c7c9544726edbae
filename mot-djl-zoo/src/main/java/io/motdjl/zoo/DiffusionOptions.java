package io.motdjl.zoo;

import io.motdjl.config.DiffusionConfig;
import io.motdjl.diffusion.SamplingSettings;

import java.util.Locale;
import java.util.Map;

/**
 * How the Transfusion caption → image translator ({@link TransfusionCaptionToImageTranslator})
 * draws images by diffusion, read from the {@code arguments} of a DJL {@code Criteria} ({@code
 * optArgument(key, value)}) or from a model's {@code serving.properties}. Values may be numbers or
 * strings that hold one; every key is optional:
 *
 * <table>
 *   <caption>Diffusion sampling arguments</caption>
 *   <tr><th>key</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@value #SAMPLER}</td><td>{@code ddim} (deterministic, η = 0) or {@code ancestral}
 *       (DDPM-style, fresh noise at every step, η = 1)</td><td>{@code ddim}</td></tr>
 *   <tr><td>{@value #STEPS}</td><td>denoising steps, an integer in [1, the model's timesteps
 *       (1,000)]</td><td>{@value #DEFAULT_DDIM_STEPS} for DDIM, {@value
 *       SamplingSettings#PAPER_STEPS} (the paper's) for ancestral</td></tr>
 *   <tr><td>{@value #GUIDANCE}</td><td>classifier-free guidance scale in [0, {@value
 *       #MAX_GUIDANCE}]: 1 the caption alone, 0 no caption, above 1 towards the caption</td>
 *       <td>{@value #DEFAULT_GUIDANCE}</td></tr>
 *   <tr><td>{@value #SEED}</td><td>seed of the noise (an integer): image {@code i} of a batch
 *       starts from seed + i; the same seed gives the same image</td><td>0</td></tr>
 * </table>
 *
 * <p>The predicted clean patches are clipped to [-1, 1] at every step. Other keys are left to
 * whoever reads them (the image → caption translator reads {@link GenerationOptions}).
 */
public final class DiffusionOptions {

    /** Argument key: denoising steps. */
    public static final String STEPS = "steps";

    /** Argument key: the sampler, {@code ddim} or {@code ancestral}. */
    public static final String SAMPLER = "sampler";

    /** Argument key: the classifier-free guidance scale. */
    public static final String GUIDANCE = "guidance";

    /** Argument key: seed of the noise (the same key as {@link GenerationOptions#SEED}). */
    public static final String SEED = GenerationOptions.SEED;

    /** Denoising steps of the DDIM sampler when {@value #STEPS} is not given. */
    public static final int DEFAULT_DDIM_STEPS = 50;

    /** The most denoising steps: the timesteps of the paper's schedule. */
    public static final int MAX_STEPS = DiffusionConfig.DEFAULT_TIMESTEPS;

    /** The guidance scale when {@value #GUIDANCE} is not given. */
    public static final double DEFAULT_GUIDANCE = 3.0;

    /** The largest guidance scale. */
    public static final double MAX_GUIDANCE = 100.0;

    /** A way to walk the noise schedule back. */
    public enum Sampler {
        /** Deterministic DDIM (η = 0). */
        DDIM(DEFAULT_DDIM_STEPS),
        /** DDPM-style ancestral sampling (η = 1), the paper's, with its 250 steps by default. */
        ANCESTRAL(SamplingSettings.PAPER_STEPS);

        private final int defaultSteps;

        Sampler(int defaultSteps) {
            this.defaultSteps = defaultSteps;
        }

        /** Its name in arguments and on command lines: {@code ddim} or {@code ancestral}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Its denoising steps when none are given. */
        public int defaultSteps() {
            return defaultSteps;
        }

        /**
         * The settings of this sampler (predicted clean patches clipped to [-1, 1]).
         *
         * @throws IllegalArgumentException for steps below 1 or a guidance scale outside [0, 100]
         */
        public SamplingSettings settings(int steps, double guidance, long seed) {
            return this == DDIM
                    ? SamplingSettings.ddim(steps, guidance, seed)
                    : SamplingSettings.ancestral(steps, guidance, seed);
        }

        /**
         * The sampler called {@code id} (case-insensitive).
         *
         * @throws IllegalArgumentException naming the value and the samplers there are
         */
        public static Sampler of(String id) {
            for (Sampler s : values()) {
                if (s.id().equalsIgnoreCase(id == null ? "" : id.trim())) {
                    return s;
                }
            }
            throw new IllegalArgumentException(
                    "unknown sampler \"" + id + "\"; the samplers are ddim and ancestral");
        }
    }

    private DiffusionOptions() {}

    /** The defaults: DDIM, {@value #DEFAULT_DDIM_STEPS} steps, guidance 3, seed 0. */
    public static SamplingSettings defaults() {
        return Sampler.DDIM.settings(DEFAULT_DDIM_STEPS, DEFAULT_GUIDANCE, 0);
    }

    /**
     * Reads the sampling settings from DJL arguments.
     *
     * @param arguments the criteria's (or model's) arguments; null or empty for {@link #defaults()}
     * @return the settings
     * @throws IllegalArgumentException naming the key, the value and what was expected, if a value
     *     has the wrong type or lies outside its range
     */
    public static SamplingSettings fromArguments(Map<String, ?> arguments) {
        if (arguments == null) {
            return defaults();
        }
        Sampler sampler = Sampler.DDIM;
        Object name = arguments.get(SAMPLER);
        if (name != null) {
            try {
                sampler = Sampler.of(name.toString());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "generation argument '"
                                + SAMPLER
                                + "' must be ddim or ancestral, got "
                                + GenerationOptions.describe(name),
                        e);
            }
        }
        int steps =
                (int)
                        GenerationOptions.integerValue(
                                arguments, STEPS, sampler.defaultSteps(), 1, MAX_STEPS);
        double guidance = GenerationOptions.doubleValue(arguments, GUIDANCE, DEFAULT_GUIDANCE);
        if (!(guidance >= 0 && guidance <= MAX_GUIDANCE)) {
            throw new IllegalArgumentException(
                    "generation argument '"
                            + GUIDANCE
                            + "' must be a number in [0, "
                            + (int) MAX_GUIDANCE
                            + "], got "
                            + GenerationOptions.describe(arguments.get(GUIDANCE)));
        }
        long seed =
                GenerationOptions.integerValue(arguments, SEED, 0, Long.MIN_VALUE, Long.MAX_VALUE);
        return sampler.settings(steps, guidance, seed);
    }

    /**
     * The sampler of settings: ancestral when every step draws fresh noise (η = 1), DDIM when none
     * does (η = 0).
     *
     * @throws IllegalArgumentException for an η in between
     */
    public static Sampler samplerOf(SamplingSettings settings) {
        if (settings.eta() == 0) {
            return Sampler.DDIM;
        }
        if (settings.eta() == 1) {
            return Sampler.ANCESTRAL;
        }
        throw new IllegalArgumentException(
                "η " + settings.eta() + " is neither DDIM (0) nor ancestral (1)");
    }

    /**
     * Checks that the settings fit a model's noise schedule.
     *
     * @param settings the settings
     * @param diffusion the model's diffusion config
     * @throws IllegalArgumentException if there are more steps than the schedule's timesteps
     */
    public static void requireFits(SamplingSettings settings, DiffusionConfig diffusion) {
        if (settings.steps() > diffusion.timesteps()) {
            throw new IllegalArgumentException(
                    "generation argument '"
                            + STEPS
                            + "' must be at most the model's "
                            + diffusion.timesteps()
                            + " timesteps, got "
                            + settings.steps());
        }
    }
}
