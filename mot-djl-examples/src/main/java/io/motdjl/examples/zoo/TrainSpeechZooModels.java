package io.motdjl.examples.zoo;

import ai.djl.translate.TranslateException;

import io.motdjl.speech.SpeechUnitTrainer;
import io.motdjl.zoo.MoTModelZoo;
import io.motdjl.zoo.ModelCard;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Trains the zoo's bundled Chameleon + speech checkpoints, artifact {@value
 * MoTModelZoo#CHAMELEON_SPEECH_FMNIST}, and publishes them into a model repository: a MoT of three
 * modalities (text, image, speech) and its dense twin, each trained by {@link
 * TrainSpeechCheckpoint} with its defaults ({@link TrainSpeechCheckpoint#defaults()}: the Chameleon
 * recipe for {@value TrainSpeechCheckpoint#DEFAULT_STEPS} steps, 256 speech units), the same seed,
 * tokenizers and data order for both. The same recipe as {@code bin/mot train --setting
 * chameleon-speech --architecture mot|dense}.
 *
 * <pre>
 * java -cp "mot-djl-examples/target/classes:$(cat mot-djl-examples/target/cli-classpath.txt)" \
 *     io.motdjl.examples.zoo.TrainSpeechZooModels --out REPOSITORY [--recorded DIR] [--steps N]
 * </pre>
 *
 * <p>or {@code bin/mot zoo train --setting chameleon-speech --out REPOSITORY [--recorded DIR]}.
 */
public final class TrainSpeechZooModels {

    private static final String USAGE =
            "usage: TrainSpeechZooModels --out REPOSITORY [--recorded DIR] [--steps N]";

    /** The recorded transcripts' file name, in the zoo's test resources. */
    public static final String RECORDED_FILE = MoTModelZoo.CHAMELEON_SPEECH_FMNIST + ".json";

    /** Held-out-voice utterances transcribed into the recorded file. */
    public static final int RECORDED_UTTERANCES = 5;

    private TrainSpeechZooModels() {}

    /**
     * Trains both models and publishes them.
     *
     * @param settings the recipe
     * @param repository the repository root to publish into (e.g. {@value
     *     TrainTransfusionZooModels#ZOO_REPOSITORY})
     * @param recorded where to write each model's greedy transcripts of a few held-out-voice
     *     utterances ({@link RecordedTranscripts}), or null
     * @param command the command line, for the model cards
     * @return the published artifacts, MoT first
     */
    public static List<TrainZooModels.Published> run(
            TrainZooModels.Settings settings, Path repository, Path recorded, String command)
            throws IOException, TranslateException {
        TrainSpeechCheckpoint.Prepared prepared =
                TrainSpeechCheckpoint.prepare(settings, SpeechUnitTrainer.Options.DEFAULT_UNITS);
        RecordedTranscripts transcripts = RecordedTranscripts.of(prepared, RECORDED_UTTERANCES);
        List<TrainZooModels.Published> published =
                ZooPair.publish(
                        settings,
                        repository,
                        MoTModelZoo.CHAMELEON_SPEECH_FMNIST,
                        "MoT and dense twin, Chameleon setting with speech, Fashion-MNIST",
                        "A Mixture-of-Transformers of three modalities (every non-embedding parameter"
                                + " untied by modality: text, image codes, speech units) and its dense twin"
                                + " (same config, nothing untied), trained with the same data order on"
                                + " Fashion-MNIST captions, k-means image codes and synthesised spoken"
                                + " captions as k-means speech units, in one sequence: caption <-> image,"
                                + " spoken caption <-> its words, spoken caption <-> an image. Filter with"
                                + " architecture=mot|dense.",
                        (isMot, checkpoint) -> {
                            ModelCard card =
                                    TrainSpeechCheckpoint.train(
                                            settings, isMot, prepared, checkpoint, command);
                            transcripts.transcribe(isMot ? "mot" : "dense", checkpoint);
                            return card;
                        });
        if (recorded != null) {
            transcripts.write(recorded);
        }
        return published;
    }

    /**
     * Trains and publishes the models; prints each one's held-out losses.
     *
     * @param args {@code --out REPOSITORY [--steps N]}
     */
    public static void main(String[] args) throws IOException, TranslateException {
        Path repository = null;
        Path recorded = null;
        TrainZooModels.Settings settings = TrainSpeechCheckpoint.defaults();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--out" -> repository = Path.of(args[i + 1]);
                case "--recorded" -> recorded = Path.of(args[i + 1]).resolve(RECORDED_FILE);
                case "--steps" -> settings = settings.withSteps(Integer.parseInt(args[i + 1]));
                default -> repository = null;
            }
        }
        if (repository == null || args.length % 2 != 0 || settings.steps() < 1) {
            System.err.println(USAGE);
            System.exit(2);
        }
        String command = ZooPair.commandLine(TrainSpeechZooModels.class, args);
        for (TrainZooModels.Published p : run(settings, repository, recorded, command)) {
            System.out.printf(
                    Locale.ROOT,
                    "%s  held-out text %.4f, image %.4f, speech %.4f (held-out voices %.4f)  -> %s%n",
                    p.name(),
                    p.card().heldOutLoss().get("text"),
                    p.card().heldOutLoss().get("image"),
                    p.card().heldOutLoss().get("speech"),
                    p.card().heldOutLoss().get(TrainSpeechCheckpoint.HELD_OUT_VOICES),
                    p.directory());
        }
    }
}
