package io.motdjl.examples.cli;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.ZooModel;

import io.motdjl.config.MoTConfig;
import io.motdjl.diffusion.ImagePatches;
import io.motdjl.diffusion.TransfusionGenerator;
import io.motdjl.generate.ChameleonGenerator;
import io.motdjl.generate.ChameleonSpeechGenerator;
import io.motdjl.generate.SamplingSettings;
import io.motdjl.nn.MoTModel;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.tokenize.PatchKMeansTokenizer;
import io.motdjl.zoo.GenerationOptions;
import io.motdjl.zoo.GrayscaleImages;
import io.motdjl.zoo.MoTCheckpoint;
import io.motdjl.zoo.MoTModelZoo;
import io.motdjl.zoo.PatchGeometry;
import io.motdjl.zoo.TextContinuationTranslator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model to generate with, from a checkpoint directory or from the model zoo, in either setting:
 * Chameleon (images as codes of its image tokenizer, {@link ChameleonGenerator}) or Transfusion (a
 * config with a {@code diffusion} key: images as continuous patches drawn by diffusion, {@link
 * TransfusionGenerator}). Images go in and out as grayscale bytes of the model's image size either
 * way; closing it frees the weights.
 */
final class GenerationModel implements AutoCloseable {

    private final AutoCloseable owner;
    private final MoTModel model;
    private final NDManager manager;
    private final ChameleonGenerator chameleon;
    private final TransfusionGenerator transfusion;
    private final SpeechModel speech;
    private final String source;

    private GenerationModel(
            AutoCloseable owner,
            MoTModel model,
            NDManager manager,
            ChameleonGenerator chameleon,
            TransfusionGenerator transfusion,
            SpeechModel speech,
            String source) {
        this.owner = owner;
        this.model = model;
        this.manager = manager;
        this.chameleon = chameleon;
        this.transfusion = transfusion;
        this.speech = speech;
        this.source = source;
    }

    /**
     * Loads {@code dir} (config.json, weights, and tokenizer.json for a Chameleon-setting model),
     * checksums verified.
     */
    static GenerationModel fromCheckpoint(Path dir) throws IOException {
        PathChecks.requireDirectory(dir, "checkpoint directory");
        MoTConfig config = MoTCheckpoint.readConfig(dir);
        boolean diffusion = config.diffusion() != null;
        if (!diffusion && !Files.exists(dir.resolve(MoTCheckpoint.TOKENIZER_FILE))) {
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
            String source = dir.toString();
            if (diffusion) {
                return transfusion(
                        manager, model, manager, PatchGeometry.read(dir, config), source);
            }
            PatchKMeansTokenizer tokenizer = MoTCheckpoint.readTokenizer(dir);
            SpeechUnitTokenizer speechTokenizer =
                    Files.exists(dir.resolve(MoTCheckpoint.SPEECH_TOKENIZER_FILE))
                            ? MoTCheckpoint.readSpeechTokenizer(dir)
                            : null;
            return chameleon(manager, model, manager, tokenizer, speechTokenizer, source);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Loads a bundled zoo model through DJL's {@code Criteria}. */
    static GenerationModel fromZoo(String artifact, String architecture) throws Exception {
        ZooModel<NDList, NDList> zooModel = ModelSource.zooModel(artifact, architecture);
        try {
            MoTModel model = (MoTModel) zooModel.getBlock();
            NDManager manager = zooModel.getNDManager();
            String source =
                    "zoo " + MoTModelZoo.GROUP_ID + ":" + artifact + " (" + architecture + ")";
            if (model.config().diffusion() != null) {
                return transfusion(
                        zooModel,
                        model,
                        manager,
                        PatchGeometry.of(zooModel, model.config()),
                        source);
            }
            PatchKMeansTokenizer tokenizer =
                    MoTCheckpoint.imageTokenizer(zooModel)
                            .orElseThrow(
                                    () ->
                                            new BadInputException(
                                                    "zoo model "
                                                            + artifact
                                                            + " has no image tokenizer"));
            return chameleon(
                    zooModel,
                    model,
                    manager,
                    tokenizer,
                    MoTCheckpoint.speechTokenizer(zooModel).orElse(null),
                    source);
        } catch (Exception e) {
            zooModel.close();
            throw e;
        }
    }

    /**
     * A Chameleon-setting model, with speech when its vocabulary has a speech range and the speech
     * tokenizer is there.
     */
    private static GenerationModel chameleon(
            AutoCloseable owner,
            MoTModel model,
            NDManager manager,
            PatchKMeansTokenizer tokenizer,
            SpeechUnitTokenizer speechTokenizer,
            String source) {
        try {
            JointVocabulary vocabulary = JointVocabulary.of(model.config());
            SpeechModel speech =
                    vocabulary.hasSpeech() && speechTokenizer != null
                            ? new SpeechModel(
                                    new ChameleonSpeechGenerator(
                                            model,
                                            manager,
                                            vocabulary,
                                            tokenizer.codesPerImage(),
                                            SpeechModel.MAX_UNITS),
                                    speechTokenizer)
                            : null;
            return new GenerationModel(
                    owner,
                    model,
                    manager,
                    new ChameleonGenerator(model, manager, tokenizer, vocabulary),
                    null,
                    speech,
                    source);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(source + ": " + e.getMessage());
        }
    }

    private static GenerationModel transfusion(
            AutoCloseable owner,
            MoTModel model,
            NDManager manager,
            ImagePatches geometry,
            String source) {
        try {
            return new GenerationModel(
                    owner,
                    model,
                    manager,
                    null,
                    new TransfusionGenerator(model, manager, geometry),
                    null,
                    source);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(source + ": " + e.getMessage());
        }
    }

    /** Whether the model was trained in the Transfusion setting (images drawn by diffusion). */
    boolean isTransfusion() {
        return transfusion != null;
    }

    /**
     * The speech side of a Chameleon + speech model.
     *
     * @throws UsageException if the model has none, saying what is missing
     */
    SpeechModel speech() {
        if (speech != null) {
            return speech;
        }
        if (isTransfusion() || !JointVocabulary.of(model.config()).hasSpeech()) {
            throw new UsageException(
                    source
                            + " has no speech modality (its vocabulary is text and images); speech"
                            + " tasks need a model trained with bin/mot train --setting"
                            + " chameleon-speech");
        }
        throw new BadInputException(
                source
                        + " has a speech modality but no "
                        + MoTCheckpoint.SPEECH_TOKENIZER_FILE
                        + ": speech tasks need the speech tokenizer the model was trained with");
    }

    /** The model's config. */
    MoTConfig config() {
        return model.config();
    }

    /** Image height in pixels. */
    int imageHeight() {
        return isTransfusion()
                ? transfusion.geometry().height()
                : chameleon.tokenizer().imageHeight();
    }

    /** Image width in pixels. */
    int imageWidth() {
        return isTransfusion()
                ? transfusion.geometry().width()
                : chameleon.tokenizer().imageWidth();
    }

    /**
     * Draws one image per caption: by decoding image tokens under {@code tokens} (Chameleon) or by
     * diffusion under {@code diffusion} (Transfusion).
     *
     * @return grayscale bytes of the model's image size, one image per caption, in order
     */
    List<byte[]> draw(
            List<String> captions,
            SamplingSettings tokens,
            io.motdjl.diffusion.SamplingSettings diffusion) {
        if (!isTransfusion()) {
            return chameleon.captionsToImages(captions, tokens);
        }
        List<byte[]> images = new ArrayList<>(captions.size());
        for (float[] pixels : transfusion.captionsToImages(captions, diffusion)) {
            images.add(GrayscaleImages.bytesOf(pixels));
        }
        return images;
    }

    /** The image of a Chameleon-setting model's codes, as grayscale bytes. */
    byte[] imageOf(int[] codes) {
        return chameleon.tokenizer().decode(codes);
    }

    /**
     * Captions images (grayscale bytes of the model's image size) with text tokens drawn under
     * {@code sampling}, at most {@code maxTokens} each.
     */
    List<String> caption(List<byte[]> images, SamplingSettings sampling, int maxTokens) {
        if (!isTransfusion()) {
            return chameleon.imagesToCaptions(images, sampling, maxTokens);
        }
        List<float[]> pixels = new ArrayList<>(images.size());
        for (byte[] image : images) {
            pixels.add(GrayscaleImages.pixelsOf(image));
        }
        return transfusion.imagesToCaptions(pixels, sampling, maxTokens);
    }

    /**
     * Continues a text with text tokens drawn under {@code sampling}, until EOS, {@code maxTokens}
     * or the model's {@code max_seq_len}.
     */
    String continueText(String text, SamplingSettings sampling, int maxTokens) {
        if (!isTransfusion()) {
            return chameleon.continueText(text, sampling, maxTokens);
        }
        // [BOS] text, then what fits
        int room = model.config().maxSeqLen() - (JointVocabulary.encodeText(text).length + 1);
        int limit = Math.max(1, Math.min(maxTokens, room));
        return TextContinuationTranslator.continueTexts(
                        model, manager, List.of(text), new GenerationOptions(sampling, limit))
                .get(0);
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
