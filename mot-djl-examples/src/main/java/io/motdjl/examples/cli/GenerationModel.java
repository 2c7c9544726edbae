package io.motdjl.examples.cli;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.ZooModel;

import io.motdjl.generate.ChameleonGenerator;
import io.motdjl.nn.MoTModel;
import io.motdjl.tokenize.PatchKMeansTokenizer;
import io.motdjl.zoo.MoTCheckpoint;
import io.motdjl.zoo.MoTModelZoo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model to generate with, from a checkpoint directory or from the model zoo, with its image
 * tokenizer; closing it frees the weights.
 */
final class GenerationModel implements AutoCloseable {

    private final AutoCloseable owner;
    private final ChameleonGenerator generator;
    private final String source;

    private GenerationModel(AutoCloseable owner, ChameleonGenerator generator, String source) {
        this.owner = owner;
        this.generator = generator;
        this.source = source;
    }

    /** Loads {@code dir} (config.json, weights, tokenizer.json), checksums verified. */
    static GenerationModel fromCheckpoint(Path dir) throws IOException {
        PathChecks.requireDirectory(dir, "checkpoint directory");
        if (!Files.exists(dir.resolve(MoTCheckpoint.TOKENIZER_FILE))) {
            throw new BadInputException(
                    dir
                            + " has no "
                            + MoTCheckpoint.TOKENIZER_FILE
                            + ": generation needs the image tokenizer the model was trained with"
                            + " (bin/mot train writes it)");
        }
        NDManager manager = NDManager.newBaseManager();
        try {
            MoTModel model = MoTCheckpoint.load(dir, manager);
            PatchKMeansTokenizer tokenizer = MoTCheckpoint.readTokenizer(dir);
            return new GenerationModel(
                    manager, new ChameleonGenerator(model, manager, tokenizer), dir.toString());
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Loads a bundled zoo model through DJL's {@code Criteria}. */
    static GenerationModel fromZoo(String artifact, String architecture) throws Exception {
        ZooModel<NDList, NDList> model = ModelSource.zooModel(artifact, architecture);
        try {
            PatchKMeansTokenizer tokenizer =
                    MoTCheckpoint.imageTokenizer(model)
                            .orElseThrow(
                                    () ->
                                            new BadInputException(
                                                    "zoo model "
                                                            + artifact
                                                            + " has no image tokenizer"));
            ChameleonGenerator generator =
                    new ChameleonGenerator(
                            (MoTModel) model.getBlock(), model.getNDManager(), tokenizer);
            return new GenerationModel(
                    model,
                    generator,
                    "zoo " + MoTModelZoo.GROUP_ID + ":" + artifact + " (" + architecture + ")");
        } catch (Exception e) {
            model.close();
            throw e;
        }
    }

    ChameleonGenerator generator() {
        return generator;
    }

    /** Where the model came from, for messages. */
    String source() {
        return source;
    }

    @Override
    public void close() throws Exception {
        owner.close();
    }
}
