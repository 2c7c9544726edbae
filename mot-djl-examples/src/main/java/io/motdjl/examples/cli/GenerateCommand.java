package io.motdjl.examples.cli;

import io.motdjl.examples.chameleon.CaptionTemplates;
import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.examples.report.ImageGrid;
import io.motdjl.examples.zoo.TrainZooModels;
import io.motdjl.generate.ChameleonGenerator;
import io.motdjl.generate.SamplingSettings;
import io.motdjl.tokenize.ImageTokenizer;
import io.motdjl.zoo.MoTModelZoo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code mot generate}: caption → image (PNG), image → caption and text continuation with a trained
 * MoT, from a checkpoint directory or the model zoo, with modality-constrained decoding.
 */
final class GenerateCommand implements Command {

    private static final String SYNOPSIS =
            "generate (--checkpoint DIR | --model ARTIFACT [--architecture mot|dense]) TASK"
                    + " [options]; TASK: caption-to-image | grid | image-to-caption | continue |"
                    + " caption-accuracy";

    private static final List<String> TASKS =
            List.of("caption-to-image", "grid", "image-to-caption", "continue", "caption-accuracy");

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
                    "scale");

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
        return String.join(
                System.lineSeparator(),
                "Generates with a model trained in the Chameleon setting (bin/mot train, or the",
                "zoo's bundled "
                        + MoTModelZoo.CHAMELEON_FMNIST
                        + "). Decoding is constrained by"
                        + " modality:",
                "after BOI only image codes, exactly one image's worth, then EOI; elsewhere only text.",
                "",
                "Model (one of):",
                "  --checkpoint DIR        a checkpoint directory (config.json, weights, tokenizer.json)",
                ModelSource.ZOO_HELP.get(0),
                ModelSource.ZOO_HELP.get(1),
                "",
                "Tasks:",
                "  caption-to-image --caption TEXT --out FILE.png [--samples N]",
                "                          N images for one caption, side by side (default 4)",
                "  grid --out FILE.png [--samples N]",
                "                          one row per Fashion-MNIST class, caption \"a photo of a"
                        + " <class>\"",
                "  image-to-caption (--image FILE | --heldout I) [--max-tokens N]",
                "                          caption a picture (read as grayscale, scaled to 28x28) or",
                "                          held-out image I of the bundled split (its class is shown)",
                "  continue --text TEXT [--max-tokens N]",
                "                          continue a text (text tokens only, until EOS)",
                "  caption-accuracy [--samples N]",
                "                          caption the first N held-out images (default 500) and",
                "                          count the captions that name the image's class (the",
                "                          longest class name a caption contains counts)",
                "",
                "Sampling:",
                "  --temperature T         0 = greedy (default: 1 for images, 0 for text)",
                "  --top-k K, --top-p P    keep the K most likely tokens / the nucleus of mass P",
                "  --seed S                seed of the draws (default 0); same seed, same output",
                "  --max-tokens N          longest text in tokens (default 48)",
                "  --scale F               pixels per image pixel in PNGs (default "
                        + DEFAULT_SCALE
                        + ")");
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
        boolean image = task.equals("caption-to-image") || task.equals("grid");
        SamplingSettings sampling = sampling(options, image ? 1.0 : 0.0);
        int scale = options.optionalInt("scale", DEFAULT_SCALE, SYNOPSIS);
        if (scale < 1 || scale > 32) {
            throw new UsageException("--scale must be in [1, 32], got " + scale);
        }
        try (GenerationModel model = load(options)) {
            ChameleonGenerator generator = model.generator();
            switch (task) {
                case "caption-to-image" -> captionToImage(options, generator, sampling, scale, out);
                case "grid" -> grid(options, generator, sampling, scale, out);
                case "image-to-caption" -> imageToCaption(options, generator, sampling, out);
                case "caption-accuracy" -> captionAccuracy(options, generator, sampling, out);
                default -> continueText(options, generator, sampling, out);
            }
        }
        return ExitStatus.OK;
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

    private static int samples(CommandOptions options, int fallback) {
        return samples(options, fallback, 64);
    }

    private static int samples(CommandOptions options, int fallback, int max) {
        int n = options.optionalInt("samples", fallback, SYNOPSIS);
        if (n < 1 || n > max) {
            throw new UsageException("--samples must be in [1, " + max + "], got " + n);
        }
        return n;
    }

    private static void captionToImage(
            CommandOptions options,
            ChameleonGenerator generator,
            SamplingSettings sampling,
            int scale,
            PrintStream out)
            throws Exception {
        String caption = required(options, "caption");
        Path file = options.requiredPath("out", SYNOPSIS);
        PathChecks.requireWritable(file, "--out");
        int n = samples(options, 4);
        List<byte[]> images = generator.captionsToImages(Collections.nCopies(n, caption), sampling);
        ImageTokenizer tokenizer = generator.tokenizer();
        new ImageGrid(tokenizer.imageHeight(), tokenizer.imageWidth(), scale)
                .addRow("", images)
                .writePng(file);
        out.println(n + " image(s) for \"" + caption + "\" written to " + file);
    }

    private static void grid(
            CommandOptions options,
            ChameleonGenerator generator,
            SamplingSettings sampling,
            int scale,
            PrintStream out)
            throws Exception {
        Path file = options.requiredPath("out", SYNOPSIS);
        PathChecks.requireWritable(file, "--out");
        int n = samples(options, 8);
        ImageTokenizer tokenizer = generator.tokenizer();
        ImageGrid grid = new ImageGrid(tokenizer.imageHeight(), tokenizer.imageWidth(), scale);
        for (int label = 0; label < FashionMnist.NUM_CLASSES; label++) {
            String caption =
                    CaptionTemplates.fill("a photo of {a} {}", FashionMnist.captionName(label));
            // every class gets the same seed, so rows differ only by their caption
            List<byte[]> images =
                    generator.captionsToImages(Collections.nCopies(n, caption), sampling);
            grid.addRow(FashionMnist.captionName(label), images);
        }
        grid.writePng(file);
        out.println(FashionMnist.NUM_CLASSES + " rows of " + n + " image(s) written to " + file);
    }

    private static void imageToCaption(
            CommandOptions options,
            ChameleonGenerator generator,
            SamplingSettings sampling,
            PrintStream out)
            throws Exception {
        ImageTokenizer tokenizer = generator.tokenizer();
        Path file = options.optionalPath("image");
        boolean heldOut = options.has("heldout");
        if ((file == null) == !heldOut) {
            throw new UsageException(
                    "image-to-caption needs exactly one of --image FILE or --heldout I");
        }
        byte[] pixels;
        String what;
        if (file != null) {
            pixels = ImageGrid.readGrayscale(file, tokenizer.imageHeight(), tokenizer.imageWidth());
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
        String caption = generator.imageToCaption(pixels, sampling, maxTokens(options));
        out.println(what + " -> " + caption);
    }

    /**
     * Captions held-out images in batches and counts the captions that contain the true class's
     * name (the training captions always do), per class and overall.
     */
    private static void captionAccuracy(
            CommandOptions options,
            ChameleonGenerator generator,
            SamplingSettings sampling,
            PrintStream out)
            throws Exception {
        FashionMnist images = heldOutImages();
        int n = samples(options, 500, images.size());
        int batch = 50;
        int[] right = new int[FashionMnist.NUM_CLASSES];
        int[] total = new int[FashionMnist.NUM_CLASSES];
        for (int start = 0; start < n; start += batch) {
            List<byte[]> pixels = new ArrayList<>();
            for (int i = start; i < Math.min(n, start + batch); i++) {
                pixels.add(images.image(i));
            }
            List<String> captions =
                    generator.imagesToCaptions(pixels, sampling, maxTokens(options));
            for (int i = 0; i < captions.size(); i++) {
                int label = images.label(start + i);
                total[label]++;
                if (namedClass(captions.get(i)) == label) {
                    right[label]++;
                }
            }
        }
        TextTable table = new TextTable("class", "images", "caption names the class");
        int allRight = 0;
        for (int c = 0; c < right.length; c++) {
            allRight += right[c];
            table.addRow(
                    FashionMnist.captionName(c),
                    Integer.toString(total[c]),
                    total[c] == 0 ? "-" : percent(right[c], total[c]));
        }
        table.addRow("all", Integer.toString(n), percent(allRight, n));
        table.print(out);
    }

    private static String percent(int part, int whole) {
        return String.format(Locale.ROOT, "%.1f %%", 100.0 * part / whole);
    }

    /**
     * The class a caption names: the longest class name it contains (so "t-shirt/top" is not read
     * as "shirt"), or -1.
     */
    static int namedClass(String caption) {
        int best = -1;
        for (int c = 0; c < FashionMnist.NUM_CLASSES; c++) {
            String name = FashionMnist.captionName(c);
            if (caption.contains(name)
                    && (best < 0 || name.length() > FashionMnist.captionName(best).length())) {
                best = c;
            }
        }
        return best;
    }

    /** The held-out part of the bundled split, as the training recipe makes it (its seed). */
    private static FashionMnist heldOutImages() throws Exception {
        return TrainZooModels.bundledSplit(TrainZooModels.Settings.defaults().seed()).heldOut();
    }

    private static void continueText(
            CommandOptions options,
            ChameleonGenerator generator,
            SamplingSettings sampling,
            PrintStream out) {
        String text = required(options, "text");
        out.println(text + generator.continueText(text, sampling, maxTokens(options)));
    }

    private static int maxTokens(CommandOptions options) {
        int n = options.optionalInt("max-tokens", 48, SYNOPSIS);
        if (n < 1) {
            throw new UsageException("--max-tokens must be positive, got " + n);
        }
        return n;
    }

    private static String required(CommandOptions options, String name) {
        String value = options.optionalString(name, null);
        if (value == null) {
            throw new UsageException("missing option --" + name + " (usage: mot " + SYNOPSIS + ")");
        }
        return value;
    }
}
