package io.motdjl.zoo;

import ai.djl.Application;
import ai.djl.repository.Artifact;
import ai.djl.repository.MRL;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelLoader;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ModelZoo;

import io.motdjl.io.CheckpointException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The MoT model zoo (group id {@value #GROUP_ID}): checkpoints bundled in this jar, found through
 * DJL's {@link Criteria} like any other zoo model.
 *
 * <pre>{@code
 * Criteria<NDList, NDList> criteria = Criteria.builder()
 *         .setTypes(NDList.class, NDList.class)
 *         .optGroupId(MoTModelZoo.GROUP_ID)              // "io.motdjl.mot"
 *         .optArtifactId(MoTModelZoo.CHAMELEON_FMNIST)   // "chameleon-fmnist"
 *         .optFilter("architecture", "dense")            // or "mot" (the default)
 *         .build();
 * try (ZooModel<NDList, NDList> model = criteria.loadModel();
 *         Predictor<NDList, NDList> predictor = model.newPredictor()) { ... }
 * }</pre>
 *
 * <p>{@value #TRANSFUSION_FMNIST} holds the same pair trained in the Transfusion setting; with
 * {@code setTypes(String.class, Image.class)} it draws an image for a caption by diffusion, with
 * {@code setTypes(Image.class, String.class)} it captions an image (see {@link
 * MoTTranslatorFactory}).
 *
 * <p>A checkpoint directory of one's own loads with {@code optModelPath(dir)}: see {@link
 * #checkpointCriteria}.
 */
public class MoTModelZoo extends ModelZoo {

    /** The zoo's group id. */
    public static final String GROUP_ID = "io.motdjl.mot";

    /**
     * A MoT and its dense twin trained on Fashion-MNIST in the Chameleon setting (captions and
     * image codes in one sequence); filter with {@code architecture} = {@code mot} or {@code
     * dense}.
     */
    public static final String CHAMELEON_FMNIST = "chameleon-fmnist";

    /**
     * A MoT and its dense twin trained on Fashion-MNIST in the Transfusion setting (captions as
     * text tokens, images as continuous 4×4 patches denoised by diffusion, in one sequence); filter
     * with {@code architecture} = {@code mot} or {@code dense}. Its caption → image and image →
     * caption translators are {@link TransfusionCaptionToImageTranslator} and {@link
     * TransfusionImageToCaptionTranslator}.
     */
    public static final String TRANSFUSION_FMNIST = "transfusion-fmnist";

    /**
     * A MoT of three modalities (text, image codes, speech units) and its dense twin trained on
     * Fashion-MNIST with synthesised spoken captions; filter with {@code architecture} = {@code
     * mot} or {@code dense}. With {@code setTypes(Audio.class, String.class)} it transcribes speech
     * ({@link SpeechToCaptionTranslator}), with {@code setTypes(String.class, Audio.class)} it
     * speaks a caption ({@link CaptionToSpeechTranslator}); the image and text pairs work as on
     * {@value #CHAMELEON_FMNIST}.
     */
    public static final String CHAMELEON_SPEECH_FMNIST = "chameleon-speech-fmnist";

    /** The artifact families bundled in this jar. */
    public static final List<String> ARTIFACT_IDS = families();

    /**
     * Every bundled model is a MoT over interleaved modalities: no single DJL application fits, so
     * the models match any application a criteria names.
     */
    public static final Application APPLICATION = Application.UNDEFINED;

    /** The class-path folder of the bundled repository. */
    static final String REPOSITORY_RESOURCE = "io/motdjl/zoo/repository/";

    private final BundledRepository repository;

    /** The zoo over this jar's bundled repository (as {@link MoTZooProvider} registers it). */
    public MoTModelZoo() {
        this(MoTModelZoo.class.getClassLoader(), null);
    }

    /**
     * A zoo over the repository bundled in {@code loader}'s resources.
     *
     * @param loader where {@value #REPOSITORY_RESOURCE} is found
     * @param cacheDir where artifacts inside jars are extracted; null for DJL's cache directory
     */
    MoTModelZoo(ClassLoader loader, Path cacheDir) {
        // DJL's ModelZoo class runs the ServiceLoader, and so this constructor, in its static
        // initialiser, which can run before this class's: read no static field here that is not
        // a compile-time constant
        repository = new BundledRepository("mot-zoo", loader, REPOSITORY_RESOURCE, cacheDir);
        for (String artifactId : families()) {
            MRL mrl = repository.add(repository.model(Application.UNDEFINED, GROUP_ID, artifactId));
            addModel(new MoTModelLoader(repository, mrl));
        }
    }

    /**
     * Checks that {@code artifactId} names one of this zoo's artifact families. DJL's {@code
     * Criteria} reports an unknown one only as "No model matching the criteria is found", before
     * any loader of this zoo is asked; callers that take an artifact id from a user check it here
     * first.
     *
     * @param artifactId the artifact id to look for
     * @throws ModelNotFoundException listing the artifacts there are
     */
    public static void requireArtifact(String artifactId) throws ModelNotFoundException {
        if (!ARTIFACT_IDS.contains(artifactId)) {
            throw new ModelNotFoundException(
                    "no artifact '"
                            + artifactId
                            + "' in the MoT zoo ("
                            + GROUP_ID
                            + "); its artifacts: "
                            + String.join(", ", ARTIFACT_IDS));
        }
    }

    private static List<String> families() {
        return List.of(CHAMELEON_FMNIST, TRANSFUSION_FMNIST, CHAMELEON_SPEECH_FMNIST);
    }

    @Override
    public String getGroupId() {
        return GROUP_ID;
    }

    @Override
    public Set<String> getSupportedEngines() {
        return Set.of(MoTModelLoader.ENGINE);
    }

    /**
     * Criteria preset for loading a MoT checkpoint directory with DJL's own loader: {@code
     * checkpointCriteria(NDList.class, NDList.class).optModelPath(dir).build().loadModel()}. It
     * sets what a directory written by {@link MoTCheckpointWriter} says in its {@code
     * serving.properties}, so a bare checkpoint of the reference layout ({@code config.json} +
     * {@code model.safetensors}, as PyTorch saves it) loads too: the engine, {@link
     * MoTBlockFactory}, {@link MoTTranslatorFactory}, and {@code hasParameter=false} (the block
     * factory has loaded the weights).
     *
     * @param input the input type (see {@link MoTTranslatorFactory} for the supported pairs)
     * @param output the output type
     * @return a builder to add the model path (or URL) and other options to
     */
    public static <I, O> Criteria.Builder<I, O> checkpointCriteria(
            Class<I> input, Class<O> output) {
        return Criteria.builder()
                .setTypes(input, output)
                .optEngine(MoTModelLoader.ENGINE)
                .optArgument("blockFactory", new MoTBlockFactory())
                .optTranslatorFactory(new MoTTranslatorFactory())
                .optOption("hasParameter", "false");
    }

    /**
     * What the zoo holds: every artifact of every family, with its model card, read straight from
     * the class path (nothing is extracted or verified; loading verifies).
     *
     * @return the bundled models in metadata order
     * @throws IOException if a metadata or model card resource cannot be read
     */
    public List<BundledModel> bundledModels() throws IOException {
        List<BundledModel> models = new ArrayList<>();
        for (ModelLoader loader : getModelLoaders()) {
            MRL mrl = loader.getMrl();
            for (Artifact artifact : mrl.listArtifacts()) {
                Map<String, Long> sizes = new LinkedHashMap<>();
                repository
                        .expectedChecksums(artifact)
                        .forEach((name, e) -> sizes.put(name, e.size()));
                models.add(
                        new BundledModel(
                                GROUP_ID,
                                mrl.getArtifactId(),
                                artifact.getVersion(),
                                artifact.getName(),
                                artifact.getProperties(),
                                sizes,
                                readCard(artifact)));
            }
        }
        models.sort(
                java.util.Comparator.comparing(BundledModel::artifactId)
                        .thenComparing(BundledModel::name));
        return models;
    }

    private ModelCard readCard(Artifact artifact) throws IOException {
        try (InputStream in = repository.openResource(artifact, MoTCheckpoint.MODEL_CARD_FILE)) {
            if (in == null) {
                return null;
            }
            try {
                return ModelCard.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(
                        artifact + ": " + MoTCheckpoint.MODEL_CARD_FILE + " is " + e.getMessage(),
                        e);
            }
        }
    }

    /** The repository behind this zoo. */
    BundledRepository repository() {
        return repository;
    }
}
