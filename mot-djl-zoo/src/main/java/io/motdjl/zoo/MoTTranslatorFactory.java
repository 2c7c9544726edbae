package io.motdjl.zoo;

import ai.djl.Model;
import ai.djl.modality.audio.Audio;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDList;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;

import io.motdjl.diffusion.ImagePatches;
import io.motdjl.diffusion.SamplingSettings;
import io.motdjl.diffusion.TransfusionGenerator;
import io.motdjl.generate.ChameleonSpeechGenerator;
import io.motdjl.nn.MoTModel;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.tokenize.ImageTokenizer;
import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.tokenize.PatchKMeansTokenizer;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The translators of MoT models, by input and output type.
 *
 * <ul>
 *   <li>{@code NDList → NDList}: {@link MoTScoringTranslator} — arrays in the {@link
 *       io.motdjl.nn.MoTInputs} layout in; logits, loss and loss per modality out;
 *   <li>{@link MoTSequence} → {@link MoTScore}: {@link SequenceScoringTranslator} — one token
 *       sequence in; its next-token loss, loss per modality and target log-probabilities out;
 *   <li>{@code String → String}: {@link TextContinuationTranslator} — text in, the model's
 *       continuation out;
 *   <li>{@code String → Image}: {@link CaptionToImageTranslator} — a caption in, a generated
 *       grayscale image of the tokenizer's size out; for a Transfusion-setting model {@link
 *       TransfusionCaptionToImageTranslator} — the image drawn by diffusion;
 *   <li>{@code Image → String}: {@link ImageToCaptionTranslator} — any DJL image in (converted to
 *       grayscale and resized, see {@link GrayscaleImages}), its caption out; for a
 *       Transfusion-setting model {@link TransfusionImageToCaptionTranslator} — the image read as
 *       clean patch rows;
 *   <li>{@code Audio → String} ({@link Audio}, DJL's audio type): {@link SpeechToCaptionTranslator}
 *       — a spoken caption in (mono, at the speech tokenizer's sample rate), its transcription out;
 *   <li>{@code String → Audio}: {@link CaptionToSpeechTranslator} — a caption in, the model's
 *       speech units for it out, made audible by the Griffin-Lim vocoder (mono, at the speech
 *       tokenizer's sample rate).
 * </ul>
 *
 * <p>Which of the two image translators a model gets follows from its config: a {@code diffusion}
 * key marks the Transfusion setting (images as continuous patches, no image tokenizer; the image
 * geometry comes from the model card, see {@link PatchGeometry}), its absence the Chameleon setting
 * (images as codes of the image tokenizer).
 *
 * <p>Each is built for the model it serves (its config from the {@link MoTModel} block; the image
 * tokenizer, for translators that need it, from {@link MoTCheckpoint#imageTokenizer(Model)}). The
 * three generation translators need a model over the joint vocabulary (bytes, special tokens and,
 * in the Chameleon setting, image codes); the two Chameleon image ones also need {@code
 * tokenizer.json} in the model directory, and without it {@link #newInstance} throws a {@link
 * TranslateException} that says so (text continuation works without it). The vocabulary is the one
 * the model's config describes ({@link JointVocabulary#of}), so a model trained with speech as well
 * continues text, draws and captions images with these translators too. The two speech translators
 * need such a model (a config with a speech range), {@code speech-tokenizer.json} and {@code
 * tokenizer.json} (for the number of codes per image) in the model directory; without them {@link
 * #newInstance} throws a {@link TranslateException} naming what is missing. They read their
 * sampling settings from the criteria's arguments: {@code temperature}, {@code topK}, {@code topP},
 * {@code seed}, {@code maxTokens} (see {@link GenerationOptions}; default greedy); the Transfusion
 * caption → image translator reads {@code sampler}, {@code steps}, {@code guidance} and {@code
 * seed} (see {@link DiffusionOptions}; default DDIM, 50 steps, guidance 3). A bad value is a {@link
 * TranslateException} naming the key.
 *
 * <p>DJL's own loader ({@code Criteria.optModelPath}) picks the translator factory before it reads
 * a directory's {@code serving.properties}: pass {@code .optTranslatorFactory(new
 * MoTTranslatorFactory())} or use {@link MoTModelZoo#checkpointCriteria}. The bundled models
 * ({@code optGroupId("io.motdjl.mot")}) use this factory by default.
 *
 * <p>To generate with other settings from a loaded model without loading it again: {@code
 * model.newPredictor(new MoTTranslatorFactory().newInstance(String.class, Image.class, model,
 * Map.of("temperature", 1.0, "seed", 3)))}.
 */
public class MoTTranslatorFactory implements TranslatorFactory {

    /** Makes a translator for a loaded model. */
    @FunctionalInterface
    interface Maker {
        Translator<?, ?> make(MoTModel block, Model model, Map<String, ?> arguments)
                throws TranslateException;
    }

    private static final Map<Pair<Type, Type>, Maker> TRANSLATORS = translators();

    private static Map<Pair<Type, Type>, Maker> translators() {
        Map<Pair<Type, Type>, Maker> map = new LinkedHashMap<>();
        map.put(
                new Pair<>(NDList.class, NDList.class),
                (block, model, args) -> new MoTScoringTranslator(block.config().nModalities()));
        map.put(
                new Pair<>(MoTSequence.class, MoTScore.class),
                (block, model, args) -> new SequenceScoringTranslator(block.config()));
        map.put(
                new Pair<>(String.class, String.class),
                (block, model, args) -> {
                    GenerationOptions options = generationOptions(args);
                    try {
                        TextContinuationTranslator.requireTextModel(block.config());
                    } catch (IllegalArgumentException e) {
                        throw new TranslateException(
                                "model '" + model.getName() + "': " + e.getMessage(), e);
                    }
                    return new TextContinuationTranslator(options);
                });
        map.put(
                new Pair<>(String.class, Image.class),
                (block, model, args) ->
                        isTransfusion(block)
                                ? new TransfusionCaptionToImageTranslator(
                                        patchGeometry(block, model), diffusionOptions(block, args))
                                : new CaptionToImageTranslator(
                                        imageTokenizer(
                                                block, model, "caption → image (String → Image)"),
                                        generationOptions(args)));
        map.put(
                new Pair<>(Image.class, String.class),
                (block, model, args) ->
                        isTransfusion(block)
                                ? new TransfusionImageToCaptionTranslator(
                                        patchGeometry(block, model), generationOptions(args))
                                : new ImageToCaptionTranslator(
                                        imageTokenizer(
                                                block, model, "image → caption (Image → String)"),
                                        generationOptions(args)));
        map.put(
                new Pair<>(Audio.class, String.class),
                (block, model, args) -> {
                    GenerationOptions options = generationOptions(args);
                    SpeechModel speech =
                            speechModel(block, model, "speech → caption (Audio → String)");
                    return new SpeechToCaptionTranslator(
                            speech.tokenizer(), speech.codesPerImage(), options);
                });
        map.put(
                new Pair<>(String.class, Audio.class),
                (block, model, args) -> {
                    GenerationOptions options = generationOptions(args);
                    SpeechModel speech =
                            speechModel(block, model, "caption → speech (String → Audio)");
                    return new CaptionToSpeechTranslator(
                            speech.tokenizer(), speech.codesPerImage(), options);
                });
        return Collections.unmodifiableMap(map);
    }

    /** Whether a model was trained in the Transfusion setting: its config has a diffusion key. */
    private static boolean isTransfusion(MoTModel block) {
        return block.config().diffusion() != null;
    }

    /** The diffusion sampling arguments, checked against the model's schedule. */
    private static SamplingSettings diffusionOptions(MoTModel block, Map<String, ?> arguments)
            throws TranslateException {
        try {
            SamplingSettings settings = DiffusionOptions.fromArguments(arguments);
            DiffusionOptions.requireFits(settings, block.config().diffusion());
            return settings;
        } catch (IllegalArgumentException e) {
            throw new TranslateException(e.getMessage(), e);
        }
    }

    /** The image geometry of a Transfusion model, checked against its config and vocabulary. */
    private static ImagePatches patchGeometry(MoTModel block, Model model)
            throws TranslateException {
        ImagePatches geometry;
        try {
            geometry = PatchGeometry.of(model, block.config());
        } catch (IOException | RuntimeException e) {
            throw new TranslateException(
                    "model '"
                            + model.getName()
                            + "': cannot tell its image geometry: "
                            + e.getMessage(),
                    e);
        }
        try {
            // checks that the model's modalities and vocabulary fit the layout; makes no array
            new TransfusionGenerator(block, model.getNDManager(), geometry);
        } catch (IllegalArgumentException e) {
            throw new TranslateException("model '" + model.getName() + "': " + e.getMessage(), e);
        }
        return geometry;
    }

    /** The generation arguments; a bad one is a translation error naming it. */
    private static GenerationOptions generationOptions(Map<String, ?> arguments)
            throws TranslateException {
        try {
            return GenerationOptions.fromArguments(arguments);
        } catch (IllegalArgumentException e) {
            throw new TranslateException(e.getMessage(), e);
        }
    }

    /** The image tokenizer of a loaded model, checked against its vocabulary. */
    private static ImageTokenizer imageTokenizer(MoTModel block, Model model, String what)
            throws TranslateException {
        Optional<PatchKMeansTokenizer> tokenizer;
        try {
            tokenizer = MoTCheckpoint.imageTokenizer(model);
        } catch (IOException | RuntimeException e) {
            throw new TranslateException(
                    "model '"
                            + model.getName()
                            + "': cannot read its image tokenizer: "
                            + e.getMessage(),
                    e);
        }
        if (tokenizer.isEmpty()) {
            throw new TranslateException(
                    "model '"
                            + model.getName()
                            + "' has no image tokenizer, which "
                            + what
                            + " needs: its model directory ("
                            + model.getModelPath()
                            + ") holds no "
                            + MoTCheckpoint.TOKENIZER_FILE
                            + " (write one with"
                            + " MoTCheckpointWriter.of(model).imageTokenizer(tokenizer)). Text"
                            + " continuation (String → String) works without it");
        }
        try {
            // checks that the config's vocabulary and modalities fit the tokenizer; makes no array
            CaptionToImageTranslator.generator(block, model.getNDManager(), tokenizer.get());
        } catch (IllegalArgumentException e) {
            throw new TranslateException("model '" + model.getName() + "': " + e.getMessage(), e);
        }
        return tokenizer.get();
    }

    /**
     * What the speech translators need of a model.
     *
     * @param tokenizer its speech tokenizer
     * @param codesPerImage codes in one image of its image tokenizer
     */
    private record SpeechModel(SpeechUnitTokenizer tokenizer, int codesPerImage) {}

    /**
     * The speech tokenizer and image size of a model trained with speech, checked against its
     * vocabulary: a config with a speech range, {@code speech-tokenizer.json} with as many units,
     * and {@code tokenizer.json}.
     */
    private static SpeechModel speechModel(MoTModel block, Model model, String what)
            throws TranslateException {
        String name = "model '" + model.getName() + "'";
        JointVocabulary vocabulary = null;
        String why = null;
        if (isTransfusion(block)) {
            why = "it is a Transfusion-setting model (images as patches, no speech units)";
        } else {
            try {
                vocabulary = JointVocabulary.of(block.config());
                if (!vocabulary.hasSpeech()) {
                    why =
                            "its config has "
                                    + block.config().nModalities()
                                    + " modalities and no speech range (modality_token_ranges"
                                    + " with a third range, as JointVocabulary.withSpeech(K, U)"
                                    + " makes); it was not trained on speech";
                }
            } catch (IllegalArgumentException e) {
                why = e.getMessage();
            }
        }
        if (why != null) {
            throw new TranslateException(
                    name + " has no speech vocabulary, which " + what + " needs: " + why);
        }
        Optional<SpeechUnitTokenizer> tokenizer;
        try {
            tokenizer = MoTCheckpoint.speechTokenizer(model);
        } catch (IOException | RuntimeException e) {
            throw new TranslateException(
                    name + ": cannot read its speech tokenizer: " + e.getMessage(), e);
        }
        if (tokenizer.isEmpty()) {
            throw new TranslateException(
                    name
                            + " has no speech tokenizer, which "
                            + what
                            + " needs: its model directory ("
                            + model.getModelPath()
                            + ") holds no "
                            + MoTCheckpoint.SPEECH_TOKENIZER_FILE
                            + " (write one with"
                            + " MoTCheckpointWriter.of(model).speechTokenizer(tokenizer))");
        }
        if (tokenizer.get().unitCount() != vocabulary.speechUnits()) {
            throw new TranslateException(
                    name
                            + ": "
                            + MoTCheckpoint.SPEECH_TOKENIZER_FILE
                            + " has "
                            + tokenizer.get().unitCount()
                            + " speech units but the model's config has "
                            + vocabulary.speechUnits());
        }
        int codesPerImage = imageTokenizer(block, model, what).codesPerImage();
        try {
            // checks that the model's modalities fit the vocabulary; makes no array
            new ChameleonSpeechGenerator(
                    block,
                    model.getNDManager(),
                    vocabulary,
                    codesPerImage,
                    CaptionToSpeechTranslator.DEFAULT_MAX_SPEECH_UNITS);
        } catch (IllegalArgumentException e) {
            throw new TranslateException(name + ": " + e.getMessage(), e);
        }
        return new SpeechModel(tokenizer.get(), codesPerImage);
    }

    @Override
    public Set<Pair<Type, Type>> getSupportedTypes() {
        return TRANSLATORS.keySet();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <I, O> Translator<I, O> newInstance(
            Class<I> input, Class<O> output, Model model, Map<String, ?> arguments)
            throws TranslateException {
        Maker maker = TRANSLATORS.get(new Pair<Type, Type>(input, output));
        if (maker == null) {
            throw new TranslateException(
                    "no MoT translator from "
                            + input.getName()
                            + " to "
                            + output.getName()
                            + "; supported: "
                            + describe(getSupportedTypes()));
        }
        if (!(model.getBlock() instanceof MoTModel block)) {
            throw new TranslateException(
                    "model '"
                            + model.getName()
                            + "' has no MoTModel block (it has "
                            + (model.getBlock() == null
                                    ? "none"
                                    : model.getBlock().getClass().getName())
                            + ")");
        }
        return (Translator<I, O>) maker.make(block, model, arguments);
    }

    /** E.g. {@code (NDList, NDList), (MoTSequence, MoTScore)}. */
    static String describe(Set<Pair<Type, Type>> types) {
        StringBuilder s = new StringBuilder();
        for (Pair<Type, Type> p : types) {
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append('(')
                    .append(simpleName(p.getKey()))
                    .append(", ")
                    .append(simpleName(p.getValue()))
                    .append(')');
        }
        return s.toString();
    }

    private static String simpleName(Type type) {
        return type instanceof Class<?> c ? c.getSimpleName() : type.getTypeName();
    }
}
