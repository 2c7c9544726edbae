package io.motdjl.examples.zoo;

import ai.djl.translate.TranslateException;

import io.motdjl.config.MoTConfig;
import io.motdjl.examples.chameleon.ChameleonSpeechData;
import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.examples.speech.SpokenCaptions;
import io.motdjl.objective.ModalityLosses;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.speech.SpeechUnitTrainer;
import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.tokenize.PatchKMeansTokenizer;
import io.motdjl.train.FlopsAccounting;
import io.motdjl.train.TrainingRun;
import io.motdjl.zoo.MoTCheckpointWriter;
import io.motdjl.zoo.ModelCard;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Trains one model in the Chameleon + speech setting on the bundled Fashion-MNIST split and the
 * bundled spoken captions, and writes its checkpoint directory: captions, k-means image codes and
 * k-means speech units in one sequence ({@link ChameleonSpeechData}: caption ↔ image, spoken
 * caption ↔ its words, spoken caption ↔ an image of its class, both directions), next-token loss on
 * every token, with the recipe of the zoo's Chameleon checkpoints ({@link
 * TrainZooModels.Settings}), by default for {@value #DEFAULT_STEPS} steps.
 *
 * <p>The directory holds {@code config.json} (three modalities: text, image, speech), {@code
 * model.safetensors}, {@code tokenizer.json} (the image tokenizer), {@code speech-tokenizer.json}
 * (the speech units), the model card with held-out losses ({@code text}, {@code image} on held-out
 * images; {@code speech} on held-out utterances of the training voices, {@code speech (held-out
 * voices)} on voices never trained on), {@code serving.properties} and checksums.
 */
public final class TrainSpeechCheckpoint {

    /**
     * Optimizer steps by default: more than the Chameleon recipe's 600, as only a quarter of the
     * sequences turn speech into text, the direction recognition needs.
     */
    public static final int DEFAULT_STEPS = 2000;

    /** The model card's held-out loss on the speech of voices never trained on. */
    public static final String HELD_OUT_VOICES = "speech (held-out voices)";

    private static final Logger logger = LoggerFactory.getLogger(TrainSpeechCheckpoint.class);

    private TrainSpeechCheckpoint() {}

    /** The recipe: the Chameleon recipe with {@value #DEFAULT_STEPS} steps. */
    public static TrainZooModels.Settings defaults() {
        return TrainZooModels.Settings.defaults().withSteps(DEFAULT_STEPS);
    }

    /**
     * The data and both tokenizers of the recipe.
     *
     * @param data the sequences
     * @param imageTokenizer the k-means image tokenizer, trained on the training images
     * @param speech the speech units, trained on the training utterances' frames, and their
     *     quantisation error there
     * @param corpus the spoken captions
     */
    public record Prepared(
            ChameleonSpeechData data,
            PatchKMeansTokenizer imageTokenizer,
            SpeechUnitTrainer.Result speech,
            SpokenCaptions corpus) {

        /** The speech tokenizer. */
        public SpeechUnitTokenizer speechTokenizer() {
            return speech.tokenizer();
        }
    }

    /**
     * Splits the bundled images, trains both tokenizers and lays out the sequences.
     *
     * @param settings the recipe (seed, batch size, image tokenizer iterations)
     * @param speechUnits the number of speech units U
     */
    public static Prepared prepare(TrainZooModels.Settings settings, int speechUnits)
            throws IOException {
        FashionMnist.Split split = TrainZooModels.bundledSplit(settings.seed());
        PatchKMeansTokenizer imageTokenizer = TrainZooModels.imageTokenizer(split, settings);
        SpokenCaptions corpus = SpokenCaptions.bundled();
        SpeechUnitTrainer.Result speech =
                ChameleonSpeechData.trainSpeechUnits(corpus, speechUnits, settings.seed());
        ChameleonSpeechData data =
                ChameleonSpeechData.build(
                        split,
                        imageTokenizer,
                        corpus,
                        speech.tokenizer(),
                        ChameleonSpeechData.Options.defaults(settings.seed())
                                .withBatchSize(settings.batchSize()));
        return new Prepared(data, imageTokenizer, speech, corpus);
    }

    /**
     * The config of one model of the recipe.
     *
     * @param settings the recipe
     * @param isMot the MoT (every parameter untied by modality: three towers) or its dense twin
     * @param data the sequences (vocabulary and longest sequence)
     */
    public static MoTConfig config(
            TrainZooModels.Settings settings, boolean isMot, ChameleonSpeechData data) {
        return data.applyTo(settings.modelBuilder(isMot)).build();
    }

    /**
     * Trains one model of the recipe and writes its checkpoint directory.
     *
     * @param settings the recipe
     * @param speechUnits the number of speech units U
     * @param isMot the MoT (true) or its dense twin (false)
     * @param directory the checkpoint directory to write (must not exist, be empty, or hold a
     *     checkpoint to replace)
     * @param command the command line, for the model card
     * @return the model card
     */
    public static ModelCard trainCheckpoint(
            TrainZooModels.Settings settings,
            int speechUnits,
            boolean isMot,
            Path directory,
            String command)
            throws IOException, TranslateException {
        return train(settings, isMot, prepare(settings, speechUnits), directory, command);
    }

    /**
     * Trains one model on prepared data and writes its checkpoint directory.
     *
     * @param settings the recipe
     * @param isMot the MoT (true) or its dense twin (false)
     * @param prepared the recipe's data and tokenizers ({@link #prepare})
     * @param directory the checkpoint directory to write
     * @param command the command line, for the model card
     * @return the model card
     */
    public static ModelCard train(
            TrainZooModels.Settings settings,
            boolean isMot,
            Prepared prepared,
            Path directory,
            String command)
            throws IOException, TranslateException {
        String name = ZooModelCards.name(isMot, settings);
        ChameleonSpeechData data = prepared.data();
        MoTConfig config = config(settings, isMot, data);
        try (RecipeRun trained =
                RecipeRun.train(
                        config, settings, data.train(), ChameleonSpeechData.MODALITIES, null)) {
            TrainingRun run = trained.run();
            FlopsAccounting flops = trained.flops();
            double seconds = trained.seconds();
            ModalityLosses captionsAndImages = run.evaluate(data.heldOutCaptionsAndImages());
            Map<String, Double> losses = new LinkedHashMap<>();
            losses.put("text", captionsAndImages.mean(JointVocabulary.TEXT));
            losses.put("image", captionsAndImages.mean(JointVocabulary.IMAGE));
            losses.put(
                    "speech", run.evaluate(data.heldOutUtterances()).mean(JointVocabulary.SPEECH));
            losses.put(
                    HELD_OUT_VOICES,
                    run.evaluate(data.heldOutVoices()).mean(JointVocabulary.SPEECH));
            logger.info(
                    "{}: {} steps in {} s, held-out text {}, image {}, speech {} (held-out"
                            + " utterances), {} (held-out voices)",
                    name,
                    run.step(),
                    String.format(Locale.ROOT, "%.1f", seconds),
                    format(losses.get("text")),
                    format(losses.get("image")),
                    format(losses.get("speech")),
                    format(losses.get(HELD_OUT_VOICES)));

            Map<String, Object> model =
                    ZooModelCards.modelFacts(
                            isMot,
                            config,
                            flops,
                            "3 (0 = text and special tokens, 1 = image codes, 2 = speech units and"
                                    + " the markers BOSP, EOSP)");
            ModelCard card =
                    new ModelCard(
                            name,
                            (isMot ? "MoT" : "Dense twin")
                                    + " "
                                    + settings.suffix()
                                    + ", Chameleon + speech setting on Fashion-MNIST and spoken"
                                    + " captions",
                            "A tiny "
                                    + (isMot
                                            ? "Mixture-of-Transformers (three towers: text, image,"
                                                    + " speech)"
                                            : "dense transformer (the MoT's dense twin)")
                                    + " over captions, image codes and speech units in one"
                                    + " sequence, trained with mot-djl's training pipeline. A"
                                    + " demonstration and test fixture, not a useful recogniser"
                                    + " or synthesiser.",
                            model,
                            dataFacts(settings, prepared),
                            ZooModelCards.trainingFacts(run, settings, config, flops, seconds),
                            losses,
                            command,
                            TrainSpeechCheckpoint.class.getName());
            MoTCheckpointWriter.of(run.model())
                    .imageTokenizer(prepared.imageTokenizer())
                    .speechTokenizer(prepared.speechTokenizer())
                    .modelCard(card)
                    .write(directory);
            return card;
        }
    }

    private static Map<String, Object> dataFacts(
            TrainZooModels.Settings settings, Prepared prepared) {
        ChameleonSpeechData data = prepared.data();
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put(
                "images",
                "Fashion-MNIST test split bundled in mot-djl-examples (10,000 images, MIT licence),"
                        + " split 90/10 with seed "
                        + settings.seed());
        facts.put(
                "speech",
                "bundled spoken captions ("
                        + prepared.corpus().size()
                        + " utterances by flite and espeak-ng voices; held-out template and"
                        + " held-out voices), 16 kHz, log-mel frames at 25 Hz");
        facts.put(
                "image_tokenizer",
                "k-means over 4x4 pixel patches, "
                        + prepared.imageTokenizer().codebookSize()
                        + " codes, "
                        + prepared.imageTokenizer().codesPerImage()
                        + " codes per image (tokenizer.json)");
        facts.put(
                "speech_tokenizer",
                prepared.speechTokenizer().unitCount()
                        + " k-means units of 80-mel log-mel frames (speech-tokenizer.json);"
                        + " training-frame "
                        + prepared.speech().report());
        facts.put(
                "sequences",
                "caption <-> image (50 %), spoken caption <-> its words (25 %), spoken caption"
                        + " <-> an image of its class (25 %), both directions; next-token loss on"
                        + " every token");
        facts.put("train_sequences", data.train().size());
        facts.put("vocabulary", data.vocabulary().toString());
        facts.put(
                ModelCard.LOSS_NOTE,
                "text, image: mean next-token cross-entropy (nats) on held-out images and their"
                        + " captions; speech: on the speech units of the held-out template said by"
                        + " the training voices; speech (held-out voices): on the speech of three"
                        + " voices never trained on");
        return facts;
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }
}
