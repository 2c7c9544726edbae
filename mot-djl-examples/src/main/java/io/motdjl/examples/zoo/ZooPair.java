package io.motdjl.examples.zoo;

import ai.djl.translate.TranslateException;

import io.motdjl.zoo.MoTModelZoo;
import io.motdjl.zoo.ModelCard;
import io.motdjl.zoo.ZooRepositoryWriter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes a zoo artifact of the bundled kind: a MoT and its dense twin, trained one after the
 * other by the same recipe into a staging directory, each published as one version of the artifact
 * with its {@code architecture} property ({@link ZooModelCards#properties}).
 */
final class ZooPair {

    private static final Logger logger = LoggerFactory.getLogger(ZooPair.class);

    /** Trains one of the pair into a checkpoint directory. */
    @FunctionalInterface
    interface Trainer {
        /**
         * Trains the MoT or its dense twin.
         *
         * @param isMot the MoT (true) or its dense twin (false)
         * @param checkpoint the checkpoint directory to write
         * @return the model card written
         */
        ModelCard train(boolean isMot, Path checkpoint) throws IOException, TranslateException;
    }

    private ZooPair() {}

    /**
     * Trains both models (MoT first) and publishes them.
     *
     * @param settings the recipe (names and properties of the versions)
     * @param repository the repository root to publish into
     * @param artifactId the artifact
     * @param title the artifact's one-line title
     * @param description what the artifact holds
     * @param trainer how each model is trained
     * @return the published models, MoT first
     */
    static List<TrainZooModels.Published> publish(
            TrainZooModels.Settings settings,
            Path repository,
            String artifactId,
            String title,
            String description,
            Trainer trainer)
            throws IOException, TranslateException {
        List<TrainZooModels.Published> published = new ArrayList<>();
        Path staging = Files.createTempDirectory("mot-zoo-" + artifactId);
        try {
            for (boolean isMot : new boolean[] {true, false}) {
                String name = ZooModelCards.name(isMot, settings);
                Path checkpoint = staging.resolve(name);
                ModelCard card = trainer.train(isMot, checkpoint);
                Path dir =
                        ZooRepositoryWriter.publish(
                                repository,
                                new ZooRepositoryWriter.ArtifactSpec(
                                        MoTModelZoo.GROUP_ID,
                                        artifactId,
                                        TrainZooModels.VERSION,
                                        name,
                                        ZooModelCards.properties(isMot, settings),
                                        title,
                                        description),
                                checkpoint);
                published.add(new TrainZooModels.Published(name, dir, card));
                logger.info("published {} to {}", name, dir);
            }
        } finally {
            TrainZooModels.deleteTree(staging);
        }
        return published;
    }

    /**
     * The command line of a trainer program run from the repository root, for its model cards.
     *
     * @param program the program's class
     * @param args its arguments
     * @return the line
     */
    static String commandLine(Class<?> program, String[] args) {
        return "java -cp \"mot-djl-examples/target/classes:$(cat"
                + " mot-djl-examples/target/cli-classpath.txt)\" "
                + program.getName()
                + " "
                + String.join(" ", args);
    }
}
