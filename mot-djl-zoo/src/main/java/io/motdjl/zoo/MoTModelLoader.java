package io.motdjl.zoo;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.repository.Artifact;
import ai.djl.repository.MRL;
import ai.djl.repository.zoo.BaseModelLoader;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Progress;

import io.motdjl.nn.MoTModel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Loads one artifact family of the MoT zoo: picks the artifact that matches the criteria's filters,
 * prepares it (extracting it from the jar if needed), verifies every file against the size and
 * SHA-256 recorded in the repository metadata, builds the {@link MoTModel} in Java from the
 * artifact's {@code config.json}, loads and checks the weights, and pairs the model with a
 * translator of {@link MoTTranslatorFactory} (or the criteria's own factory).
 *
 * <p>Nothing is left behind on failure: the DJL {@code Model} is closed, so no half-initialised
 * model survives.
 */
public class MoTModelLoader extends BaseModelLoader {

    private static final Logger logger = LoggerFactory.getLogger(MoTModelLoader.class);

    /** The engine every MoT model runs on. */
    public static final String ENGINE = "PyTorch";

    private final BundledRepository repository;

    MoTModelLoader(BundledRepository repository, MRL mrl) {
        super(mrl);
        this.repository = repository;
        defaultFactory = new MoTTranslatorFactory();
    }

    @Override
    public <I, O> ZooModel<I, O> loadModel(Criteria<I, O> criteria)
            throws IOException, ModelNotFoundException, MalformedModelException {
        Artifact artifact = mrl.match(criteria.getFilters());
        if (artifact == null) {
            throw new ModelNotFoundException(
                    "no artifact of "
                            + mrl
                            + " matches the filter "
                            + criteria.getFilters()
                            + "; it has "
                            + describe(mrl.listArtifacts()));
        }
        TranslatorFactory factory = criteria.getTranslatorFactory();
        if (factory == null) {
            factory = defaultFactory;
        }
        Class<I> input = criteria.getInputClass();
        Class<O> output = criteria.getOutputClass();
        if (!factory.isSupported(input, output)) {
            throw new ModelNotFoundException(
                    mrl
                            + " has no translator from "
                            + input.getSimpleName()
                            + " to "
                            + output.getSimpleName()
                            + "; supported: "
                            + MoTTranslatorFactory.describe(factory.getSupportedTypes()));
        }
        String engine = criteria.getEngine();
        if (engine != null && !ENGINE.equals(engine)) {
            throw new ModelNotFoundException(mrl + " runs on " + ENGINE + ", not " + engine);
        }
        if (criteria.getBlock() != null) {
            logger.warn("ignoring the criteria's block: {} builds its block from config.json", mrl);
        }

        Progress progress = criteria.getProgress();
        mrl.prepare(artifact, progress);
        Path dir = repository.getResourceDirectory(artifact);
        Map<String, Checksums.Expected> expected = repository.expectedChecksums(artifact);
        String name =
                criteria.getModelName() != null ? criteria.getModelName() : artifact.getName();
        Map<String, Object> arguments = artifact.getArguments(criteria.getArguments());
        Device device = criteria.getDevice();
        try {
            return load(dir, name, device, expected, factory, input, output, arguments);
        } catch (ChecksumException e) {
            if (!repository.isExtracted(artifact)) {
                throw e;
            }
            // the copy in the cache is damaged; the jar is the reference
            repository.reextract(artifact, progress);
            return load(dir, name, device, expected, factory, input, output, arguments);
        }
    }

    /**
     * Verifies a checkpoint directory against {@code expected} and loads it into a new DJL model
     * with a translator.
     *
     * @throws io.motdjl.io.CheckpointException if the checkpoint is malformed or fails a checksum
     * @throws ModelNotFoundException if the factory cannot make the translator
     */
    static <I, O> ZooModel<I, O> load(
            Path dir,
            String name,
            Device device,
            Map<String, Checksums.Expected> expected,
            TranslatorFactory factory,
            Class<I> input,
            Class<O> output,
            Map<String, Object> arguments)
            throws IOException, ModelNotFoundException, MalformedModelException {
        Model model = Model.newInstance(name, device, ENGINE);
        boolean done = false;
        try {
            MoTModel block =
                    MoTCheckpoint.load(
                            dir,
                            model.getNDManager(),
                            expected,
                            MoTCheckpoint.Verification.REQUIRED);
            model.setBlock(block);
            // records the model directory (for the tokenizer and other files); reads nothing
            model.load(dir, null, Map.of("hasParameter", "false"));
            for (Map.Entry<String, Object> e : arguments.entrySet()) {
                model.setProperty(e.getKey(), String.valueOf(e.getValue()));
            }
            Translator<I, O> translator;
            try {
                translator = factory.newInstance(input, output, model, arguments);
            } catch (TranslateException e) {
                throw new ModelNotFoundException("no matching translator: " + e.getMessage(), e);
            }
            ZooModel<I, O> zooModel = new ZooModel<>(model, translator);
            done = true;
            logger.debug("loaded {} from {} ({} files verified)", name, dir, expected.size());
            return zooModel;
        } finally {
            if (!done) {
                model.close();
            }
        }
    }

    private static String describe(List<Artifact> artifacts) {
        return artifacts.stream()
                .map(a -> a.getName() + " " + a.getProperties())
                .collect(Collectors.joining(", "));
    }
}
