package io.motdjl.examples.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;

import io.motdjl.examples.zoo.TrainSpeechCheckpoint;
import io.motdjl.examples.zoo.TrainTransfusionCheckpoint;
import io.motdjl.examples.zoo.TrainZooModels;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.speech.SpeechUnitTrainer;
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
            "train --out DIR [--setting chameleon|transfusion|chameleon-speech]"
                    + " [--architecture mot|dense] [--steps N] [--dim D] [--layers L] [--heads H]"
                    + " [--batch B] [--lr LR] [--seed S] [--tokenizer-iterations K]"
                    + " [--speech-units U] [--devices LIST]";

    private static final String CHAMELEON = "chameleon";
    private static final String TRANSFUSION = "transfusion";
    private static final String SPEECH = "chameleon-speech";

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
                "bundled checkpoints, in one of the paper's three settings, and writes a checkpoint",
                "directory: config.json, model.safetensors, model card (model-card.json, README.md),",
                "serving.properties and checksums.sha256.",
                "  chameleon    captions and k-means image codes in one sequence, both directions,",
                "               next-token loss; the directory also holds tokenizer.json (the image",
                "               tokenizer)",
                "  transfusion  captions as text tokens and images as continuous 4x4 patches in one",
                "               sequence, next-token loss on text and diffusion loss on images;",
                "               config.json has a \"diffusion\" key, the model card the image geometry",
                "  chameleon-speech  the Chameleon setting with the bundled spoken captions as a",
                "               third modality (k-means speech units of log-mel frames): caption <->",
                "               image, spoken caption <-> its words, spoken caption <-> an image of",
                "               its class; the directory also holds speech-tokenizer.json",
                "",
                "  --out DIR             the checkpoint directory (new, empty, or an earlier"
                        + " checkpoint to replace)",
                "  --setting S           chameleon, transfusion or chameleon-speech (default"
                        + " chameleon)",
                "  --architecture A      mot (everything untied by modality) or dense (its twin);"
                        + " default mot",
                "  --steps N             optimizer steps (default "
                        + d.steps()
                        + ", "
                        + TrainTransfusionCheckpoint.DEFAULT_STEPS
                        + " in the Transfusion setting, "
                        + TrainSpeechCheckpoint.DEFAULT_STEPS
                        + " with speech)",
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
                        + "; not for Transfusion)",
                "  --speech-units U      speech units learned (k-means) on the training"
                        + " utterances' frames",
                "                        (default "
                        + SpeechUnitTrainer.Options.DEFAULT_UNITS
                        + "; chameleon-speech only)",
                "  --devices LIST        where to train, comma-separated: cpu, gpu0, gpu1, ..."
                        + " (default: the first GPU",
                "                        if there is one, else the CPU). Several devices train"
                        + " data-parallel: the",
                "                        model on the first, each batch split between them; the"
                        + " result is the",
                "                        same up to float rounding. List GPUs first, in order.");
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
                                "tokenizer-iterations",
                                "speech-units",
                                "devices"),
                        SYNOPSIS);
        Path dir = options.requiredPath("out", SYNOPSIS);
        String setting =
                options.optionalChoice(
                        "setting", CHAMELEON, List.of(CHAMELEON, TRANSFUSION, SPEECH), SYNOPSIS);
        boolean transfusion = setting.equals(TRANSFUSION);
        if (transfusion && options.has("tokenizer-iterations")) {
            throw new UsageException(
                    "--tokenizer-iterations sets the k-means image tokenizer of the Chameleon"
                            + " settings; a Transfusion-setting model reads image patches directly"
                            + " (drop it or use --setting chameleon)");
        }
        if (!setting.equals(SPEECH) && options.has("speech-units")) {
            throw new UsageException(
                    "--speech-units sets the speech tokenizer of --setting chameleon-speech; "
                            + setting
                            + " has no speech");
        }
        int speechUnits =
                options.optionalInt(
                        "speech-units", SpeechUnitTrainer.Options.DEFAULT_UNITS, SYNOPSIS);
        if (speechUnits < 1 || speechUnits > SpeechUnitTokenizer.MAX_UNITS) {
            throw new UsageException(
                    "--speech-units must be in [1, "
                            + SpeechUnitTokenizer.MAX_UNITS
                            + "], got "
                            + speechUnits);
        }
        String architecture =
                options.optionalChoice("architecture", "mot", List.of("mot", "dense"), SYNOPSIS);
        TrainZooModels.Settings d =
                switch (setting) {
                    case TRANSFUSION -> TrainTransfusionCheckpoint.defaults();
                    case SPEECH -> TrainSpeechCheckpoint.defaults();
                    default -> TrainZooModels.Settings.defaults();
                };
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
        if (options.has("devices")) {
            settings = settings.withDevices(devices(options.optionalString("devices", "")));
        }
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
        String commandLine = String.join(" ", command);
        ModelCard card =
                switch (setting) {
                    case TRANSFUSION ->
                            TrainTransfusionCheckpoint.trainCheckpoint(
                                    settings, isMot, dir, commandLine);
                    case SPEECH ->
                            TrainSpeechCheckpoint.trainCheckpoint(
                                    settings, speechUnits, isMot, dir, commandLine);
                    default -> TrainZooModels.trainCheckpoint(settings, isMot, dir, commandLine);
                };
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
        if (setting.equals(SPEECH)) {
            out.printf(
                    Locale.ROOT,
                    "held-out loss speech %.4f (held-out utterances), %.4f (held-out voices)%n",
                    losses.get("speech"),
                    losses.get(TrainSpeechCheckpoint.HELD_OUT_VOICES));
        }
        out.println("checkpoint written to " + dir);
        out.println(
                "generate with: bin/mot generate --checkpoint "
                        + dir
                        + (setting.equals(SPEECH)
                                ? " caption-to-speech --caption \"a photo of a sneaker\" --out"
                                        + " sneaker.wav"
                                : " caption-to-image --caption \"a photo of a sneaker\" --out"
                                        + " sneaker.png"));
        return ExitStatus.OK;
    }

    /** Parses {@code --devices}: cpu and gpuN, distinct, present on this machine. */
    static List<Device> devices(String list) {
        List<Device> devices = new ArrayList<>();
        int gpus = Engine.getInstance().getGpuCount();
        for (String name : list.split(",", -1)) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            Device device;
            if (n.equals("cpu")) {
                device = Device.cpu();
            } else if (n.matches("gpu[0-9]{1,3}")) {
                device = Device.gpu(Integer.parseInt(n.substring(3)));
                if (device.getDeviceId() >= gpus) {
                    throw new UsageException(
                            "--devices names " + n + " but this machine has " + gpus + " GPU(s)");
                }
            } else {
                throw new UsageException(
                        "--devices takes cpu and gpu0, gpu1, ... separated by commas; got '"
                                + name
                                + "'");
            }
            if (devices.contains(device)) {
                throw new UsageException("--devices names " + n + " twice");
            }
            devices.add(device);
        }
        return devices;
    }

    private static int positive(int value, String option) {
        if (value < 1) {
            throw new UsageException("--" + option + " must be positive, got " + value);
        }
        return value;
    }
}
