package io.motdjl.examples.cli;

import io.motdjl.config.DiffusionConfig;
import io.motdjl.config.NormOrder;
import io.motdjl.config.PatchEncoder;
import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.examples.compare.Architecture;
import io.motdjl.examples.compare.ChameleonComparison;
import io.motdjl.examples.compare.ChameleonSpeechComparison;
import io.motdjl.examples.compare.ComparisonReport;
import io.motdjl.examples.compare.ComparisonSettings;
import io.motdjl.examples.compare.CurveTraining;
import io.motdjl.examples.compare.TransfusionComparison;
import io.motdjl.speech.SpeechUnitTrainer;
import io.motdjl.tokenize.PatchKMeansTrainer;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code mot compare}: trains a dense model and a MoT (and, if asked, the paper's MoE-4x and the
 * MoT with a MoE-4x text tower) of the same width and depth on the same data order (Fashion-MNIST
 * images as codes plus captions, the paper's Chameleon setting) and reports held-out loss per
 * modality against training FLOPs and training time.
 */
final class CompareCommand implements Command {

    private static final String SYNOPSIS =
            "compare --out DIR [--steps N] [--dim D] [--layers L] [--heads H] [--batch B]"
                    + " [--lr LR] [--evals E] [--seed S] [--data DIR|bundled] [--prose F]"
                    + " [--norm-order post|pre] [--qk-norm yes|no] [--patch P]"
                    + " [--architectures A,B,...|all] [--setting chameleon|transfusion|chameleon-speech]"
                    + " [--patch-encoder linear|conv]"
                    + " [--samples N] [--sample-steps S] [--quality-images N]"
                    + " [--quality-curve yes|no] [--speech-units U]";

    /** The name of the Chameleon + speech setting. */
    private static final String SPEECH_SETTING = "chameleon-speech";

    /** Default images per class in each model's sample grid (Transfusion setting). */
    private static final int SAMPLES_PER_CLASS = 4;

    /** Default images per class each model draws for the image-quality measures. */
    private static final int QUALITY_IMAGES_PER_CLASS = 50;

    @Override
    public String name() {
        return "compare";
    }

    @Override
    public String synopsis() {
        return SYNOPSIS;
    }

    @Override
    public String summary() {
        return "train dense, MoT (and MoE-4x, MoT+MoE) on the same data; held-out loss vs FLOPs";
    }

    @Override
    public String description() {
        ComparisonSettings d = ComparisonSettings.defaults();
        return String.join(
                System.lineSeparator(),
                "Trains a dense transformer and a Mixture-of-Transformers (and, with",
                "--architectures, the paper's MoE-4x and a MoT whose text tower is a MoE-4x) of",
                "the same width and depth on the same data order (Fashion-MNIST images as discrete",
                "codes with their",
                "captions, both directions, mixed with text-only pieces of English prose -- State",
                "of the Union addresses, public domain; next-token loss on every token) and",
                "evaluates held-out loss at fixed intervals on held-out prose, held-out captions",
                "and held-out images (documents and images never trained on). Writes results.json,",
                "results.csv, " + ComparisonReport.PNG + " and " + ComparisonReport.TIME_PNG,
                "into --out, and prints at what share of the dense model's training FLOPs and",
                "training time each other model first reaches dense's final held-out loss.",
                "",
                "  --out DIR     where the results go (created)",
                "  --steps N     optimizer steps per model (default " + d.steps() + ")",
                "  --dim D       model width (default " + d.dim() + ")",
                "  --layers L    decoder layers (default " + d.layers() + ")",
                "  --heads H     attention heads (default " + d.heads() + ")",
                "  --batch B     sequences per batch (default " + d.batchSize() + ")",
                "  --lr LR       peak learning rate, AdamW with warmup and cosine decay (default "
                        + d.peakLearningRate()
                        + ")",
                "  --evals E     held-out evaluations per model (default " + d.evaluations() + ")",
                "  --seed S      seed of data split, tokenizer, initialisation, data order (default "
                        + d.seed()
                        + ")",
                "  --data DIR|bundled  Fashion-MNIST IDX files; default: all 70,000 images from",
                "                Debian's dataset-fashion-mnist ("
                        + FashionMnist.DEBIAN_DIRECTORY
                        + ") when installed, else",
                "                the bundled 10,000-image test split ('bundled' forces it)",
                "  --prose F     share of training sequences that are prose, in [0, 1) (default "
                        + d.proseFraction()
                        + "; 0: captions and images only, the earlier setting)",
                "  --norm-order post|pre  where the norms sit, both models (default post,",
                "                Chameleon's)",
                "  --qk-norm yes|no  QK-norm in both models (default yes)",
                "  --patch P     image tokenizer patch side, dividing 28 (default 4: 49 codes per",
                "                image; 2: 196 finer codes)",
                "  --architectures A,B,...|all  the models, dense always among them (default",
                "                dense,mot; all: "
                        + Architecture.labels(Architecture.EQUAL_FLOPS)
                        + "):",
                "                moe-4x is dense with a 4-expert expert-choice feed-forward",
                "                (capacity factor 1: one expert's FLOPs per token), mot-moe-text a",
                "                MoT whose text tower's feed-forward is that mixture; dense-2x",
                "                (only when named) dense with twice the layers, for the paper's",
                "                size claim (MoT against a dense model of ~2x its parameters)",
                "  --setting S   chameleon (default: images as discrete codes, next-token loss) or",
                "                transfusion (images as continuous 4x4 patches, 49 rows of 16",
                "                values, trained by a diffusion loss beside the captions'",
                "                next-token loss; held-out caption text and image diffusion loss;",
                "                no prose: --prose defaults to 0 there; --patch does not apply);",
                "                each model also draws images per class into",
                "                samples_<model>.png (DDIM, guidance "
                        + TransfusionComparison.GUIDANCE
                        + ")",
                "                chameleon-speech: three modalities, image codes, captions and",
                "                the bundled spoken captions as speech units, trained on a mix",
                "                of caption<->image (50 %), spoken caption<->its words (25 %)",
                "                and spoken caption<->an image of its class (25 %), both",
                "                directions; held-out text, image, speech on held-out utterances",
                "                and on held-out voices; architectures "
                        + Architecture.labels(Architecture.SPEECH_SETTING)
                        + " (all), the towers-* sharing one tower between two",
                "                modalities (ti: text+image, ts: text+speech, is: image+speech);",
                "                no prose, no image samples or quality measures",
                "  --patch-encoder linear|conv  transfusion only: how image patches enter and",
                "                leave the models (default linear: Linear(16, D) in, Linear(D, 16)",
                "                out, row by row; conv: whole 28x28 images through two 3x3",
                "                convolutions of "
                        + DiffusionConfig.DEFAULT_CONV_CHANNELS
                        + " channels and a 4x4 stride-4 patchifying",
                "                convolution in, the mirror image out, U-Net style without skip",
                "                connections; its FLOPs are counted per image row); recorded in",
                "                results.json",
                "  --samples N   images per class in each grid (default "
                        + SAMPLES_PER_CLASS
                        + "; 0: none)",
                "  --sample-steps S  DDIM steps per image (default "
                        + TransfusionComparison.SAMPLE_STEPS
                        + ")",
                "  --quality-images N  each model draws N images per class (\"a photo of a"
                        + " <class>\")",
                "                and the bundled Fashion-MNIST classifier measures their caption",
                "                fidelity and Fashion-MNIST-feature FID against the held-out",
                "                images (default "
                        + QUALITY_IMAGES_PER_CLASS
                        + "; 0: not measured; docs/image-quality.md)",
                "  --quality-curve yes|no  yes: take those measures at every held-out",
                "                evaluation, as two more curves against training FLOPs (\"image",
                "                feature FID\", \"caption misses\" = 1 - fidelity); no (default):",
                "                once, after training",
                "  --speech-units U  chameleon-speech only: speech units learned (k-means) on the",
                "                training split's log-mel frames (default "
                        + SpeechUnitTrainer.Options.DEFAULT_UNITS
                        + ")");
    }

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        CommandOptions options =
                CommandOptions.parse(
                        args,
                        Set.of(
                                "out",
                                "steps",
                                "dim",
                                "layers",
                                "heads",
                                "batch",
                                "lr",
                                "evals",
                                "seed",
                                "data",
                                "prose",
                                "norm-order",
                                "qk-norm",
                                "patch",
                                "architectures",
                                "setting",
                                "patch-encoder",
                                "samples",
                                "sample-steps",
                                "quality-images",
                                "quality-curve",
                                "speech-units"),
                        SYNOPSIS);
        Path outDir = options.requiredPath("out", SYNOPSIS);
        ComparisonSettings d = ComparisonSettings.defaults();
        int steps = options.optionalInt("steps", d.steps(), SYNOPSIS);
        NormOrder normOrder =
                NormOrder.fromJson(
                        options.optionalChoice(
                                "norm-order", "post", List.of("post", "pre"), SYNOPSIS));
        boolean qkNorm =
                options.optionalChoice("qk-norm", "yes", List.of("yes", "no"), SYNOPSIS)
                        .equals("yes");
        int patch =
                options.optionalInt(
                        "patch", PatchKMeansTrainer.Options.DEFAULT_PATCH_SIZE, SYNOPSIS);
        String setting =
                options.optionalChoice(
                        "setting",
                        "chameleon",
                        List.of("chameleon", "transfusion", SPEECH_SETTING),
                        SYNOPSIS);
        boolean transfusion = setting.equals("transfusion");
        boolean speech = setting.equals(SPEECH_SETTING);
        if (speech) {
            refuseInSpeechSetting(options);
        } else if (options.has("speech-units")) {
            throw new UsageException(
                    "--speech-units applies to --setting " + SPEECH_SETTING + " only");
        }
        if (!transfusion && options.has("patch-encoder")) {
            throw new UsageException(
                    "--patch-encoder applies to --setting transfusion only (the Chameleon setting's"
                            + " images are discrete codes, embedded like text); drop it or add"
                            + " --setting transfusion");
        }
        PatchEncoder patchEncoder =
                PatchEncoder.fromJson(
                        options.optionalChoice(
                                "patch-encoder", "linear", List.of("linear", "conv"), SYNOPSIS));
        int samples = options.optionalInt("samples", SAMPLES_PER_CLASS, SYNOPSIS);
        int qualityImages =
                options.optionalInt("quality-images", QUALITY_IMAGES_PER_CLASS, SYNOPSIS);
        boolean qualityCurve =
                options.optionalChoice("quality-curve", "no", List.of("yes", "no"), SYNOPSIS)
                        .equals("yes");
        int sampleSteps =
                options.optionalInt("sample-steps", TransfusionComparison.SAMPLE_STEPS, SYNOPSIS);
        ComparisonSettings settings;
        Callable<ChameleonComparison.Outcome> comparison;
        try {
            settings =
                    new ComparisonSettings(
                            steps,
                            options.optionalInt("dim", d.dim(), SYNOPSIS),
                            options.optionalInt("layers", d.layers(), SYNOPSIS),
                            options.optionalInt("heads", d.heads(), SYNOPSIS),
                            options.optionalInt("batch", d.batchSize(), SYNOPSIS),
                            options.optionalDouble("lr", d.peakLearningRate(), SYNOPSIS),
                            // a short run evaluates at most once per step unless told otherwise
                            options.optionalInt(
                                    "evals", Math.min(d.evaluations(), steps), SYNOPSIS),
                            options.optionalInt("seed", d.seed(), SYNOPSIS),
                            dataDirectory(options.optionalString("data", null)),
                            d.heldOutFraction(),
                            options.optionalDouble(
                                    "prose",
                                    transfusion || speech ? 0 : d.proseFraction(),
                                    SYNOPSIS));
            List<Architecture> architectures =
                    Architecture.parseList(
                            options.optionalString("architectures", "dense,mot"),
                            speech ? Architecture.SPEECH_SETTING : Architecture.EQUAL_FLOPS);
            if (samples < 0) {
                throw new IllegalArgumentException("--samples must be 0 or more, got " + samples);
            }
            TransfusionComparison tf =
                    transfusion
                            ? new TransfusionComparison(settings)
                                    .withArchitectures(architectures)
                                    .withPatchEncoder(patchEncoder)
                                    .withImageQuality(qualityImages, qualityCurve)
                            : null;
            if (tf != null && samples > 0) {
                tf.withSamples(outDir, samples, sampleSteps);
            }
            comparison =
                    speech
                            ? new ChameleonSpeechComparison(settings)
                                            .withArchitecture(normOrder, qkNorm)
                                            .withImagePatch(patch)
                                            .withSpeechUnits(
                                                    options.optionalInt(
                                                            "speech-units",
                                                            SpeechUnitTrainer.Options.DEFAULT_UNITS,
                                                            SYNOPSIS))
                                            .withArchitectures(architectures)
                                    ::run
                            : transfusion
                                    ? tf::run
                                    : new ChameleonComparison(settings)
                                                    .withArchitecture(normOrder, qkNorm)
                                                    .withImagePatch(patch)
                                                    .withArchitectures(architectures)
                                                    .withImageQuality(qualityImages, qualityCurve)
                                            ::run;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage() + " (usage: mot " + SYNOPSIS + ")");
        }
        printOutcome(comparison.call(), settings, outDir, out);
        return ExitStatus.OK;
    }

    /**
     * Refuses the options that do not apply to the Chameleon + speech setting: prose, the
     * Transfusion ones and the generated-image measures.
     */
    private static void refuseInSpeechSetting(CommandOptions options) {
        for (String option :
                List.of(
                        "patch-encoder",
                        "samples",
                        "sample-steps",
                        "quality-images",
                        "quality-curve")) {
            if (options.has(option)) {
                throw new UsageException(
                        "--"
                                + option
                                + " does not apply to --setting "
                                + SPEECH_SETTING
                                + " (no image samples or quality measures there)");
            }
        }
    }

    /** The images to use: a named folder, the bundled split (null), or Debian's full set. */
    static Path dataDirectory(String option) {
        if (option == null) {
            return FashionMnist.fullSetIn(FashionMnist.DEBIAN_DIRECTORY).orElse(null);
        }
        return option.equals("bundled") ? null : Path.of(option);
    }

    /** Writes the report files and prints the comparison's summary; shared with {@code demo}. */
    static void printOutcome(
            ChameleonComparison.Outcome outcome,
            ComparisonSettings settings,
            Path outDir,
            PrintStream out)
            throws java.io.IOException {
        outcome.report().write(outDir);
        String models =
                Architecture.labels(
                        outcome.models().stream()
                                .map(CurveTraining.Trained::architecture)
                                .toList());
        boolean transfusion = outcome.tokenizerQuality() == null;
        boolean speech = outcome.models().get(0).config().nModalities() == 3;
        out.println(
                speech
                        ? models
                                + " in the Chameleon + speech setting (Fashion-MNIST, captions +"
                                + " image codes + spoken captions as speech units)"
                        : transfusion
                                ? models
                                        + " in the Transfusion setting (Fashion-MNIST, captions + images"
                                        + " as continuous patches, diffusion loss)"
                                : settings.hasProse()
                                        ? String.format(
                                                Locale.ROOT,
                                                "%s in the Chameleon setting (Fashion-MNIST, captions + image"
                                                        + " codes, %.0f %% of sequences prose)",
                                                models,
                                                100 * settings.proseFraction())
                                        : models
                                                + " in the Chameleon setting (Fashion-MNIST, captions + image"
                                                + " codes)");
        int maxSeqLen = outcome.models().get(0).config().maxSeqLen();
        out.printf(
                Locale.ROOT,
                "models: d=%d, %d layers, %d heads, %d steps each; held-out scoring not counted in"
                        + " the times%n",
                settings.dim(),
                settings.layers(),
                settings.heads(),
                settings.steps());
        for (CurveTraining.Trained t : outcome.models()) {
            out.printf(
                    Locale.ROOT,
                    "  %-12s %,11d parameters, %,d training FLOPs per token at T=%d; %.0f s"
                            + " (median step %.3f s)%s%n",
                    t.architecture().label(),
                    t.flops().totalParameters(),
                    t.flops().trainingFlopsPerToken(maxSeqLen),
                    maxSeqLen,
                    t.seconds(),
                    t.medianStepSeconds(),
                    t.utilisation().isEmpty() ? "" : "; " + t.utilisation().describe());
        }
        if (!transfusion) {
            out.printf(
                    Locale.ROOT,
                    "image tokenizer on held-out images: %s%n",
                    outcome.tokenizerQuality());
        }
        for (String line : outcome.report().summaryLines()) {
            out.println(line);
        }
        out.println("results: " + outDir.resolve(ComparisonReport.JSON));
        out.println("         " + outDir.resolve(ComparisonReport.CSV));
        out.println("plots:   " + outDir.resolve(ComparisonReport.PNG));
        out.println("         " + outDir.resolve(ComparisonReport.TIME_PNG));
        if (transfusion) {
            for (CurveTraining.Trained t : outcome.models()) {
                Path samples = outDir.resolve(TransfusionComparison.samplesFile(t.architecture()));
                // models routed by expert choice draw none
                if (Files.exists(samples)) {
                    out.println("samples: " + samples);
                }
            }
        }
    }
}
