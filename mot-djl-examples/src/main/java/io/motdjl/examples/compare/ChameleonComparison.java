package io.motdjl.examples.compare;

import ai.djl.ndarray.NDManager;
import ai.djl.translate.TranslateException;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.NormOrder;
import io.motdjl.config.Untie;
import io.motdjl.data.TokenSequence;
import io.motdjl.data.TokenSequenceDataset;
import io.motdjl.examples.chameleon.ChameleonData;
import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.examples.chameleon.ProseCorpus;
import io.motdjl.examples.quality.FashionImages;
import io.motdjl.generate.ChameleonGenerator;
import io.motdjl.generate.SamplingSettings;
import io.motdjl.objective.NextTokenObjective;
import io.motdjl.objective.Objective;
import io.motdjl.tokenize.PatchKMeansTokenizer;
import io.motdjl.tokenize.PatchKMeansTrainer;
import io.motdjl.tokenize.ReconstructionReport;
import io.motdjl.train.RunOptions;
import io.motdjl.train.TrainingRun;
import io.motdjl.train.TrainingSettings;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;

/**
 * The paper's Chameleon setting in miniature: Fashion-MNIST images as discrete codes and their
 * captions in one sequence, next-token loss on every token; a dense transformer and a MoT (and, if
 * asked, the paper's MoE-4x and the MoT with a MoE-4x text tower) of the same width and depth
 * trained on the same data order for the same steps, with held-out loss per modality measured at
 * fixed intervals.
 *
 * <p>Every model is the same config with another untying and feed-forward ({@link Architecture}):
 * one code path, same modality ids, (nearly) the same FLOPs per token.
 */
public final class ChameleonComparison {

    /** Modality 0 holds captions and special tokens, modality 1 the image codes. */
    public static final List<String> MODALITIES = List.of("text", "image");

    /**
     * The held-out losses reported with prose: text on held-out prose, text on held-out captions,
     * image codes on held-out images.
     */
    public static final List<String> HELD_OUT_SETS_WITH_PROSE =
            List.of("prose text", "caption text", "image");

    private static final Logger logger = LoggerFactory.getLogger(ChameleonComparison.class);

    /**
     * Held-out sequences per evaluation batch. Losses are sums over tokens, so the batch size does
     * not change them; larger batches make the thousands of held-out sequences cheaper to score.
     */
    static final int EVALUATION_BATCH = 128;

    private static final int QUALITY_BATCH = 100;

    /**
     * At most this many held-out sequences per set are scored, a seeded random sample: the bundled
     * split's size. The full 70,000-image set would hold out 7,000 images (and as many prose
     * pieces), and scoring them twelve times per model would take longer than training.
     */
    public static final int EVALUATED_PER_SET = 1000;

    /**
     * The image tokenizer trains on at most this many training images, a seeded random sample (the
     * bundled split's training size): k-means over all 63,000 takes minutes; the sample reached
     * 21.5 dB held-out PSNR on the full set's 7,000 held-out images (measured in session 5).
     */
    public static final int TOKENIZER_IMAGES = 9000;

    private final ComparisonSettings settings;
    private final Function<MoTConfig, Objective> objective;
    private NormOrder normOrder = NormOrder.POST;
    private boolean qkNorm = true;
    private int imagePatch = PatchKMeansTrainer.Options.DEFAULT_PATCH_SIZE;
    private List<Architecture> architectures = List.of(Architecture.DENSE, Architecture.MOT);
    private int qualityImagesPerClass;
    private boolean qualityAlongTraining;

    /** A comparison under the next-token objective (the Chameleon setting's). */
    public ChameleonComparison(ComparisonSettings settings) {
        this(settings, config -> new NextTokenObjective(config.nModalities()));
    }

    /**
     * A comparison whose two models both train on {@code objective} (made for each model's config);
     * the held-out curves report its per-modality losses.
     */
    public ChameleonComparison(
            ComparisonSettings settings, Function<MoTConfig, Objective> objective) {
        this.settings = settings;
        this.objective = objective;
    }

    /**
     * Both models with this norm order and with or without QK-norm (default: Chameleon's, post-norm
     * with QK-norm); for ablations.
     */
    public ChameleonComparison withArchitecture(NormOrder order, boolean withQkNorm) {
        this.normOrder = Objects.requireNonNull(order, "order");
        this.qkNorm = withQkNorm;
        return this;
    }

    /**
     * Both models with images tokenized in {@code side × side} patches (default 4: 49 codes per
     * image; 2 gives 196 finer codes, 7 gives 16 coarser ones); for the tokenizer ablation.
     *
     * @param side the patch side; must divide the 28-pixel image side
     * @return this comparison
     * @throws IllegalArgumentException if {@code side} does not divide 28
     */
    public ChameleonComparison withImagePatch(int side) {
        this.imagePatch = checkImagePatch(side);
        return this;
    }

    /**
     * {@code side} if it divides the 28-pixel image side.
     *
     * @throws IllegalArgumentException if it does not
     */
    static int checkImagePatch(int side) {
        if (side <= 0 || FashionMnist.IMAGE_SIZE % side != 0) {
            throw new IllegalArgumentException(
                    "the image patch side must divide "
                            + FashionMnist.IMAGE_SIZE
                            + " (1, 2, 4, 7, 14 or 28), got "
                            + side);
        }
        return side;
    }

    /**
     * The models to train (default dense and MoT); dense is always trained first, the others in
     * {@link Architecture}'s order.
     *
     * @throws IllegalArgumentException without dense or with nothing to compare it with
     */
    public ChameleonComparison withArchitectures(List<Architecture> which) {
        Architecture.requireAmong(which, Architecture.twoModalities(), "chameleon");
        this.architectures = Architecture.ordered(which);
        return this;
    }

    /**
     * What a run produced: the report, the image tokenizer's quality (null where images are not
     * tokenized) and each model, dense first.
     */
    public record Outcome(
            ComparisonReport report,
            ReconstructionReport tokenizerQuality,
            List<CurveTraining.Trained> models) {

        /** The model of {@code architecture}. */
        public CurveTraining.Trained model(Architecture architecture) {
            return models.stream()
                    .filter(t -> t.architecture() == architecture)
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new IllegalArgumentException(
                                            architecture.label() + " was not trained"));
        }
    }

    /**
     * Makes each trained model draw {@code perClass} images per class (caption "a photo of a" and
     * the class name, sampled at temperature 1) and measures their caption fidelity and
     * Fashion-MNIST-feature FID against the held-out images with the bundled classifier (0, the
     * default: not measured).
     *
     * @throws IllegalArgumentException if {@code perClass} is negative
     */
    public ChameleonComparison withImageQuality(int perClass) {
        return withImageQuality(perClass, false);
    }

    /**
     * As {@link #withImageQuality(int)}; with {@code alongTraining} the measures are taken at every
     * held-out evaluation and become two more curves against training FLOPs ({@link
     * GeneratedImageQuality#CURVES}), not only at the end.
     */
    public ChameleonComparison withImageQuality(int perClass, boolean alongTraining) {
        this.qualityImagesPerClass = GeneratedImageQuality.checkImagesPerClass(perClass);
        this.qualityAlongTraining = alongTraining && perClass > 0;
        return this;
    }

    /**
     * The held-out images a comparison scores: all of them, or a seeded subset of {@value
     * #EVALUATED_PER_SET} when there are more.
     */
    static FashionMnist evaluationImages(FashionMnist heldOut, int seed) {
        return heldOut.size() <= EVALUATED_PER_SET
                ? heldOut
                : heldOut.split((double) EVALUATED_PER_SET / heldOut.size(), seed + 1).heldOut();
    }

    /**
     * The images of a comparison, split with its held-out fraction and seed: the named folder's, or
     * the bundled test split.
     */
    static FashionMnist.Split splitImages(ComparisonSettings settings) throws IOException {
        FashionMnist images =
                settings.dataDir() == null
                        ? FashionMnist.bundled()
                        : FashionMnist.readDirectory(settings.dataDir());
        FashionMnist.Split split = images.split(settings.heldOutFraction(), settings.seed());
        logger.info(
                "Fashion-MNIST: {} training and {} held-out images",
                split.train().size(),
                split.heldOut().size());
        return split;
    }

    /**
     * An image tokenizer trained on (a seeded sample of) training images, its quality on the
     * held-out images and how many images it trained on.
     */
    record ImageCodebook(
            PatchKMeansTokenizer tokenizer, ReconstructionReport quality, int trainImages) {

        /**
         * Trains the patch k-means tokenizer on at most {@value
         * ChameleonComparison#TOKENIZER_IMAGES} training images ({@code patch × patch} patches,
         * seeded) and measures it on the held-out images.
         */
        static ImageCodebook train(FashionMnist.Split split, int patch, long seed) {
            long t0 = System.nanoTime();
            FashionMnist tokenizerImages =
                    split.train().size() <= TOKENIZER_IMAGES
                            ? split.train()
                            : split.train()
                                    .split((double) TOKENIZER_IMAGES / split.train().size(), seed)
                                    .heldOut();
            PatchKMeansTokenizer tokenizer =
                    PatchKMeansTrainer.train(
                            tokenizerImages.images(),
                            FashionMnist.IMAGE_SIZE,
                            FashionMnist.IMAGE_SIZE,
                            PatchKMeansTrainer.Options.defaults()
                                    .withPatchSize(patch)
                                    .withSeed(seed));
            ReconstructionReport quality =
                    ReconstructionReport.measure(tokenizer, split.heldOut().images());
            logger.info(
                    "image tokenizer: {} codes per image, codebook {}, held-out {} ({} s)",
                    tokenizer.codesPerImage(),
                    tokenizer.codebookSize(),
                    quality,
                    String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
            return new ImageCodebook(tokenizer, quality, tokenizerImages.size());
        }

        /** Records the tokenizer's facts in a report's settings. */
        void describe(ComparisonReport report, int patch) {
            report.setting("tokenizer_train_images", trainImages)
                    .setting(
                            "tokenizer",
                            tokenizer.codesPerImage()
                                    + " codes/image ("
                                    + patch
                                    + "x"
                                    + patch
                                    + " patches), K="
                                    + tokenizer.codebookSize())
                    .setting("tokenizer_heldout_rmse", quality.rmse())
                    .setting("tokenizer_heldout_psnr_db", quality.psnrDb());
        }
    }

    /** Runs the whole comparison: data, tokenizer, both trainings, the report. */
    public Outcome run() throws IOException, TranslateException {
        FashionMnist.Split split = splitImages(settings);
        ImageCodebook codebook = ImageCodebook.train(split, imagePatch, settings.seed());
        PatchKMeansTokenizer tokenizer = codebook.tokenizer();
        ReconstructionReport quality = codebook.quality();

        ProseCorpus.Split prose = null;
        if (settings.hasProse()) {
            prose = ProseCorpus.bundled().split(settings.heldOutFraction(), settings.seed());
            logger.info(
                    "prose: {} training documents ({} MB), {} held-out documents",
                    prose.train().size(),
                    String.format(Locale.ROOT, "%.1f", prose.train().textBytes() / 1e6),
                    prose.heldOut().size());
        }
        ChameleonData data =
                ChameleonData.build(
                        split,
                        tokenizer,
                        ChameleonData.Options.defaults(settings.seed())
                                .withBatchSize(settings.batchSize())
                                .withProseFraction(settings.proseFraction()),
                        prose);
        EvaluationSets evaluation = EvaluationSets.of(data, settings.seed());
        MoTConfig base =
                data.applyTo(baseConfig(settings, normOrder, qkNorm, MODALITIES.size())).build();
        List<LossCurve> curves = new ArrayList<>();
        List<CurveTraining.Trained> trained = new ArrayList<>();
        RunOptions options =
                RunOptions.builder()
                        .modalityNames(MODALITIES)
                        .logEvery(Math.max(1, settings.evaluateEvery()))
                        .objective(objective)
                        .build();
        GeneratedImageQuality measured;
        // a null resource is allowed: without quality measures nothing is loaded or closed
        try (GeneratedImageQuality imageQuality =
                qualityImagesPerClass == 0
                        ? null
                        : new GeneratedImageQuality(
                                qualityImagesPerClass,
                                evaluationImages(split.heldOut(), settings.seed()))) {
            measured = imageQuality;
            if (qualityAlongTraining) {
                GeneratedImageQuality.requireAllDraw(architectures, base, "--quality-curve yes");
            }
            for (Architecture a : architectures) {
                LossCurve curve = new LossCurve(a.label());
                MoTConfig config = a.configure(base);
                boolean draws = imageQuality != null && imageQuality.drawsFor(a, config);
                trained.add(
                        CurveTraining.train(
                                a,
                                config,
                                trainingSettings(),
                                data.train(),
                                options,
                                settings.evaluateEvery(),
                                qualityAlongTraining
                                        ? imageQuality.alongTraining(
                                                a,
                                                new HeldOutScorer(evaluation),
                                                run ->
                                                        (labels, seeds) ->
                                                                drawImages(run, tokenizer, labels))
                                        : new HeldOutScorer(evaluation),
                                curve,
                                !draws || qualityAlongTraining
                                        ? null
                                        : (arch, run) ->
                                                imageQuality.measure(
                                                        arch,
                                                        (labels, seeds) ->
                                                                drawImages(
                                                                        run, tokenizer, labels))));
                curves.add(curve);
            }
        }
        String title =
                String.format(
                        Locale.ROOT,
                        "Chameleon setting, Fashion-MNIST%s: d=%d, %d layers, %d steps x %d seqs",
                        settings.hasProse()
                                ? String.format(
                                        Locale.ROOT,
                                        " + %.0f %% prose",
                                        100 * settings.proseFraction())
                                : "",
                        settings.dim(),
                        settings.layers(),
                        settings.steps(),
                        settings.batchSize());
        ComparisonReport report =
                describeSettings(
                                new ComparisonReport(title, panels(), curves),
                                settings,
                                architectures,
                                base)
                        .setting(
                                "data",
                                settings.dataDir() == null
                                        ? "bundled Fashion-MNIST test split"
                                        : settings.dataDir().toString())
                        .setting("train_images", split.train().size())
                        .setting("heldout_images", split.heldOut().size())
                        .setting("heldout_scored_per_set", EVALUATED_PER_SET)
                        .setting("prose_fraction", settings.proseFraction())
                        .setting("train_prose_sequences", data.trainProseSequences())
                        .setting(
                                "heldout_prose_sequences",
                                data.hasProse() ? data.heldOutProse().size() : 0)
                        .setting(
                                "prose",
                                data.hasProse()
                                        ? "State of the Union addresses 1790-2021 (public domain),"
                                                + " split by address"
                                        : "none")
                        .setting("vocab_size", base.vocabSize())
                        .setting("max_seq_len", base.maxSeqLen());
        codebook.describe(report, imagePatch);
        for (CurveTraining.Trained t : trained) {
            CurveTraining.describe(report, t, base.maxSeqLen());
        }
        if (measured != null) {
            measured.describe(report);
        }
        return new Outcome(report, quality, List.copyOf(trained));
    }

    /**
     * A trained model's images for the classes {@code labels}, one each, drawn at temperature 1
     * (row b of a batch from its own seeded generator), in batches.
     */
    private static List<float[]> drawImages(
            TrainingRun run, PatchKMeansTokenizer tokenizer, List<Integer> labels) {
        List<float[]> out = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            ChameleonGenerator generator = new ChameleonGenerator(run.model(), manager, tokenizer);
            for (int from = 0; from < labels.size(); from += QUALITY_BATCH) {
                List<String> captions = new ArrayList<>();
                for (int label :
                        labels.subList(from, Math.min(labels.size(), from + QUALITY_BATCH))) {
                    captions.add(GeneratedImageQuality.caption(label));
                }
                for (byte[] image :
                        generator.captionsToImages(captions, SamplingSettings.sample(1.0, from))) {
                    out.add(FashionImages.toFloats(image));
                }
            }
        }
        return out;
    }

    /** The report's panels, in order: the held-out losses, then any quality curves. */
    public List<ReportPanel> panels() {
        List<ReportPanel> panels =
                new ArrayList<>(
                        ReportPanel.losses(
                                settings.hasProse() ? HELD_OUT_SETS_WITH_PROSE : MODALITIES));
        if (qualityAlongTraining) {
            panels.addAll(GeneratedImageQuality.panels());
        }
        return panels;
    }

    /**
     * The MoT config every architecture of a comparison derives from, without vocabulary and
     * sequence length (the data sets them): the settings' width and depth, all components untied.
     */
    static MoTConfig.Builder baseConfig(
            ComparisonSettings settings, NormOrder normOrder, boolean qkNorm, int modalities) {
        return MoTConfig.builder()
                .dim(settings.dim())
                .nLayers(settings.layers())
                .nHeads(settings.heads())
                .ffnHiddenDim(settings.ffnHiddenDim())
                .nModalities(modalities)
                .normOrder(normOrder)
                .qkNorm(qkNorm)
                .untie(Untie.ALL);
    }

    /** Records the settings every comparison on codes shares (sizes, recipe, architectures). */
    static ComparisonReport describeSettings(
            ComparisonReport report,
            ComparisonSettings settings,
            List<Architecture> architectures,
            MoTConfig base) {
        return report.setting("steps", settings.steps())
                .setting("dim", settings.dim())
                .setting("layers", settings.layers())
                .setting("heads", settings.heads())
                .setting("ffn_hidden_dim", settings.ffnHiddenDim())
                .setting("batch_size", settings.batchSize())
                .setting("architectures", Architecture.labels(architectures))
                .setting("norm_order", base.normOrder().jsonName())
                .setting("qk_norm", base.qkNorm())
                .setting("peak_learning_rate", settings.peakLearningRate())
                .setting("seed", settings.seed());
    }

    /**
     * The training recipe of these experiments: AdamW with 5 % linear warmup and cosine decay,
     * weight decay 0.1 on matrices, global-norm clipping at 1.0.
     */
    public static TrainingSettings recipe(
            int seed, int batchSize, int steps, double peakLearningRate) {
        return TrainingSettings.builder()
                .seed(seed)
                .batchSize(batchSize)
                .totalSteps(steps)
                .warmupSteps(Math.max(1, steps / 20))
                .peakLearningRate(peakLearningRate)
                .weightDecay(0.1)
                .maxGradNorm(1.0)
                .build();
    }

    /** {@link #recipe} with a comparison's settings. */
    static TrainingSettings recipe(ComparisonSettings settings) {
        return recipe(
                settings.seed(),
                settings.batchSize(),
                settings.steps(),
                settings.peakLearningRate());
    }

    private TrainingSettings trainingSettings() {
        return recipe(settings);
    }

    /** Prose, captions and images of the held-out sets, one loss each. */
    private record HeldOutScorer(EvaluationSets evaluation) implements CurveTraining.Scorer {

        @Override
        public double[] score(TrainingRun run) throws IOException, TranslateException {
            double[] captionsAndImages =
                    run.evaluate(evaluation.captionsAndImages(), EVALUATION_BATCH).means();
            if (evaluation.prose() == null) {
                return captionsAndImages;
            }
            double prose = run.evaluate(evaluation.prose(), EVALUATION_BATCH).means()[0];
            return new double[] {prose, captionsAndImages[0], captionsAndImages[1]};
        }

        @Override
        public String describe(double[] losses) {
            return losses.length == 3
                    ? String.format(
                            Locale.ROOT,
                            "prose text %.4f, caption text %.4f, image %.4f",
                            losses[0],
                            losses[1],
                            losses[2])
                    : String.format(Locale.ROOT, "text %.4f, image %.4f", losses[0], losses[1]);
        }
    }

    /**
     * A seeded random sample of at most {@code max} sequences of {@code set}, in the set's order,
     * batched for evaluation (the whole set when it is no larger).
     */
    static TokenSequenceDataset sample(TokenSequenceDataset set, int max, long seed) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < set.size(); i++) {
            order.add(i);
        }
        if (order.size() > max) {
            Collections.shuffle(order, new Random(seed));
            order = new ArrayList<>(order.subList(0, max));
            Collections.sort(order);
        }
        List<TokenSequence> sequences = new ArrayList<>(order.size());
        for (int i : order) {
            sequences.add(set.sequence(i));
        }
        return TokenSequenceDataset.builder()
                .setSequences(sequences)
                .setSampling(EVALUATION_BATCH, false)
                .build();
    }

    /** The held-out sequences scored at every evaluation: a seeded sample of each set. */
    private record EvaluationSets(
            TokenSequenceDataset captionsAndImages, TokenSequenceDataset prose) {

        static EvaluationSets of(ChameleonData data, long seed) {
            return new EvaluationSets(
                    sample(data.heldOut(), EVALUATED_PER_SET, seed),
                    data.hasProse()
                            ? sample(data.heldOutProse(), EVALUATED_PER_SET, seed + 1)
                            : null);
        }
    }
}
