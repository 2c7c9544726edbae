package io.motdjl.examples.cli;

import ai.djl.ndarray.NDManager;

import io.motdjl.examples.chameleon.CaptionTemplates;
import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.examples.quality.FashionClassifier;
import io.motdjl.examples.quality.FashionImages;
import io.motdjl.examples.quality.ImageQuality;
import io.motdjl.examples.quality.ImageQualityEvaluator;
import io.motdjl.examples.report.ImageGrid;
import io.motdjl.examples.zoo.CaptionAccuracy;
import io.motdjl.examples.zoo.TrainZooModels;
import io.motdjl.generate.SamplingSettings;
import io.motdjl.zoo.MoTModelZoo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code mot generate}: caption → image (PNG), image → caption and text continuation with a trained
 * MoT, from a checkpoint directory or the model zoo, in either setting: Chameleon (images decoded
 * as tokens, with modality-constrained decoding) or Transfusion (images drawn by diffusion; told by
 * the {@code diffusion} key of the model's config).
 */
final class GenerateCommand implements Command {

    private static final String SYNOPSIS =
            "generate (--checkpoint DIR | --model ARTIFACT [--architecture mot|dense]) TASK"
                    + " [options]; TASK: caption-to-image | grid | image-to-caption | continue |"
                    + " caption-accuracy | image-quality | caption-to-speech | speech-to-caption |"
                    + " speech-to-image | speech-accuracy | speech-fidelity";

    private static final List<String> TASKS =
            List.of(
                    "caption-to-image",
                    "grid",
                    "image-to-caption",
                    "continue",
                    "caption-accuracy",
                    "image-quality",
                    "caption-to-speech",
                    "speech-to-caption",
                    "speech-to-image",
                    "speech-accuracy",
                    "speech-fidelity");

    private static final Set<String> OPTIONS =
            Set.of(
                    "checkpoint",
                    "model",
                    "architecture",
                    "caption",
                    "out",
                    "samples",
                    "image",
                    "heldout",
                    "text",
                    "max-tokens",
                    "temperature",
                    "top-k",
                    "top-p",
                    "seed",
                    "scale",
                    "sampler",
                    "steps",
                    "guidance",
                    "audio",
                    "units",
                    "heldout-voice",
                    "heldout-utterance",
                    "split");

    /** The options of token sampling. */
    private static final List<String> TOKEN_SAMPLING = List.of("temperature", "top-k", "top-p");

    /** Pixels per image pixel in written PNGs. */
    private static final int DEFAULT_SCALE = 4;

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String synopsis() {
        return SYNOPSIS;
    }

    @Override
    public String summary() {
        return "caption → image (PNG), image → caption, text continuation with a trained MoT";
    }

    @Override
    public String description() {
        List<String> lines =
                new ArrayList<>(
                        List.of(
                                "Generates with a model trained in the Chameleon setting (bin/mot"
                                        + " train, or the zoo's",
                                "bundled "
                                        + MoTModelZoo.CHAMELEON_FMNIST
                                        + ") or in the Transfusion setting (bin/mot train --setting",
                                "transfusion, or the zoo's bundled "
                                        + MoTModelZoo.TRANSFUSION_FMNIST
                                        + "); a \"diffusion\" key in the model's",
                                "config.json marks the Transfusion setting. Chameleon: decoding is"
                                        + " constrained by modality:",
                                "after BOI only image codes, exactly one image's worth, then EOI;"
                                        + " elsewhere only text.",
                                "Transfusion: an image is drawn by diffusion (its 4x4 patches"
                                        + " denoised step by step,",
                                "guided towards the caption); an image is read as clean patches.",
                                "",
                                "Model (one of):",
                                "  --checkpoint DIR        a checkpoint directory (config.json,"
                                        + " weights, tokenizer.json",
                                "                          for a Chameleon-setting model)",
                                ModelSource.ZOO_HELP.get(0),
                                ModelSource.ZOO_HELP.get(1),
                                "",
                                "Tasks:",
                                "  caption-to-image --caption TEXT --out FILE.png [--samples N]",
                                "                          N images for one caption, side by side"
                                        + " (default 4)",
                                "  grid --out FILE.png [--samples N]",
                                "                          one row per Fashion-MNIST class,"
                                        + " caption \"a photo of a <class>\"",
                                "  image-to-caption (--image FILE | --heldout I) [--max-tokens N]",
                                "                          caption a picture (read as grayscale,"
                                        + " scaled to 28x28) or",
                                "                          held-out image I of the bundled split"
                                        + " (its class is shown)",
                                "  continue --text TEXT [--max-tokens N]",
                                "                          continue a text (text tokens only,"
                                        + " until EOS)",
                                "  caption-accuracy [--samples N]",
                                "                          caption the first N held-out images"
                                        + " (default 500) and",
                                "                          count the captions that name the"
                                        + " image's class (the",
                                "                          longest class name a caption contains"
                                        + " counts)",
                                "  image-quality [--samples N]",
                                "                          draw N images per class (default 50)"
                                        + " for \"a photo of a",
                                "                          <class>\" and measure them with the"
                                        + " bundled Fashion-MNIST",
                                "                          classifier: caption fidelity per class"
                                        + " and the Fashion-MNIST-",
                                "                          feature FID against the held-out"
                                        + " images (docs/image-quality.md)",
                                ""));
        lines.addAll(SpeechTasks.HELP);
        lines.addAll(
                List.of(
                        "",
                        "Token sampling (text; the images of a Chameleon-setting model;"
                                + " speech):",
                        "  --temperature T         0 = greedy (default: 1 for images and"
                                + " speech, 0 for text)",
                        "  --top-k K, --top-p P    keep the K most likely tokens / the"
                                + " nucleus of mass P",
                        "  --max-tokens N          longest text in tokens (default 48)",
                        "",
                        "Diffusion sampling (the images of a Transfusion-setting model):"));
        lines.addAll(DiffusionSamplingOptions.HELP);
        lines.addAll(
                List.of(
                        "",
                        "  --seed S                seed of the draws (default 0); same seed, same"
                                + " output",
                        "  --scale F               pixels per image pixel in PNGs (default "
                                + DEFAULT_SCALE
                                + ")"));
        return String.join(System.lineSeparator(), lines);
    }

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        List<String> optionArgs = new ArrayList<>();
        String task = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") && task == null && (i == 0 || !needsValue(args.get(i - 1)))) {
                task = arg;
            } else {
                optionArgs.add(arg);
            }
        }
        if (task == null) {
            throw new UsageException(
                    "generate needs a task: "
                            + String.join(", ", TASKS)
                            + " (usage: mot "
                            + SYNOPSIS
                            + ")");
        }
        if (!TASKS.contains(task)) {
            throw new UsageException(
                    "unknown generate task '"
                            + task
                            + "' (tasks: "
                            + String.join(", ", TASKS)
                            + ")");
        }
        CommandOptions options = CommandOptions.parse(optionArgs, OPTIONS, SYNOPSIS);
        boolean image =
                task.equals("caption-to-image")
                        || task.equals("grid")
                        || task.equals("image-quality");
        boolean speech = SpeechTasks.TASKS.contains(task);
        SamplingSettings tokens =
                sampling(options, image || SpeechTasks.DRAWING.contains(task) ? 1.0 : 0.0);
        io.motdjl.diffusion.SamplingSettings diffusion =
                DiffusionSamplingOptions.parse(options, SYNOPSIS);
        List<String> diffusionGiven = DiffusionSamplingOptions.given(options);
        if (!speech) {
            List<String> speechGiven =
                    SpeechTasks.INPUTS.stream().filter(options::has).map(n -> "--" + n).toList();
            if (!speechGiven.isEmpty()) {
                throw new UsageException(
                        sets(speechGiven) + " the speech of speech tasks; " + task + " reads none");
            }
        }
        if (!image && !diffusionGiven.isEmpty()) {
            throw new UsageException(
                    sets(diffusionGiven)
                            + " how images are drawn by diffusion (caption-to-image, grid and"
                            + " image-quality); "
                            + task
                            + " draws none");
        }
        int scale = options.optionalInt("scale", DEFAULT_SCALE, SYNOPSIS);
        if (scale < 1 || scale > 32) {
            throw new UsageException("--scale must be in [1, 32], got " + scale);
        }
        try (GenerationModel model = load(options)) {
            requireApplicable(options, model, image, diffusion);
            switch (task) {
                case "caption-to-image" ->
                        captionToImage(options, model, tokens, diffusion, scale, out);
                case "grid" -> grid(options, model, tokens, diffusion, scale, out);
                case "image-to-caption" -> imageToCaption(options, model, tokens, out);
                case "caption-accuracy" -> captionAccuracy(options, model, tokens, out);
                case "image-quality" -> imageQuality(options, model, tokens, diffusion, out);
                case "continue" -> continueText(options, model, tokens, out);
                default -> SpeechTasks.run(task, options, model, tokens, scale, SYNOPSIS, out);
            }
        }
        return ExitStatus.OK;
    }

    /**
     * Refuses sampling options that do not apply to the model's setting: diffusion options for a
     * Chameleon-setting model, token sampling options for the images of a Transfusion-setting one,
     * and more steps than the model's noise schedule has.
     */
    private static void requireApplicable(
            CommandOptions options,
            GenerationModel model,
            boolean image,
            io.motdjl.diffusion.SamplingSettings diffusion) {
        List<String> diffusionGiven = DiffusionSamplingOptions.given(options);
        if (!model.isTransfusion() && !diffusionGiven.isEmpty()) {
            throw new UsageException(
                    sets(diffusionGiven)
                            + " how a Transfusion-setting model draws images by diffusion; "
                            + model.source()
                            + " is a Chameleon-setting model, whose images are drawn as tokens"
                            + " (--temperature, --top-k, --top-p)");
        }
        List<String> tokensGiven =
                TOKEN_SAMPLING.stream().filter(options::has).map(n -> "--" + n).toList();
        if (model.isTransfusion() && image && !tokensGiven.isEmpty()) {
            throw new UsageException(
                    sets(tokensGiven)
                            + " how tokens are drawn; "
                            + model.source()
                            + " is a Transfusion-setting model, whose images are drawn by"
                            + " diffusion (--sampler, --steps, --guidance)");
        }
        if (model.isTransfusion() && diffusion.steps() > model.config().diffusion().timesteps()) {
            throw new UsageException(
                    "--steps must be at most the model's "
                            + model.config().diffusion().timesteps()
                            + " timesteps, got "
                            + diffusion.steps());
        }
    }

    /** E.g. {@code --steps sets} or {@code --steps, --guidance set}. */
    private static String sets(List<String> options) {
        return String.join(", ", options) + (options.size() == 1 ? " sets" : " set");
    }

    /** Whether {@code arg} is an option that takes the next argument as its value. */
    private static boolean needsValue(String arg) {
        return arg.startsWith("--") && !arg.contains("=");
    }

    private static GenerationModel load(CommandOptions options) throws Exception {
        ModelSource source = ModelSource.parse(options, SYNOPSIS);
        return source.checkpoint() != null
                ? GenerationModel.fromCheckpoint(source.checkpoint())
                : GenerationModel.fromZoo(source.artifact(), source.architecture());
    }

    private static SamplingSettings sampling(CommandOptions options, double defaultTemperature) {
        try {
            return new SamplingSettings(
                    options.optionalDouble("temperature", defaultTemperature, SYNOPSIS),
                    options.optionalInt("top-k", 0, SYNOPSIS),
                    options.optionalDouble("top-p", 1.0, SYNOPSIS),
                    options.optionalInt("seed", 0, SYNOPSIS));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static int samples(CommandOptions options, int fallback) {
        return samples(options, fallback, 64);
    }

    static int samples(CommandOptions options, int fallback, int max) {
        int n = options.optionalInt("samples", fallback, SYNOPSIS);
        if (n < 1 || n > max) {
            throw new UsageException("--samples must be in [1, " + max + "], got " + n);
        }
        return n;
    }

    private static void captionToImage(
            CommandOptions options,
            GenerationModel model,
            SamplingSettings tokens,
            io.motdjl.diffusion.SamplingSettings diffusion,
            int scale,
            PrintStream out)
            throws Exception {
        String caption = required(options, "caption");
        Path file = options.requiredPath("out", SYNOPSIS);
        PathChecks.requireWritable(file, "--out");
        int n = samples(options, 4);
        List<byte[]> images = model.draw(Collections.nCopies(n, caption), tokens, diffusion);
        new ImageGrid(model.imageHeight(), model.imageWidth(), scale)
                .addRow("", images)
                .writePng(file);
        out.println(n + " image(s) for \"" + caption + "\" written to " + file);
    }

    private static void grid(
            CommandOptions options,
            GenerationModel model,
            SamplingSettings tokens,
            io.motdjl.diffusion.SamplingSettings diffusion,
            int scale,
            PrintStream out)
            throws Exception {
        Path file = options.requiredPath("out", SYNOPSIS);
        PathChecks.requireWritable(file, "--out");
        int n = samples(options, 8);
        ImageGrid grid = new ImageGrid(model.imageHeight(), model.imageWidth(), scale);
        for (int label = 0; label < FashionMnist.NUM_CLASSES; label++) {
            String caption = classCaption(label);
            // every class gets the same seed, so rows differ only by their caption
            List<byte[]> images = model.draw(Collections.nCopies(n, caption), tokens, diffusion);
            grid.addRow(FashionMnist.captionName(label), images);
        }
        grid.writePng(file);
        out.println(FashionMnist.NUM_CLASSES + " rows of " + n + " image(s) written to " + file);
    }

    private static void imageToCaption(
            CommandOptions options,
            GenerationModel model,
            SamplingSettings sampling,
            PrintStream out)
            throws Exception {
        Path file = options.optionalPath("image");
        boolean heldOut = options.has("heldout");
        if ((file == null) == !heldOut) {
            throw new UsageException(
                    "image-to-caption needs exactly one of --image FILE or --heldout I");
        }
        byte[] pixels;
        String what;
        if (file != null) {
            pixels = ImageGrid.readGrayscale(file, model.imageHeight(), model.imageWidth());
            what = file.toString();
        } else {
            FashionMnist images = heldOutImages();
            int index = options.optionalInt("heldout", 0, SYNOPSIS);
            if (index < 0 || index >= images.size()) {
                throw new UsageException(
                        "--heldout must be in [0, " + images.size() + "), got " + index);
            }
            pixels = images.image(index);
            what =
                    "held-out image "
                            + index
                            + " (class: "
                            + FashionMnist.className(images.label(index))
                            + ")";
        }
        String caption = model.caption(List.of(pixels), sampling, maxTokens(options)).get(0);
        out.println(what + " -> " + caption);
    }

    /**
     * Captions held-out images in batches and counts the captions that contain the true class's
     * name (the training captions always do), per class and overall.
     */
    private static void captionAccuracy(
            CommandOptions options,
            GenerationModel model,
            SamplingSettings sampling,
            PrintStream out)
            throws Exception {
        FashionMnist images = heldOutImages();
        int n = samples(options, 500, images.size());
        int batch = 50;
        CaptionAccuracy accuracy = new CaptionAccuracy();
        for (int start = 0; start < n; start += batch) {
            List<byte[]> pixels = new ArrayList<>();
            for (int i = start; i < Math.min(n, start + batch); i++) {
                pixels.add(images.image(i));
            }
            List<String> captions = model.caption(pixels, sampling, maxTokens(options));
            for (int i = 0; i < captions.size(); i++) {
                accuracy.add(images.label(start + i), captions.get(i));
            }
        }
        TextTable table = new TextTable("class", "images", "caption names the class");
        for (int c = 0; c < FashionMnist.NUM_CLASSES; c++) {
            table.addRow(
                    FashionMnist.captionName(c),
                    Integer.toString(accuracy.total(c)),
                    accuracy.total(c) == 0 ? "-" : percent(accuracy.right(c), accuracy.total(c)));
        }
        table.addRow("all", Integer.toString(n), percent(accuracy.right(), n));
        table.print(out);
    }

    /**
     * Draws {@code --samples} images per class for the caption "a photo of a" and the class name
     * and prints what the bundled classifier makes of them: caption fidelity per class and overall,
     * and the Fashion-MNIST-feature FID against the held-out images.
     */
    private static void imageQuality(
            CommandOptions options,
            GenerationModel model,
            SamplingSettings tokens,
            io.motdjl.diffusion.SamplingSettings diffusion,
            PrintStream out)
            throws Exception {
        if (model.imageHeight() != FashionMnist.IMAGE_SIZE
                || model.imageWidth() != FashionMnist.IMAGE_SIZE) {
            throw new UsageException(
                    "image-quality measures 28x28 Fashion-MNIST images; "
                            + model.source()
                            + " draws "
                            + model.imageHeight()
                            + "x"
                            + model.imageWidth());
        }
        int perClass = samples(options, 50, 500);
        ImageQuality quality;
        try (NDManager manager = NDManager.newBaseManager();
                FashionClassifier classifier = FashionClassifier.loadBundled(manager)) {
            ImageQualityEvaluator evaluator =
                    new ImageQualityEvaluator(classifier, FashionImages.all(heldOutImages()));
            Map<Integer, List<float[]>> byClass = new LinkedHashMap<>();
            for (int label = 0; label < FashionMnist.NUM_CLASSES; label++) {
                String caption = classCaption(label);
                List<float[]> images = new ArrayList<>();
                for (byte[] pixels :
                        model.draw(Collections.nCopies(perClass, caption), tokens, diffusion)) {
                    images.add(FashionImages.toFloats(pixels));
                }
                byClass.put(label, images);
            }
            quality = evaluator.evaluate(byClass);
        }
        TextTable table = new TextTable("class", "images", "classified as the caption's class");
        for (int c = 0; c < FashionMnist.NUM_CLASSES; c++) {
            table.addRow(
                    FashionMnist.captionName(c),
                    Integer.toString(quality.perClassImages().get(c)),
                    String.format(Locale.ROOT, "%.1f %%", 100 * quality.perClassFidelity().get(c)));
        }
        table.addRow(
                "all",
                Integer.toString(quality.images()),
                String.format(Locale.ROOT, "%.1f %%", 100 * quality.captionFidelity()));
        table.print(out);
        out.println(
                String.format(
                        Locale.ROOT,
                        "Fashion-MNIST-feature FID %.2f (%d generated images vs %d held-out;"
                                + " compare sets of the same size only)",
                        quality.fashionMnistFeatureFid(),
                        quality.images(),
                        quality.referenceImages()));
    }

    /** The caption that asks for an image of class {@code label}: "a photo of a ...". */
    private static String classCaption(int label) {
        return CaptionTemplates.fill("a photo of {a} {}", FashionMnist.captionName(label));
    }

    static String percent(int part, int whole) {
        return String.format(Locale.ROOT, "%.1f %%", 100.0 * part / whole);
    }

    /**
     * The class a caption names: the longest class name it contains (so "t-shirt/top" is not read
     * as "shirt"), or -1.
     */
    static int namedClass(String caption) {
        return CaptionAccuracy.namedClass(caption);
    }

    /** The held-out part of the bundled split, as the training recipe makes it (its seed). */
    private static FashionMnist heldOutImages() throws Exception {
        return TrainZooModels.bundledSplit(TrainZooModels.Settings.defaults().seed()).heldOut();
    }

    private static void continueText(
            CommandOptions options,
            GenerationModel model,
            SamplingSettings sampling,
            PrintStream out) {
        String text = required(options, "text");
        out.println(text + model.continueText(text, sampling, maxTokens(options)));
    }

    static int maxTokens(CommandOptions options) {
        int n = options.optionalInt("max-tokens", 48, SYNOPSIS);
        if (n < 1) {
            throw new UsageException("--max-tokens must be positive, got " + n);
        }
        return n;
    }

    static String required(CommandOptions options, String name) {
        String value = options.optionalString(name, null);
        if (value == null) {
            throw new UsageException("missing option --" + name + " (usage: mot " + SYNOPSIS + ")");
        }
        return value;
    }
}
