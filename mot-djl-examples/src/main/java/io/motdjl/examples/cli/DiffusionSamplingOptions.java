package io.motdjl.examples.cli;

import io.motdjl.diffusion.SamplingSettings;
import io.motdjl.zoo.DiffusionOptions;

import java.util.List;
import java.util.Locale;

/**
 * The diffusion sampling options of {@code mot generate}, for the images of Transfusion-setting
 * models: {@code --sampler ddim|ancestral}, {@code --steps S} in [1, 1000] (default 50 for DDIM,
 * the paper's 250 for ancestral), {@code --guidance G} in [0, 100] (default 3), and the shared
 * {@code --seed}.
 */
final class DiffusionSamplingOptions {

    /** The options only diffusion sampling reads. */
    static final List<String> NAMES = List.of("sampler", "steps", "guidance");

    /** Help lines for the options. */
    static final List<String> HELP =
            List.of(
                    "  --sampler ddim|ancestral  DDIM (deterministic, default) or ancestral (fresh"
                            + " noise at each step)",
                    "  --steps S               denoising steps in [1, "
                            + DiffusionOptions.MAX_STEPS
                            + "] (default "
                            + DiffusionOptions.Sampler.DDIM.defaultSteps()
                            + " with ddim, "
                            + DiffusionOptions.Sampler.ANCESTRAL.defaultSteps()
                            + " with ancestral)",
                    "  --guidance G            classifier-free guidance scale in [0, "
                            + (int) DiffusionOptions.MAX_GUIDANCE
                            + "] (default "
                            + (int) DiffusionOptions.DEFAULT_GUIDANCE
                            + "; 1 = the caption alone, 0 = no caption)");

    private DiffusionSamplingOptions() {}

    /** The diffusion options given on the command line, as {@code --name}. */
    static List<String> given(CommandOptions options) {
        return NAMES.stream().filter(options::has).map(n -> "--" + n).toList();
    }

    /**
     * Reads the settings.
     *
     * @param options the parsed options
     * @param synopsis the command's synopsis, for error messages
     * @return the settings, defaults where an option is absent
     * @throws UsageException naming the option and its value when it is out of range
     */
    static SamplingSettings parse(CommandOptions options, String synopsis) {
        DiffusionOptions.Sampler sampler =
                DiffusionOptions.Sampler.of(
                        options.optionalChoice(
                                "sampler",
                                DiffusionOptions.Sampler.DDIM.id(),
                                List.of(
                                        DiffusionOptions.Sampler.DDIM.id(),
                                        DiffusionOptions.Sampler.ANCESTRAL.id()),
                                synopsis));
        int steps = options.optionalInt("steps", sampler.defaultSteps(), synopsis);
        if (steps < 1 || steps > DiffusionOptions.MAX_STEPS) {
            throw new UsageException(
                    "--steps must be in [1, " + DiffusionOptions.MAX_STEPS + "], got " + steps);
        }
        double guidance =
                options.optionalDouble("guidance", DiffusionOptions.DEFAULT_GUIDANCE, synopsis);
        if (!(guidance >= 0 && guidance <= DiffusionOptions.MAX_GUIDANCE)) {
            throw new UsageException(
                    String.format(
                            Locale.ROOT,
                            "--guidance must be in [0, %d], got %s",
                            (int) DiffusionOptions.MAX_GUIDANCE,
                            options.optionalString("guidance", "")));
        }
        return sampler.settings(steps, guidance, options.optionalInt("seed", 0, synopsis));
    }
}
