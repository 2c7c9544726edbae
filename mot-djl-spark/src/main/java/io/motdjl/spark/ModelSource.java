package io.motdjl.spark;

import ai.djl.repository.zoo.Criteria;

import io.motdjl.zoo.MoTModelZoo;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * Where the model comes from: the bundled {@code chameleon-fmnist} artifact (one of its two
 * architectures) or a checkpoint directory. Serializable, so that Spark ships it to the executors,
 * which load the model themselves.
 *
 * @param checkpoint a checkpoint directory (absolute path); null for the bundled model
 * @param architecture {@code mot} or {@code dense} for the bundled model; null for a checkpoint
 */
public record ModelSource(String checkpoint, String architecture) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Exactly one of the two is given. */
    public ModelSource {
        if ((checkpoint == null) == (architecture == null)) {
            throw new IllegalArgumentException("give a checkpoint or an architecture, not both");
        }
    }

    /**
     * The bundled model of an architecture.
     *
     * @param architecture {@code mot} or {@code dense}
     * @return the source
     */
    public static ModelSource bundled(String architecture) {
        return new ModelSource(null, architecture);
    }

    /**
     * A checkpoint directory.
     *
     * @param dir the directory, made absolute (executors may run elsewhere)
     * @return the source
     */
    public static ModelSource checkpoint(Path dir) {
        return new ModelSource(dir.toAbsolutePath().normalize().toString(), null);
    }

    /**
     * The criteria that load this model with the given types.
     *
     * @param input the input type
     * @param output the output type
     * @param <I> the input type
     * @param <O> the output type
     * @return the criteria
     */
    public <I, O> Criteria<I, O> criteria(Class<I> input, Class<O> output) {
        if (checkpoint != null) {
            return MoTModelZoo.checkpointCriteria(input, output)
                    .optModelPath(Path.of(checkpoint))
                    .build();
        }
        return Criteria.builder()
                .setTypes(input, output)
                .optGroupId(MoTModelZoo.GROUP_ID)
                .optArtifactId(MoTModelZoo.CHAMELEON_FMNIST)
                .optFilter("architecture", architecture)
                .build();
    }

    @Override
    public String toString() {
        return checkpoint != null
                ? "checkpoint " + checkpoint
                : MoTModelZoo.CHAMELEON_FMNIST + " (" + architecture + ")";
    }
}
