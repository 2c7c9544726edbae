package io.motdjl.examples.compare;

import ai.djl.ndarray.NDManager;
import ai.djl.translate.TranslateException;

import io.motdjl.config.DiffusionConfig;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.NormOrder;
import io.motdjl.config.PatchEncoder;
import io.motdjl.config.Untie;
import io.motdjl.diffusion.ImagePatches;
import io.motdjl.diffusion.ImageSampler;
import io.motdjl.diffusion.SamplingSettings;
import io.motdjl.diffusion.TransfusionDataset;
import io.motdjl.diffusion.TransfusionGenerator;
import io.motdjl.diffusion.TransfusionObjective;
import io.motdjl.diffusion.TransfusionSequence;
import io.motdjl.examples.chameleon.CaptionTemplates;
import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.examples.report.ImageGrid;
import io.motdjl.objective.ModalityLosses;
import io.motdjl.objective.WithAuxiliaryLosses;
import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.train.RunOptions;
import io.motdjl.train.TrainingRun;
import io.motdjl.zoo.GrayscaleImages;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The paper's Transfusion setting in miniature: Fashion-MNIST images as continuous 4×4 patches (49
 * rows of 16 values) with their captions in one sequence; text trained by next-token prediction,
 * images by ε-prediction under a cosine schedule (λ = 5). Most sequences put the caption first (the
 * image noised, the caption dropped one time in ten for classifier-free guidance); the others put
 * the image first, lightly noised ({@code t < 500}), so that the model learns to read images. A
 * dense model and a MoT (and, if asked, the mixtures of {@link Architecture}) train on the same
 * data order; held-out curves: caption text (image first, the image at a fixed light noise) and the
 * diffusion loss of held-out images (caption first, fixed seeded timesteps and noise). Patches
 * enter and leave the models through the linear patch encoder, or through the conv one ({@link
 * #withPatchEncoder}).
 */
public final class TransfusionComparison {

    /** Modality 0 holds captions and markers, modality 1 the patch rows. */
    public static final List<String> MODALITIES = List.of("text", "image");

    /** The held-out losses: caption text after a clean-ish image; the images' diffusion loss. */
    public static final List<String> HELD_OUT_SETS = List.of("caption text", "image diffusion");

    /** Patch side: 4×4 patches of a 28×28 image, 49 rows of 16 values. */
    public static final int PATCH = 4;

    /** Share of sequences that put the caption first (Transfusion: "most of the time"). */
    public static final double CAPTION_FIRST = 0.8;

    /** Share of caption-first sequences whose caption is dropped. */
    public static final double CAPTION_DROPOUT = 0.1;

    /** The timestep bound of an image that comes before its caption. */
    public static final int IMAGE_FIRST_TIMESTEP_LIMIT = 500;

    private static final Logger logger = LoggerFactory.getLogger(TransfusionComparison.class);
    private static final int SAMPLE_BATCH = 100;
    private static final ImagePatches GEOMETRY = TransfusionSequences.GEOMETRY;

    /** Default denoising steps of the sample grids (DDIM). */
    public static final int SAMPLE_STEPS = 50;

    /** Classifier-free guidance scale of the sample grids. */
    public static final double GUIDANCE = 3.0;

    private final ComparisonSettings settings;
    private List<Architecture> architectures = List.of(Architecture.DENSE, Architecture.MOT);
    private Path samplesDir;
    private int samplesPerClass = 4;
    private int sampleSteps = SAMPLE_STEPS;
    private int qualityImagesPerClass;
    private boolean qualityAlongTraining;
    private PatchEncoder patchEncoder = PatchEncoder.LINEAR;

    /** A comparison with these knobs (their prose fraction must be 0: no prose here yet). */
    public TransfusionComparison(ComparisonSettings settings) {
        if (settings.hasProse()) {
            throw new IllegalArgumentException(
                    "the Transfusion comparison has no prose yet: use --prose 0 (got "
                            + settings.proseFraction()
                            + ")");
        }
        this.settings = settings;
    }

    /**
     * How every model's image rows enter and leave the trunk: {@link PatchEncoder#LINEAR} (the
     * default: {@code Linear(16, D)} plus the timestep embedding, {@code Linear(D, 16)}) or {@link
     * PatchEncoder#CONV} (whole 28×28 images through small convolutional stacks, {@value
     * DiffusionConfig#DEFAULT_CONV_CHANNELS} channels, U-Net style; costs more FLOPs per image row,
     * counted).
     */
    public TransfusionComparison withPatchEncoder(PatchEncoder encoder) {
        this.patchEncoder = java.util.Objects.requireNonNull(encoder, "encoder");
        return this;
    }

    /** The diffusion key of every model's config. */
    DiffusionConfig diffusionConfig() {
        if (patchEncoder == PatchEncoder.CONV) {
            return DiffusionConfig.conv(
                    JointVocabulary.IMAGE,
                    FashionMnist.IMAGE_SIZE,
                    PATCH,
                    DiffusionConfig.DEFAULT_TIMESTEPS,
                    DiffusionConfig.DEFAULT_CONV_CHANNELS);
        }
        return new DiffusionConfig(
                JointVocabulary.IMAGE, GEOMETRY.values(), DiffusionConfig.DEFAULT_TIMESTEPS);
    }

    /** The models to train (default dense and MoT), dense first. */
    public TransfusionComparison withArchitectures(List<Architecture> which) {
        Architecture.requireAmong(which, Architecture.twoModalities(), "transfusion");
        this.architectures = Architecture.ordered(which);
        return this;
    }

    /**
     * Makes each model draw a grid of images once trained. For every class, {@code perClass} images
     * for the caption "a photo of a" and the class name (DDIM with {@code steps} steps, guidance
     * {@value #GUIDANCE}, seeds 0, 1, ...), written as {@code samples_MODEL.png} into {@code dir}:
     * one row per class.
     *
     * @throws IllegalArgumentException if {@code perClass} or {@code steps} is not positive, or
     *     {@code steps} exceeds the schedule's 1,000
     */
    public TransfusionComparison withSamples(Path dir, int perClass, int steps) {
        if (perClass < 1 || steps < 1 || steps > DiffusionConfig.DEFAULT_TIMESTEPS) {
            throw new IllegalArgumentException(
                    "samples per class must be positive and sampling steps in [1, "
                            + DiffusionConfig.DEFAULT_TIMESTEPS
                            + "], got "
                            + perClass
                            + " and "
                            + steps);
        }
        this.samplesDir = java.util.Objects.requireNonNull(dir, "dir");
        this.samplesPerClass = perClass;
        this.sampleSteps = steps;
        return this;
    }

    /**
     * Makes each trained model draw {@code perClass} images per class (caption "a photo of a" and
     * the class name, DDIM with the sample grid's steps and guidance) and measures their caption
     * fidelity and Fashion-MNIST-feature FID against the held-out images with the bundled
     * classifier (0, the default: not measured).
     *
     * @throws IllegalArgumentException if {@code perClass} is negative
     */
    public TransfusionComparison withImageQuality(int perClass) {
        return withImageQuality(perClass, false);
    }

    /**
     * As {@link #withImageQuality(int)}; with {@code alongTraining} the measures are taken at every
     * held-out evaluation and become two more curves against training FLOPs ({@link
     * GeneratedImageQuality#CURVES}), not only at the end.
     */
    public TransfusionComparison withImageQuality(int perClass, boolean alongTraining) {
        this.qualityImagesPerClass = GeneratedImageQuality.checkImagesPerClass(perClass);
        this.qualityAlongTraining = alongTraining && perClass > 0;
        return this;
    }

    /** The report's panels, in order: the held-out losses, then any quality curves. */
    public List<ReportPanel> panels() {
        List<ReportPanel> panels = new ArrayList<>(ReportPanel.losses(HELD_OUT_SETS));
        if (qualityAlongTraining) {
            panels.addAll(GeneratedImageQuality.panels());
        }
        return panels;
    }

    /** The grid file of a model's samples. */
    public static String samplesFile(Architecture architecture) {
        return "samples_" + architecture.label() + ".png";
    }

    /**
     * A trained model's images, one per (class, seed), pixels in [0, 1]: DDIM with the grid's steps
     * and guidance, in batches (captions run once per batch, then only the image blocks).
     */
    private List<float[]> drawImages(TrainingRun run, List<Integer> labels, List<Long> seeds) {
        List<float[]> out = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            TransfusionGenerator generator =
                    new TransfusionGenerator(run.model(), manager, GEOMETRY);
            for (int from = 0; from < labels.size(); from += SAMPLE_BATCH) {
                List<ImageSampler.Request> requests = new ArrayList<>();
                for (int i = from; i < Math.min(labels.size(), from + SAMPLE_BATCH); i++) {
                    requests.add(
                            new ImageSampler.Request(
                                    TransfusionGenerator.imagePrefix(
                                            GeneratedImageQuality.caption(labels.get(i))),
                                    seeds.get(i)));
                }
                out.addAll(
                        generator.images(
                                requests, SamplingSettings.ddim(sampleSteps, GUIDANCE, 0)));
            }
        }
        return out;
    }

    private void drawSamples(Architecture architecture, TrainingRun run) throws IOException {
        List<Integer> labels = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        for (int label = 0; label < FashionMnist.NUM_CLASSES; label++) {
            for (int k = 0; k < samplesPerClass; k++) {
                labels.add(label);
                seeds.add((long) k);
            }
        }
        List<float[]> images = drawImages(run, labels, seeds);
        ImageGrid grid = new ImageGrid(FashionMnist.IMAGE_SIZE, FashionMnist.IMAGE_SIZE, 3);
        for (int label = 0; label < FashionMnist.NUM_CLASSES; label++) {
            List<byte[]> row = new ArrayList<>();
            for (int k = 0; k < samplesPerClass; k++) {
                row.add(GrayscaleImages.bytesOf(images.get(label * samplesPerClass + k)));
            }
            grid.addRow(FashionMnist.className(label), row);
        }
        Files.createDirectories(samplesDir);
        grid.writePng(samplesDir.resolve(samplesFile(architecture)));
        logger.info("{}: samples written to {}", architecture.label(), samplesDir);
    }

    /** Runs the whole comparison: data, every model's training, the report. */
    public ChameleonComparison.Outcome run() throws IOException, TranslateException {
        FashionMnist images =
                settings.dataDir() == null
                        ? FashionMnist.bundled()
                        : FashionMnist.readDirectory(settings.dataDir());
        FashionMnist.Split split = images.split(settings.heldOutFraction(), settings.seed());
        CaptionTemplates captions = CaptionTemplates.defaults(settings.seed());
        List<TransfusionSequence> train =
                TransfusionSequences.training(split.train(), captions, settings.seed());
        FashionMnist scored =
                ChameleonComparison.evaluationImages(split.heldOut(), settings.seed());
        List<TransfusionSequence> reading = TransfusionSequences.reading(scored, captions);
        List<TransfusionSequence> drawing = TransfusionSequences.drawing(scored, captions);
        TransfusionDataset trainSet =
                TransfusionDataset.builder()
                        .setSequences(train, GEOMETRY.values())
                        .setSampling(settings.batchSize(), true)
                        .build();
        TransfusionDataset readingSet = TransfusionSequences.evaluationSet(reading);
        TransfusionDataset drawingSet = TransfusionSequences.evaluationSet(drawing);
        int maxLength =
                Math.max(
                        trainSet.sequenceLength(),
                        Math.max(readingSet.sequenceLength(), drawingSet.sequenceLength()));
        logger.info(
                "Transfusion data: {} training sequences, {} held-out images, length {}",
                train.size(),
                scored.size(),
                maxLength);
        MoTConfig base =
                MoTConfig.builder()
                        .vocabSize(JointVocabulary.TEXT_TOKENS)
                        .dim(settings.dim())
                        .nLayers(settings.layers())
                        .nHeads(settings.heads())
                        .ffnHiddenDim(settings.ffnHiddenDim())
                        .nModalities(MODALITIES.size())
                        .normOrder(NormOrder.POST)
                        .qkNorm(true)
                        .maxSeqLen(maxLength)
                        .untie(Untie.ALL)
                        .diffusion(diffusionConfig())
                        .build();
        RunOptions options =
                RunOptions.builder()
                        .modalityNames(MODALITIES)
                        .logEvery(Math.max(1, settings.evaluateEvery()))
                        .objective(
                                c ->
                                        WithAuxiliaryLosses.forModel(
                                                TransfusionObjective.forConfig(c), c))
                        .build();
        List<LossCurve> curves = new ArrayList<>();
        List<CurveTraining.Trained> trained = new ArrayList<>();
        CurveTraining.Scorer scorer = new HeldOutScorer(readingSet, drawingSet);
        GeneratedImageQuality measured;
        // a null resource is allowed: without quality measures nothing is loaded or closed
        try (GeneratedImageQuality imageQuality =
                qualityImagesPerClass == 0
                        ? null
                        : new GeneratedImageQuality(qualityImagesPerClass, scored)) {
            measured = imageQuality;
            if (qualityAlongTraining) {
                GeneratedImageQuality.requireAllDraw(architectures, base, "--quality-curve yes");
            }
            for (Architecture a : architectures) {
                LossCurve curve = new LossCurve(a.label());
                MoTConfig config = a.configure(base);
                boolean draws =
                        imageQuality == null
                                ? GeneratedImageQuality.canDraw(config)
                                : imageQuality.drawsFor(a, config);
                if (samplesDir != null && !draws) {
                    logger.info(
                            "{}: no sample grid, {}", a.label(), GeneratedImageQuality.CANNOT_DRAW);
                }
                trained.add(
                        CurveTraining.train(
                                a,
                                config,
                                ChameleonComparison.recipe(
                                        settings.seed(),
                                        settings.batchSize(),
                                        settings.steps(),
                                        settings.peakLearningRate()),
                                trainSet,
                                options,
                                settings.evaluateEvery(),
                                qualityAlongTraining
                                        ? imageQuality.alongTraining(
                                                a,
                                                scorer,
                                                run ->
                                                        (labels, seeds) ->
                                                                drawImages(run, labels, seeds))
                                        : scorer,
                                curve,
                                (arch, run) -> {
                                    if (samplesDir != null && draws) {
                                        drawSamples(arch, run);
                                    }
                                    if (imageQuality != null && draws && !qualityAlongTraining) {
                                        imageQuality.measure(
                                                arch,
                                                (labels, seeds) -> drawImages(run, labels, seeds));
                                    }
                                }));
                curves.add(curve);
            }
        }
        String title =
                String.format(
                        Locale.ROOT,
                        "Transfusion setting, Fashion-MNIST 4x4 patches%s: d=%d, %d layers, %d"
                                + " steps x %d seqs",
                        patchEncoder == PatchEncoder.CONV ? " (conv encoder)" : "",
                        settings.dim(),
                        settings.layers(),
                        settings.steps(),
                        settings.batchSize());
        ComparisonReport report =
                new ComparisonReport(title, panels(), curves)
                        .setting("setting", "transfusion")
                        .setting("steps", settings.steps())
                        .setting("dim", settings.dim())
                        .setting("layers", settings.layers())
                        .setting("heads", settings.heads())
                        .setting("ffn_hidden_dim", settings.ffnHiddenDim())
                        .setting("batch_size", settings.batchSize())
                        .setting("architectures", Architecture.labels(architectures))
                        .setting("peak_learning_rate", settings.peakLearningRate())
                        .setting("seed", settings.seed())
                        .setting("train_images", split.train().size())
                        .setting("heldout_images_scored", scored.size())
                        .setting("patch", PATCH + "x" + PATCH + ", " + GEOMETRY.rows() + " rows")
                        .setting("patch_encoder", patchEncoder.jsonName())
                        .setting("caption_first_share", CAPTION_FIRST)
                        .setting("caption_dropout", CAPTION_DROPOUT)
                        .setting("image_first_timestep_limit", IMAGE_FIRST_TIMESTEP_LIMIT)
                        .setting("diffusion_loss_weight", TransfusionObjective.DEFAULT_LAMBDA)
                        .setting("max_seq_len", maxLength);
        if (patchEncoder == PatchEncoder.CONV) {
            report.setting("conv_channels", base.diffusion().convChannels());
        }
        for (CurveTraining.Trained t : trained) {
            CurveTraining.describe(report, t, maxLength);
        }
        if (measured != null) {
            measured.describe(report);
        }
        return new ChameleonComparison.Outcome(report, null, List.copyOf(trained));
    }

    /** Caption text after an image; the diffusion loss of images after their caption. */
    private record HeldOutScorer(TransfusionDataset reading, TransfusionDataset drawing)
            implements CurveTraining.Scorer {

        @Override
        public double[] score(TrainingRun run) throws IOException, TranslateException {
            ModalityLosses captions = run.evaluate(reading, TransfusionSequences.EVALUATION_BATCH);
            ModalityLosses images = run.evaluate(drawing, TransfusionSequences.EVALUATION_BATCH);
            return new double[] {captions.mean(0), images.mean(1)};
        }

        @Override
        public String describe(double[] losses) {
            return String.format(
                    Locale.ROOT, "caption text %.4f, image diffusion %.4f", losses[0], losses[1]);
        }
    }
}
