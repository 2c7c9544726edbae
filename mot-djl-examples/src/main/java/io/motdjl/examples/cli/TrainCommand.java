package io.motdjl.examples.cli;

import io.motdjl.examples.zoo.TrainTransfusionCheckpoint;
import io.motdjl.examples.zoo.TrainZooModels;
import io.motdjl.zoo.MoTCheckpoint;
import io.motdjl.zoo.ModelCard;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code mot train}: trains one MoT (or its dense twin) in the Chameleon setting (default) or the
 * Transfusion setting on the bundled Fashion-MNIST data and writes a checkpoint directory that
 * {@code mot generate --checkpoint} and the zoo's {@code Criteria} load.
 */
final class TrainCommand implements Command {

    private static final String SYNOPSIS =
            "train --out DIR [--setting chameleon|transfusion] [--architecture mot|dense]"
                    + " [--steps N] [--dim D] [--layers L] [--heads H] [--batch B] [--lr LR]"
                    + " [--seed S] [--tokenizer-iterations K]";

    /** The options that apply to the Chameleon setting only. */
    private static final List<String> CHAMELEON_ONLY = List.of("tokenizer-iterations");

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String synopsis() {
        return SYNOPSIS;
    }

    @Override
    public String summary() {
        return "train a MoT on the bundled data and write a checkpoint directory to generate with";
    }

    @Override
    public String description() {
        TrainZooModels.Settings d = TrainZooModels.Settings.defaults();
        return String.join(
                System.lineSeparator(),
                "Trains one model on the bundled Fashion-MNIST split with the recipe of the zoo's",
                "bundled checkpoints, in one of the paper's two settings, and writes a checkpoint",
                "directory: config.json, model.safetensors, model card (model-card.json, README.md),",
                "serving.properties and checksums.sha256.",
                "  chameleon    captions and k-means image codes in one sequence, both directions,",
                "               next-token loss; the directory also holds tokenizer.json (the image",
                "               tokenizer)",
                "  transfusion  captions as text tokens and images as continuous 4x4 patches in one",
                "               sequence, next-token loss on text and diffusion loss on images;",
                "               config.json has a \"diffusion\" key, the model card the image geometry",
                "",
                "  --out DIR             the checkpoint directory (new, empty, or an earlier"
                        + " checkpoint to replace)",
                "  --setting S           chameleon or transfusion (default chameleon)",
                "  --architecture A      mot (everything untied by modality) or dense (its twin);"
                        + " default mot",
                "  --steps N             optimizer steps (default "
                        + d.steps()
                        + ", "
                        + TrainTransfusionCheckpoint.DEFAULT_STEPS
                        + " in the Transfusion setting)",
                "  --dim D               model width (default " + d.dim() + ")",
                "  --layers L            decoder layers (default " + d.layers() + ")",
                "  --heads H             attention heads (default " + d.heads() + ")",
                "  --batch B             sequences per batch (default " + d.batchSize() + ")",
                "  --lr LR               peak learning rate (default " + d.peakLearningRate() + ")",
                "  --seed S              seed of split, tokenizer, initialisation, data order"
                        + " (default "
                        + d.seed()
                        + ")",
                "  --tokenizer-iterations K  k-means iterations of the image tokenizer (default "
                        + d.tokenizerIterations()
                        + "; Chameleon only)");
    }

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        CommandOptions options =
                CommandOptions.parse(
                        args,
                        Set.of(
                                "out",
                                "setting",
                                "architecture",
                                "steps",
                                "dim",
                                "layers",
                                "heads",
                                "batch",
                                "lr",
                                "seed",
                                "tokenizer-iterations"),
                        SYNOPSIS);
        Path dir = options.requiredPath("out", SYNOPSIS);
        boolean transfusion =
                options.optionalChoice(
                                "setting",
                                "chameleon",
                                List.of("chameleon", "transfusion"),
                                SYNOPSIS)
                        .equals("transfusion");
        if (transfusion) {
            for (String option : CHAMELEON_ONLY) {
                if (options.has(option)) {
                    throw new UsageException(
                            "--"
                                    + option
                                    + " sets the k-means image tokenizer of the Chameleon setting;"
                                    + " a Transfusion-setting model reads image patches directly"
                                    + " (drop it or use --setting chameleon)");
                }
            }
        }
        String architecture =
                options.optionalChoice("architecture", "mot", List.of("mot", "dense"), SYNOPSIS);
        TrainZooModels.Settings d =
                transfusion
                        ? TrainTransfusionCheckpoint.defaults()
                        : TrainZooModels.Settings.defaults();
        TrainZooModels.Settings settings =
                new TrainZooModels.Settings(
                        positive(options.optionalInt("steps", d.steps(), SYNOPSIS), "steps"),
                        positive(options.optionalInt("dim", d.dim(), SYNOPSIS), "dim"),
                        positive(options.optionalInt("layers", d.layers(), SYNOPSIS), "layers"),
                        positive(options.optionalInt("heads", d.heads(), SYNOPSIS), "heads"),
                        positive(options.optionalInt("batch", d.batchSize(), SYNOPSIS), "batch"),
                        options.optionalDouble("lr", d.peakLearningRate(), SYNOPSIS),
                        options.optionalInt("seed", d.seed(), SYNOPSIS),
                        positive(
                                options.optionalInt(
                                        "tokenizer-iterations", d.tokenizerIterations(), SYNOPSIS),
                                "tokenizer-iterations"));
        if (settings.dim() % settings.heads() != 0) {
            throw new UsageException(
                    "--dim "
                            + settings.dim()
                            + " must be a multiple of --heads "
                            + settings.heads());
        }
        if (!(settings.peakLearningRate() > 0)) {
            throw new UsageException("--lr must be positive, got " + settings.peakLearningRate());
        }
        // fail before training rather than after: only an empty directory or an earlier
        // checkpoint (which the writer replaces) may be in the way
        if (Files.isDirectory(dir)) {
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isPresent()
                        && !Files.exists(dir.resolve(MoTCheckpoint.CONFIG_FILE))) {
                    throw new BadInputException(
                            dir
                                    + " is neither empty nor a checkpoint directory; choose another --out");
                }
            }
        } else if (Files.exists(dir)) {
            throw new BadInputException(dir + " exists and is not a directory");
        }
        List<String> command = new ArrayList<>(List.of("bin/mot", "train"));
        command.addAll(args);
        boolean isMot = architecture.equals("mot");
        ModelCard card =
                transfusion
                        ? TrainTransfusionCheckpoint.trainCheckpoint(
                                settings, isMot, dir, String.join(" ", command))
                        : TrainZooModels.trainCheckpoint(
                                settings, isMot, dir, String.join(" ", command));
        Map<String, Double> losses = card.heldOutLoss();
        out.printf(
                Locale.ROOT,
                transfusion
                        ? "%s: %s steps, held-out loss caption text %.4f, image diffusion %.4f%n"
                        : "%s: %s steps, held-out loss text %.4f, image %.4f%n",
                card.name(),
                card.training().get("steps"),
                losses.get("text"),
                losses.get("image"));
        out.println("checkpoint written to " + dir);
        out.println(
                "generate with: bin/mot generate --checkpoint "
                        + dir
                        + " caption-to-image --caption \"a photo of a sneaker\" --out sneaker.png");
        return ExitStatus.OK;
    }

    private static int positive(int value, String option) {
        if (value < 1) {
            throw new UsageException("--" + option + " must be positive, got " + value);
        }
        return value;
    }
}
