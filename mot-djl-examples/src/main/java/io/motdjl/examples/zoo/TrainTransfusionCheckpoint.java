package io.motdjl.examples.zoo;

import ai.djl.translate.TranslateException;

import io.motdjl.config.DiffusionConfig;
import io.motdjl.config.MoTConfig;
import io.motdjl.diffusion.TransfusionObjective;
import io.motdjl.examples.compare.TransfusionComparison;
import io.motdjl.objective.ModalityLosses;
import io.motdjl.objective.WithAuxiliaryLosses;
import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.train.FlopsAccounting;
import io.motdjl.train.TrainingRun;
import io.motdjl.zoo.MoTCheckpointWriter;
import io.motdjl.zoo.ModelCard;
import io.motdjl.zoo.PatchGeometry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Trains one model in the paper's Transfusion setting on the bundled Fashion-MNIST split and writes
 * its checkpoint directory: captions as text tokens, images as continuous 4×4 patches denoised by
 * diffusion ({@link TransfusionZooData}, the layout of {@link TransfusionComparison}), {@code L =
 * L_LM + 5·L_DDPM}, with the recipe of the zoo's Chameleon checkpoints ({@link
 * TrainZooModels.Settings}: AdamW with warmup and cosine decay, the same seed and data order for
 * the MoT and its dense twin; the tokenizer settings do not apply), by default for {@value
 * #DEFAULT_STEPS} steps ({@link #defaults()}).
 *
 * <p>The directory holds {@code config.json} (with the {@code diffusion} key), {@code
 * model.safetensors}, the model card (held-out losses {@code text}: the caption's next-token loss
 * after its image, {@code image}: the image's diffusion loss after its caption; the image geometry,
 * see {@link PatchGeometry}), {@code serving.properties} and checksums; no tokenizer. {@code
 * MoTCheckpoint.load} and the zoo's {@code Criteria} read it.
 */
public final class TrainTransfusionCheckpoint {

    /**
     * Optimizer steps of the bundled Transfusion checkpoints. More than the Chameleon recipe's 600:
     * only a fifth of the sequences put the image first, and at 600 steps the models name the class
     * of a held-out image little more often than chance (MoT 24 %, dense 14 %).
     */
    public static final int DEFAULT_STEPS = 2000;

    private static final Logger logger = LoggerFactory.getLogger(TrainTransfusionCheckpoint.class);

    private TrainTransfusionCheckpoint() {}

    /**
     * The recipe of the bundled Transfusion checkpoints: the Chameleon recipe ({@link
     * TrainZooModels.Settings#defaults()}) with {@value #DEFAULT_STEPS} steps.
     */
    public static TrainZooModels.Settings defaults() {
        return TrainZooModels.Settings.defaults().withSteps(DEFAULT_STEPS);
    }

    /**
     * Lays out the recipe's split of the bundled images.
     *
     * @param settings the recipe (its seed and batch size)
     * @return the data
     */
    public static TransfusionZooData data(TrainZooModels.Settings settings) throws IOException {
        return TransfusionZooData.build(
                TrainZooModels.bundledSplit(settings.seed()),
                settings.seed(),
                settings.batchSize());
    }

    /**
     * The config of one model of the recipe.
     *
     * @param settings the recipe
     * @param isMot the MoT (everything untied by modality) or its dense twin (nothing untied)
     * @param maxLength the longest sequence
     * @return the config, with the {@code diffusion} key on the image modality
     */
    public static MoTConfig config(TrainZooModels.Settings settings, boolean isMot, int maxLength) {
        return settings.modelBuilder(isMot)
                .vocabSize(JointVocabulary.TEXT_TOKENS)
                .nModalities(TransfusionComparison.MODALITIES.size())
                .maxSeqLen(maxLength)
                .diffusion(
                        new DiffusionConfig(
                                JointVocabulary.IMAGE,
                                TransfusionZooData.GEOMETRY.values(),
                                DiffusionConfig.DEFAULT_TIMESTEPS))
                .build();
    }

    /**
     * Trains one model of the recipe and writes its checkpoint directory.
     *
     * @param settings the recipe
     * @param isMot the MoT (true) or its dense twin (false)
     * @param directory the checkpoint directory to write (must not exist, be empty, or hold a
     *     checkpoint to replace)
     * @param command the command line, for the model card
     * @return the model card
     */
    public static ModelCard trainCheckpoint(
            TrainZooModels.Settings settings, boolean isMot, Path directory, String command)
            throws IOException, TranslateException {
        return train(settings, isMot, data(settings), directory, command);
    }

    /**
     * Trains one model on data laid out already and writes its checkpoint directory.
     *
     * @param settings the recipe
     * @param isMot the MoT (true) or its dense twin (false)
     * @param data the recipe's data ({@link #data})
     * @param directory the checkpoint directory to write
     * @param command the command line, for the model card
     * @return the model card
     */
    static ModelCard train(
            TrainZooModels.Settings settings,
            boolean isMot,
            TransfusionZooData data,
            Path directory,
            String command)
            throws IOException, TranslateException {
        String name = ZooModelCards.name(isMot, settings);
        MoTConfig config = config(settings, isMot, data.maxLength());
        try (RecipeRun trained =
                RecipeRun.train(
                        config,
                        settings,
                        data.train(),
                        TransfusionComparison.MODALITIES,
                        c -> WithAuxiliaryLosses.forModel(TransfusionObjective.forConfig(c), c))) {
            TrainingRun run = trained.run();
            FlopsAccounting flops = trained.flops();
            double seconds = trained.seconds();
            ModalityLosses reading =
                    run.evaluate(data.reading(), TransfusionZooData.EVALUATION_BATCH);
            ModalityLosses drawing =
                    run.evaluate(data.drawing(), TransfusionZooData.EVALUATION_BATCH);
            Map<String, Double> losses = new LinkedHashMap<>();
            losses.put("text", reading.mean(JointVocabulary.TEXT));
            losses.put("image", drawing.mean(JointVocabulary.IMAGE));
            logger.info(
                    "{}: {} steps in {} s, held-out caption text {}, image diffusion {}",
                    name,
                    run.step(),
                    String.format(Locale.ROOT, "%.1f", seconds),
                    String.format(Locale.ROOT, "%.4f", losses.get("text")),
                    String.format(Locale.ROOT, "%.4f", losses.get("image")));

            Map<String, Object> model =
                    ZooModelCards.modelFacts(
                            isMot,
                            config,
                            flops,
                            "2 (0 = text and the markers BOS, EOS, BOI, EOI; 1 = image patch"
                                    + " rows)");
            model.putAll(PatchGeometry.cardFacts(TransfusionZooData.GEOMETRY));
            model.put(
                    "images",
                    TransfusionZooData.GEOMETRY.rows()
                            + " patch rows of "
                            + TransfusionZooData.GEOMETRY.values()
                            + " values in [-1, 1] per image, read by a linear patch adapter with a"
                            + " timestep embedding, written by a noise head");
            model.put(
                    "diffusion",
                    "epsilon prediction, cosine schedule over "
                            + config.diffusion().timesteps()
                            + " timesteps");

            Map<String, Object> dataFacts = new LinkedHashMap<>();
            dataFacts.put(
                    "images",
                    "Fashion-MNIST test split bundled in mot-djl-examples (10,000 images, MIT"
                            + " licence), split 90/10 with seed "
                            + settings.seed());
            dataFacts.put("train_images", data.trainImages());
            dataFacts.put("heldout_images", data.heldOutImages());
            dataFacts.put(
                    "sequences",
                    String.format(
                            Locale.ROOT,
                            "[BOS] caption [BOI] %d patch rows [EOI] [EOS] (%.0f %%, the caption"
                                    + " dropped one time in %.0f), else [BOS] [BOI] rows [EOI]"
                                    + " caption [EOS] with the image's timestep below %d",
                            TransfusionZooData.GEOMETRY.rows(),
                            100 * TransfusionComparison.CAPTION_FIRST,
                            1 / TransfusionComparison.CAPTION_DROPOUT,
                            TransfusionComparison.IMAGE_FIRST_TIMESTEP_LIMIT));
            dataFacts.put(
                    ModelCard.LOSS_NOTE,
                    "text: the mean next-token cross-entropy (nats) of each held-out caption"
                            + " after its image (image first, timestep below "
                            + TransfusionComparison.IMAGE_FIRST_TIMESTEP_LIMIT
                            + ", seeded). image: the diffusion loss, the mean squared error of the"
                            + " predicted noise, of each held-out image after its caption (seeded"
                            + " timesteps and noise).");

            Map<String, Object> facts =
                    ZooModelCards.trainingFacts(run, settings, config, flops, seconds);
            facts.put(
                    "objective",
                    "L_LM + "
                            + TransfusionObjective.DEFAULT_LAMBDA
                            + " L_DDPM (next-token loss on text, noise MSE on image rows)");

            ModelCard card =
                    new ModelCard(
                            name,
                            (isMot ? "MoT" : "Dense twin")
                                    + " "
                                    + settings.suffix()
                                    + ", Transfusion setting on Fashion-MNIST",
                            "A tiny "
                                    + (isMot
                                            ? "Mixture-of-Transformers"
                                            : "dense transformer (the MoT's dense twin)")
                                    + " over captions (text tokens) and images (continuous patches,"
                                    + " denoised by diffusion) in one sequence, trained with"
                                    + " mot-djl's training pipeline. A demonstration and test"
                                    + " fixture, not a useful generator.",
                            model,
                            dataFacts,
                            facts,
                            losses,
                            command,
                            TrainTransfusionCheckpoint.class.getName());
            MoTCheckpointWriter.of(run.model()).modelCard(card).write(directory);
            return card;
        }
    }
}
