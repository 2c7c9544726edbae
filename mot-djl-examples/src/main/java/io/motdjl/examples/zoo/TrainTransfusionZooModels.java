package io.motdjl.examples.zoo;

import ai.djl.translate.TranslateException;

import io.motdjl.zoo.MoTModelZoo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Trains the zoo's bundled Transfusion-setting checkpoints, artifact {@value
 * MoTModelZoo#TRANSFUSION_FMNIST}, and publishes them into a model repository: a small MoT and its
 * dense twin, each trained by {@link TrainTransfusionCheckpoint} with the recipe of the bundled
 * Chameleon checkpoints for {@value TrainTransfusionCheckpoint#DEFAULT_STEPS} steps ({@link
 * TrainTransfusionCheckpoint#defaults()}), the same seed and data order for both.
 *
 * <pre>
 * java -cp "mot-djl-examples/target/classes:$(cat mot-djl-examples/target/cli-classpath.txt)" \
 *     io.motdjl.examples.zoo.TrainTransfusionZooModels --out REPOSITORY [--steps N]
 * </pre>
 *
 * <p>Run it after {@code bin/mot help} has built the module; the zoo's repository is {@value
 * #ZOO_REPOSITORY}.
 */
public final class TrainTransfusionZooModels {

    /** The zoo's own repository, relative to the repository root. */
    public static final String ZOO_REPOSITORY =
            "mot-djl-zoo/src/main/resources/io/motdjl/zoo/repository";

    private static final String USAGE =
            "usage: TrainTransfusionZooModels --out REPOSITORY [--steps N]";

    private TrainTransfusionZooModels() {}

    /**
     * Trains both models and publishes them.
     *
     * @param settings the recipe
     * @param repository the repository root to publish into (e.g. {@value #ZOO_REPOSITORY})
     * @param command the command line, for the model cards
     * @return the published artifacts, MoT first
     */
    public static List<TrainZooModels.Published> run(
            TrainZooModels.Settings settings, Path repository, String command)
            throws IOException, TranslateException {
        TransfusionZooData data = TrainTransfusionCheckpoint.data(settings);
        return ZooPair.publish(
                settings,
                repository,
                MoTModelZoo.TRANSFUSION_FMNIST,
                "MoT and dense twin, Transfusion setting, Fashion-MNIST",
                "A Mixture-of-Transformers (every non-embedding parameter untied by modality:"
                        + " text, image) and its dense twin (same config, nothing untied), trained"
                        + " with the same data order on Fashion-MNIST captions (next-token loss)"
                        + " and images as continuous 4x4 patches (diffusion loss) in one sequence."
                        + " Filter with architecture=mot|dense.",
                (isMot, checkpoint) ->
                        TrainTransfusionCheckpoint.train(
                                settings, isMot, data, checkpoint, command));
    }

    /**
     * Trains and publishes the models; prints each one's held-out losses.
     *
     * @param args {@code --out REPOSITORY [--steps N]}
     */
    public static void main(String[] args) throws IOException, TranslateException {
        Path repository = null;
        TrainZooModels.Settings settings = TrainTransfusionCheckpoint.defaults();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--out" -> repository = Path.of(args[i + 1]);
                case "--steps" -> settings = settings.withSteps(Integer.parseInt(args[i + 1]));
                default -> repository = null;
            }
        }
        if (repository == null || args.length % 2 != 0 || settings.steps() < 1) {
            System.err.println(USAGE);
            System.exit(2);
        }
        String command = ZooPair.commandLine(TrainTransfusionZooModels.class, args);
        for (TrainZooModels.Published p : run(settings, repository, command)) {
            System.out.printf(
                    Locale.ROOT,
                    "%s  held-out caption text %.4f, image diffusion %.4f  -> %s%n",
                    p.name(),
                    p.card().heldOutLoss().get("text"),
                    p.card().heldOutLoss().get("image"),
                    p.directory());
        }
    }
}
