package io.motdjl.examples.cli;

import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;

import io.motdjl.zoo.MoTModelZoo;

import java.nio.file.Path;
import java.util.List;

/**
 * Where a command's model comes from: {@code --checkpoint DIR}, or {@code --model ARTIFACT
 * [--architecture mot|dense]} from the zoo — exactly one of the two.
 *
 * @param checkpoint the checkpoint directory, or null for a zoo model
 * @param artifact the zoo artifact, or null for a checkpoint
 * @param architecture the zoo filter {@code architecture}, or null for a checkpoint
 */
record ModelSource(Path checkpoint, String artifact, String architecture) {

    /** The option names this source reads. */
    static final List<String> OPTIONS = List.of("checkpoint", "model", "architecture");

    /** Help lines for {@code --model} and {@code --architecture}. */
    static final List<String> ZOO_HELP =
            List.of(
                    "  --model ARTIFACT        a zoo artifact: "
                            + String.join(" or ", MoTModelZoo.ARTIFACT_IDS),
                    "  --architecture A        the zoo filter architecture=mot|dense (default mot)");

    /**
     * Reads the source from parsed options.
     *
     * @throws UsageException unless exactly one of {@code --checkpoint} and {@code --model} is
     *     given, or {@code --architecture} comes without {@code --model}
     */
    static ModelSource parse(CommandOptions options, String synopsis) {
        Path checkpoint = options.optionalPath("checkpoint");
        boolean zoo = options.has("model");
        if ((checkpoint == null) == !zoo) {
            throw new UsageException(
                    "give exactly one of --checkpoint DIR or --model ARTIFACT (usage: mot "
                            + synopsis
                            + ")");
        }
        if (checkpoint != null) {
            if (options.has("architecture")) {
                throw new UsageException("--architecture selects a zoo model; it needs --model");
            }
            return new ModelSource(checkpoint, null, null);
        }
        String architecture =
                options.optionalChoice("architecture", "mot", List.of("mot", "dense"), synopsis);
        return new ModelSource(null, options.optionalString("model", null), architecture);
    }

    /** Loads the zoo model through DJL's {@code Criteria}; the caller closes it. */
    ZooModel<NDList, NDList> loadZooModel() throws Exception {
        return zooModel(artifact, architecture);
    }

    /** Loads a bundled zoo model through DJL's {@code Criteria}; the caller closes it. */
    static ZooModel<NDList, NDList> zooModel(String artifact, String architecture)
            throws Exception {
        // DJL's own search would only say that no model matches
        MoTModelZoo.requireArtifact(artifact);
        Criteria<NDList, NDList> criteria =
                Criteria.builder()
                        .setTypes(NDList.class, NDList.class)
                        .optGroupId(MoTModelZoo.GROUP_ID)
                        .optArtifactId(artifact)
                        .optFilter("architecture", architecture)
                        .build();
        return criteria.loadModel();
    }

    /** A short description for output, e.g. {@code zoo chameleon-fmnist (mot)}. */
    String describe() {
        return checkpoint != null
                ? checkpoint.toString()
                : "zoo " + artifact + " (" + architecture + ")";
    }
}
