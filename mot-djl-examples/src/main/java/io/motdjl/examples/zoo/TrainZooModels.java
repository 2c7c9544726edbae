package io.motdjl.examples.zoo;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.translate.TranslateException;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.NormOrder;
import io.motdjl.config.Untie;
import io.motdjl.data.Direction;
import io.motdjl.data.TokenSequence;
import io.motdjl.examples.chameleon.ChameleonData;
import io.motdjl.examples.chameleon.ChameleonExample;
import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.examples.compare.ChameleonComparison;
import io.motdjl.io.SafetensorsFile;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.objective.LossValue;
import io.motdjl.objective.ModalityLosses;
import io.motdjl.objective.NextTokenLoss;
import io.motdjl.tokenize.PatchKMeansTokenizer;
import io.motdjl.tokenize.PatchKMeansTrainer;
import io.motdjl.tokenize.ReconstructionReport;
import io.motdjl.train.FlopsAccounting;
import io.motdjl.train.RunOptions;
import io.motdjl.train.TrainingRun;
import io.motdjl.zoo.MoTCheckpoint;
import io.motdjl.zoo.MoTCheckpointWriter;
import io.motdjl.zoo.MoTModelZoo;
import io.motdjl.zoo.ModelCard;
import io.motdjl.zoo.ZooRepositoryWriter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains the zoo's bundled checkpoints and publishes them into a model repository: a small MoT and
 * its dense twin (the same config with {@link Untie#NONE}) in the paper's Chameleon setting on the
 * bundled Fashion-MNIST split, with the recipe of {@link ChameleonComparison} (k-means patch
 * tokenizer, captions from class names, both directions, AdamW with warmup and cosine decay, same
 * seed and data order for both). Each artifact gets the image tokenizer, a model card with its
 * held-out loss per modality, and checksums.
 *
 * <p>With {@code recorded}, it also writes each model's outputs on two fixed held-out sequences
 * (one caption→image, one image→caption) for the zoo's tests.
 *
 * <p>{@code bin/mot zoo train --out DIR [--recorded DIR] [--steps N]} runs it.
 */
public final class TrainZooModels {

    private static final Logger logger = LoggerFactory.getLogger(TrainZooModels.class);

    /** The artifact version of this training recipe. */
    public static final String VERSION = "0.1.0";

    /** Logit positions recorded per fixed sequence. */
    private static final int RECORDED_POSITIONS = 6;

    /** Case names of the recorded sequences, in {@link #fixedExamples} order. */
    static final List<String> CASES = List.of("caption_to_image", "image_to_caption");

    /**
     * The recipe.
     *
     * @param steps optimizer steps per model
     * @param dim width
     * @param layers decoder layers
     * @param heads attention heads
     * @param batchSize sequences per batch
     * @param peakLearningRate AdamW peak learning rate
     * @param seed seed of split, tokenizer, initialisation and data order
     * @param tokenizerIterations k-means iterations of the image tokenizer
     * @param devices where to train, data-parallel across several ({@link RunOptions#devices});
     *     empty for the engine's default device. Not part of the result: the same recipe trains the
     *     same model on any devices, up to float rounding
     */
    public record Settings(
            int steps,
            int dim,
            int layers,
            int heads,
            int batchSize,
            double peakLearningRate,
            int seed,
            int tokenizerIterations,
            List<Device> devices) {

        /** Copies the device list. */
        public Settings {
            devices = List.copyOf(devices);
        }

        /** A recipe trained on the engine's default device. */
        public Settings(
                int steps,
                int dim,
                int layers,
                int heads,
                int batchSize,
                double peakLearningRate,
                int seed,
                int tokenizerIterations) {
            this(
                    steps,
                    dim,
                    layers,
                    heads,
                    batchSize,
                    peakLearningRate,
                    seed,
                    tokenizerIterations,
                    List.of());
        }

        /** The bundled checkpoints' recipe: about a minute per model on two idle cores. */
        public static Settings defaults() {
            return new Settings(
                    600, 64, 2, 4, 32, 1e-2, 0, PatchKMeansTrainer.Options.DEFAULT_ITERATIONS);
        }

        public Settings withSteps(int value) {
            return new Settings(
                    value,
                    dim,
                    layers,
                    heads,
                    batchSize,
                    peakLearningRate,
                    seed,
                    tokenizerIterations,
                    devices);
        }

        /** Fewer k-means iterations, for quick tests of the program. */
        public Settings withTokenizerIterations(int value) {
            return new Settings(
                    steps, dim, layers, heads, batchSize, peakLearningRate, seed, value, devices);
        }

        /** The same recipe trained on {@code value} (empty: the engine's default device). */
        public Settings withDevices(List<Device> value) {
            return new Settings(
                    steps,
                    dim,
                    layers,
                    heads,
                    batchSize,
                    peakLearningRate,
                    seed,
                    tokenizerIterations,
                    value);
        }

        /**
         * A config of the recipe's shape (width, layers, heads, SwiGLU width, post-norm with
         * QK-norm), everything untied by modality for the MoT and nothing for its dense twin; the
         * setting adds its vocabulary and length.
         */
        MoTConfig.Builder modelBuilder(boolean isMot) {
            return MoTConfig.builder()
                    .dim(dim)
                    .nLayers(layers)
                    .nHeads(heads)
                    .ffnHiddenDim(ffnHiddenDim())
                    .normOrder(NormOrder.POST)
                    .qkNorm(true)
                    .untie(isMot ? Untie.ALL : Untie.NONE);
        }

        /** SwiGLU width: 8/3 of the width rounded up to a multiple of 16, as in the comparison. */
        int ffnHiddenDim() {
            int raw = (int) Math.ceil(8.0 * dim / 3.0);
            return (raw + 15) / 16 * 16;
        }

        String suffix() {
            return "d" + dim + "-l" + layers;
        }
    }

    /** One published artifact. */
    public record Published(String name, Path directory, ModelCard card) {}

    private TrainZooModels() {}

    /**
     * Trains both models and publishes them.
     *
     * @param settings the recipe
     * @param repository the repository root to publish into (e.g. the zoo's resources)
     * @param recorded where to write the fixed-input outputs, or null
     * @param command the command line, for the model cards
     * @return the published artifacts, MoT first
     */
    public static List<Published> run(
            Settings settings, Path repository, Path recorded, String command)
            throws IOException, TranslateException {
        Prepared prepared = prepare(settings);
        ChameleonData data = prepared.data();
        PatchKMeansTokenizer tokenizer = prepared.tokenizer();
        Map<String, Object> dataFacts = prepared.dataFacts();
        MoTConfig mot = prepared.mot();
        MoTConfig dense = prepared.dense();
        List<ChameleonExample> fixed = fixedExamples(data);
        List<Published> published = new ArrayList<>();
        Path staging = Files.createTempDirectory("mot-zoo-train");
        try {
            for (boolean isMot : new boolean[] {true, false}) {
                MoTConfig config = isMot ? mot : dense;
                String name = ZooModelCards.name(isMot, settings);
                Path checkpoint = staging.resolve(name);
                ModelCard card =
                        train(
                                name,
                                isMot,
                                config,
                                settings,
                                data,
                                dataFacts,
                                tokenizer,
                                checkpoint,
                                command);
                Path dir =
                        ZooRepositoryWriter.publish(
                                repository,
                                new ZooRepositoryWriter.ArtifactSpec(
                                        MoTModelZoo.GROUP_ID,
                                        MoTModelZoo.CHAMELEON_FMNIST,
                                        VERSION,
                                        name,
                                        ZooModelCards.properties(isMot, settings),
                                        "MoT and dense twin, Chameleon setting, Fashion-MNIST",
                                        "A Mixture-of-Transformers (every non-embedding parameter untied by"
                                                + " modality: text, image) and its dense twin (same config,"
                                                + " nothing untied), trained with the same data order on"
                                                + " Fashion-MNIST captions and k-means image codes in one"
                                                + " sequence. Filter with architecture=mot|dense."),
                                checkpoint);
                published.add(new Published(name, dir, card));
                if (recorded != null) {
                    record(dir, fixed, recorded.resolve(name + ".safetensors"));
                }
                logger.info("published {} to {}", name, dir);
            }
        } finally {
            deleteTree(staging);
        }
        return published;
    }

    /** The data, tokenizer and configs a recipe trains on. */
    private record Prepared(
            ChameleonData data,
            PatchKMeansTokenizer tokenizer,
            Map<String, Object> dataFacts,
            MoTConfig mot,
            MoTConfig dense) {}

    /**
     * The recipe's split of the bundled images: 90 % to train on, 10 % held out.
     *
     * @param seed the recipe's seed
     */
    public static FashionMnist.Split bundledSplit(int seed) throws IOException {
        return FashionMnist.bundled().split(0.1, seed);
    }

    /**
     * The recipe's image tokenizer: k-means over the training images' 4×4 patches, with the
     * recipe's seed and iterations.
     */
    static PatchKMeansTokenizer imageTokenizer(FashionMnist.Split split, Settings settings) {
        return PatchKMeansTrainer.train(
                split.train().images(),
                FashionMnist.IMAGE_SIZE,
                FashionMnist.IMAGE_SIZE,
                PatchKMeansTrainer.Options.defaults()
                        .withSeed(settings.seed())
                        .withIterations(settings.tokenizerIterations()));
    }

    /** Splits the bundled images, trains the image tokenizer and builds the sequences. */
    private static Prepared prepare(Settings settings) throws IOException {
        FashionMnist.Split split = bundledSplit(settings.seed());
        PatchKMeansTokenizer tokenizer = imageTokenizer(split, settings);
        ReconstructionReport quality =
                ReconstructionReport.measure(tokenizer, split.heldOut().images());
        ChameleonData data =
                ChameleonData.build(
                        split,
                        tokenizer,
                        ChameleonData.Options.defaults(settings.seed())
                                .withBatchSize(settings.batchSize()));
        MoTConfig mot = data.applyTo(settings.modelBuilder(true)).build();
        MoTConfig dense = mot.toBuilder().untie(Untie.NONE).build();

        Map<String, Object> dataFacts = new LinkedHashMap<>();
        dataFacts.put(
                "images",
                "Fashion-MNIST test split bundled in mot-djl-examples (10,000 images, MIT licence),"
                        + " split 90/10 with seed "
                        + settings.seed());
        dataFacts.put("train_images", split.train().size());
        dataFacts.put("heldout_images", split.heldOut().size());
        dataFacts.put(
                "sequences",
                "[BOS] caption [BOI] 49 image codes [EOI] [EOS], or the image first;"
                        + " directions alternate; next-token loss on every token");
        dataFacts.put(
                "image_tokenizer",
                "k-means over 4x4 pixel patches, "
                        + tokenizer.codebookSize()
                        + " codes, "
                        + tokenizer.codesPerImage()
                        + " codes per image (tokenizer.json), held-out PSNR "
                        + String.format(Locale.ROOT, "%.2f dB", quality.psnrDb()));
        dataFacts.put("vocabulary", data.vocabulary().toString());

        return new Prepared(data, tokenizer, dataFacts, mot, dense);
    }

    /**
     * Trains one model of the recipe and writes its checkpoint directory ({@code config.json},
     * {@code model.safetensors}, {@code tokenizer.json}, model card, checksums), which {@code
     * MoTCheckpoint.load} and the zoo's {@code Criteria} read.
     *
     * @param settings the recipe
     * @param isMot the MoT (true) or its dense twin (false)
     * @param directory the checkpoint directory to write (must not exist or be empty)
     * @param command the command line, for the model card
     * @return the model card
     */
    public static ModelCard trainCheckpoint(
            Settings settings, boolean isMot, Path directory, String command)
            throws IOException, TranslateException {
        Prepared prepared = prepare(settings);
        String name = ZooModelCards.name(isMot, settings);
        return train(
                name,
                isMot,
                isMot ? prepared.mot() : prepared.dense(),
                settings,
                prepared.data(),
                prepared.dataFacts(),
                prepared.tokenizer(),
                directory,
                command);
    }

    private static ModelCard train(
            String name,
            boolean isMot,
            MoTConfig config,
            Settings settings,
            ChameleonData data,
            Map<String, Object> dataFacts,
            PatchKMeansTokenizer tokenizer,
            Path checkpoint,
            String command)
            throws IOException, TranslateException {
        try (RecipeRun trained =
                RecipeRun.train(
                        config, settings, data.train(), ChameleonComparison.MODALITIES, null)) {
            TrainingRun run = trained.run();
            FlopsAccounting flops = trained.flops();
            double seconds = trained.seconds();
            ModalityLosses heldOut = run.evaluate(data.heldOut());
            logger.info(
                    "{}: {} steps in {} s, held-out {}",
                    name,
                    run.step(),
                    String.format(Locale.ROOT, "%.1f", seconds),
                    heldOut.format(ChameleonComparison.MODALITIES));

            Map<String, Object> model =
                    ZooModelCards.modelFacts(
                            isMot,
                            config,
                            flops,
                            "2 (0 = text and special tokens, 1 = image codes)");
            Map<String, Object> facts =
                    ZooModelCards.trainingFacts(run, settings, config, flops, seconds);

            Map<String, Double> losses = new LinkedHashMap<>();
            for (int m = 0; m < ChameleonComparison.MODALITIES.size(); m++) {
                losses.put(ChameleonComparison.MODALITIES.get(m), heldOut.mean(m));
            }
            losses.put("all", heldOut.mean());

            ModelCard card =
                    new ModelCard(
                            name,
                            (isMot ? "MoT" : "Dense twin")
                                    + " "
                                    + settings.suffix()
                                    + ", Chameleon setting on Fashion-MNIST",
                            "A tiny "
                                    + (isMot
                                            ? "Mixture-of-Transformers"
                                            : "dense transformer (the MoT's" + " dense twin)")
                                    + " over captions and image codes in one sequence,"
                                    + " trained with mot-djl's training pipeline. A demonstration and test"
                                    + " fixture, not a useful generator.",
                            model,
                            dataFacts,
                            facts,
                            losses,
                            command,
                            TrainZooModels.class.getName());
            MoTCheckpointWriter.of(run.model())
                    .imageTokenizer(tokenizer)
                    .modelCard(card)
                    .write(checkpoint);
            return card;
        }
    }

    /** The first held-out example of each direction. */
    static List<ChameleonExample> fixedExamples(ChameleonData data) {
        List<ChameleonExample> fixed = new ArrayList<>();
        for (Direction direction :
                new Direction[] {Direction.CAPTION_TO_IMAGE, Direction.IMAGE_TO_CAPTION}) {
            data.heldOutExamples().stream()
                    .filter(e -> e.direction() == direction)
                    .findFirst()
                    .ifPresent(fixed::add);
        }
        return fixed;
    }

    /**
     * Runs the published checkpoint on the fixed sequences and writes tokens, modalities, losses,
     * target log-probabilities and logits at a few positions.
     */
    private static void record(Path checkpoint, List<ChameleonExample> fixed, Path file)
            throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = MoTCheckpoint.load(checkpoint, manager);
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (int c = 0; c < fixed.size(); c++) {
                TokenSequence sequence = fixed.get(c).sequence();
                String prefix = CASES.get(c) + ".";
                int length = sequence.length();
                NDArray tokens = manager.create(toLong(sequence.tokens()), new Shape(1, length));
                NDArray modalities =
                        manager.create(toLong(sequence.modalities()), new Shape(1, length));
                NDArray logits =
                        MoTOutputs.of(
                                        model.forward(
                                                new ParameterStore(manager, false),
                                                MoTInputs.of(tokens, modalities).toNDList(),
                                                false))
                                .logits();
                LossValue loss =
                        NextTokenLoss.compute(
                                logits, tokens, modalities, null, model.config().nModalities());
                NDArray targets = tokens.get("0, 1:");
                NDArray logProbs =
                        logits.get("0, :-1, :")
                                .logSoftmax(-1)
                                .gather(targets.expandDims(-1), -1)
                                .squeeze(-1);
                long[] positions = new long[RECORDED_POSITIONS];
                for (int i = 0; i < positions.length; i++) {
                    positions[i] = (long) i * (length - 1) / (positions.length - 1);
                }
                NDArray at = manager.create(positions);
                out.put(prefix + "tokens", tokens.squeeze(0));
                out.put(prefix + "modalities", modalities.squeeze(0));
                out.put(prefix + "loss", loss.mean().reshape(1));
                out.put(prefix + "loss_per_modality", loss.perModality());
                out.put(prefix + "target_log_probs", logProbs);
                out.put(prefix + "logit_positions", at);
                out.put(
                        prefix + "logits",
                        logits.get(new NDIndex("0, {}", at)).toType(DataType.FLOAT32, false));
            }
            Files.createDirectories(file.getParent());
            SafetensorsFile.write(file, out);
        }
    }

    private static long[] toLong(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** Deletes a directory and everything in it, if it exists. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
