package io.motdjl.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.modality.audio.Audio;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;

import io.motdjl.generate.ChameleonGenerator;
import io.motdjl.generate.ChameleonSpeechGenerator;
import io.motdjl.generate.Generation;
import io.motdjl.generate.GenerationSettings;
import io.motdjl.generate.SamplingSettings;
import io.motdjl.nn.MoTModel;
import io.motdjl.speech.GriffinLim;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.tokenize.PatchKMeansTokenizer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The translators on a tiny random Chameleon + speech checkpoint (text, image codes and speech
 * units, three modalities): the speech ones (speech → caption, caption → speech) and the image and
 * text ones, which read the vocabulary from the config. Random weights say nothing sensible, so the
 * tests check types, sizes, token kinds, determinism and agreement with the library.
 */
class SpeechTranslatorsTest {

    private static final String CAPTION = "a cat";

    @TempDir static Path dir;

    private static ZooModel<Audio, String> speechToCaption;
    private static ZooModel<String, Audio> captionToSpeech;
    private static SpeechUnitTokenizer speech;
    private static PatchKMeansTokenizer images;

    @TempDir Path tmp;

    @BeforeAll
    static void load() throws Exception {
        Path checkpoint = dir.resolve("speech");
        try (NDManager manager = NDManager.newBaseManager()) {
            TinySpeech.write(checkpoint, manager);
        }
        speechToCaption = criteria(Audio.class, String.class, checkpoint).build().loadModel();
        captionToSpeech = criteria(String.class, Audio.class, checkpoint).build().loadModel();
        speech = MoTCheckpoint.speechTokenizer(speechToCaption).orElseThrow();
        images = MoTCheckpoint.imageTokenizer(speechToCaption).orElseThrow();
    }

    @AfterAll
    static void close() {
        speechToCaption.close();
        captionToSpeech.close();
    }

    private static <I, O> Criteria.Builder<I, O> criteria(
            Class<I> input, Class<O> output, Path path) {
        return MoTModelZoo.checkpointCriteria(input, output).optModelPath(path);
    }

    private static MoTModel block(ZooModel<?, ?> model) {
        return (MoTModel) model.getBlock();
    }

    private static <I, O> Predictor<I, O> predictor(
            ZooModel<?, ?> model, Class<I> input, Class<O> output, Map<String, ?> args)
            throws TranslateException {
        return model.newPredictor(
                new MoTTranslatorFactory().newInstance(input, output, model, args));
    }

    private static int codesPerImage() {
        return images.codesPerImage();
    }

    /** The generated tokens of one prompt, through the library's generator. */
    private static Generation generate(
            ChameleonSpeechGenerator generator, int[] prompt, int maxTokens, int stop) {
        GenerationSettings settings =
                new GenerationSettings(
                        maxTokens, new int[] {stop}, SamplingSettings.greedy(), true);
        return generator.generator().generate(List.of(prompt), settings, generator.rule()).get(0);
    }

    private static void assertModality(Generation g, int modality, int stop) {
        int[] tokens = g.withoutStop();
        for (int i = 0; i < tokens.length; i++) {
            assertEquals(
                    modality,
                    TinySpeech.VOCABULARY.modalityOf(tokens[i]),
                    "token " + i + " = " + tokens[i]);
        }
        if (g.tokens().length > tokens.length) {
            assertEquals(stop, g.tokens()[tokens.length]);
        }
    }

    @Test
    void speechToCaptionTranscribesWithTextTokensOnly() throws Exception {
        assertInstanceOf(SpeechToCaptionTranslator.class, speechToCaption.getTranslator());
        Audio tone = TinySpeech.tone();
        int[] units = speech.encodeUtterance(tone.getData());
        assertEquals(13, units.length, "0.5 s at 25 units per second");
        String caption;
        try (Predictor<Audio, String> predictor = speechToCaption.newPredictor()) {
            caption = predictor.predict(tone);
            assertNotNull(caption);
            assertEquals(caption, predictor.predict(tone), "greedy decoding is deterministic");
            assertEquals(List.of(caption, caption), predictor.batchPredict(List.of(tone, tone)));
        }
        try (NDManager manager = speechToCaption.getNDManager().newSubManager()) {
            ChameleonSpeechGenerator generator =
                    new ChameleonSpeechGenerator(
                            block(speechToCaption),
                            manager,
                            TinySpeech.VOCABULARY,
                            codesPerImage(),
                            48);
            // 48 positions - [BOS] [BOSP] 13 units [EOSP] = 32 bytes at most
            assertEquals(
                    List.of(caption),
                    generator.speechToCaptions(List.of(units), SamplingSettings.greedy(), 32));
            Generation g =
                    generate(
                            generator,
                            generator.captionPromptForSpeech(units),
                            32,
                            JointVocabulary.EOS);
            assertModality(g, JointVocabulary.TEXT, JointVocabulary.EOS);
            assertEquals(caption, TextContinuationTranslator.text(g.withoutStop()));
        }
    }

    @Test
    void captionToSpeechGivesMonoAudioOfItsUnits() throws Exception {
        assertInstanceOf(CaptionToSpeechTranslator.class, captionToSpeech.getTranslator());
        Audio audio;
        try (Predictor<String, Audio> predictor = captionToSpeech.newPredictor()) {
            audio = predictor.predict(CAPTION);
            assertArrayEquals(audio.getData(), predictor.predict(CAPTION).getData());
        }
        assertEquals(1, audio.getChannels());
        assertEquals(TinySpeech.SAMPLE_RATE, audio.getSampleRate());

        GriffinLim vocoder = new GriffinLim(speech.frontEnd(), GriffinLim.Options.defaults());
        try (NDManager manager = captionToSpeech.getNDManager().newSubManager()) {
            ChameleonSpeechGenerator generator =
                    new ChameleonSpeechGenerator(
                            block(captionToSpeech),
                            manager,
                            TinySpeech.VOCABULARY,
                            codesPerImage(),
                            CaptionToSpeechTranslator.DEFAULT_MAX_SPEECH_UNITS);
            int[] units =
                    generator.captionsToSpeech(List.of(CAPTION), SamplingSettings.greedy()).get(0);
            // [BOS] "a cat" [BOSP] leaves 41 of 48 positions
            assertTrue(units.length >= 1 && units.length <= 41, "units: " + units.length);
            assertEquals(vocoder.length(units.length), audio.getData().length);
            assertArrayEquals(vocoder.synthesize(speech.decodeMel(units)), audio.getData());

            Generation g =
                    generate(
                            generator,
                            generator.speechPromptForCaption(CAPTION),
                            41,
                            TinySpeech.VOCABULARY.eosp());
            assertModality(g, JointVocabulary.SPEECH, TinySpeech.VOCABULARY.eosp());
            // speech tokens are units, not the markers
            assertArrayEquals(units, TinySpeech.VOCABULARY.speechUnits(g.withoutStop()));
        }

        // maxTokens bounds the units of an utterance
        try (Predictor<String, Audio> predictor =
                predictor(
                        captionToSpeech,
                        String.class,
                        Audio.class,
                        Map.of(GenerationOptions.MAX_TOKENS, 3))) {
            Audio shortAudio = predictor.predict(CAPTION);
            int length = shortAudio.getData().length;
            assertTrue(
                    length == vocoder.length(1)
                            || length == vocoder.length(2)
                            || length == vocoder.length(3),
                    "length " + length);
        }
    }

    @Test
    void seededSamplingIsReproducible() throws Exception {
        Map<String, Object> sampling =
                Map.of(GenerationOptions.TEMPERATURE, 1.0, GenerationOptions.SEED, 11);
        Audio tone = TinySpeech.tone();
        try (Predictor<Audio, String> p1 =
                        predictor(speechToCaption, Audio.class, String.class, sampling);
                Predictor<String, Audio> p2 =
                        predictor(captionToSpeech, String.class, Audio.class, sampling)) {
            String caption = p1.predict(tone);
            assertEquals(caption, p1.predict(tone), "same seed, same caption");
            assertEquals(caption, p1.batchPredict(List.of(tone, tone)).get(0));
            float[] samples = p2.predict(CAPTION).getData();
            assertArrayEquals(samples, p2.predict(CAPTION).getData(), "same seed, same audio");
            assertArrayEquals(samples, p2.batchPredict(List.of(CAPTION, "a dog")).get(0).getData());
        }
        try (Predictor<String, Audio> other =
                predictor(
                        captionToSpeech,
                        String.class,
                        Audio.class,
                        Map.of(GenerationOptions.TEMPERATURE, 1.0, GenerationOptions.SEED, "11"))) {
            try (Predictor<String, Audio> p =
                    predictor(captionToSpeech, String.class, Audio.class, sampling)) {
                assertArrayEquals(
                        p.predict(CAPTION).getData(),
                        other.predict(CAPTION).getData(),
                        "the seed as a string is the same seed");
            }
        }
    }

    @Test
    void badAudioIsRefusedClearly() throws Exception {
        float[] tone = TinySpeech.sine(0.5, 440);
        try (Predictor<Audio, String> predictor = speechToCaption.newPredictor()) {
            assertRefused(
                    predictor,
                    new Audio(TinySpeech.sine(0.5, 440), 8000, 1),
                    "sample rate is 8000 Hz",
                    "expected mono audio at 16000 Hz");
            assertRefused(
                    predictor,
                    new Audio(tone, 16000, 2),
                    "the audio has 2 channels",
                    "expected mono audio at 16000 Hz");
            assertRefused(predictor, new Audio(tone), "0 channels (not set)", "16000 Hz");
            assertRefused(predictor, new Audio(new float[8000], 16000, 1), "the audio is silent");
            assertRefused(predictor, new Audio(new float[0], 16000, 1), "no audio samples");
            assertRefused(predictor, null, "no audio given");
            // 3 s is 76 units: more than 48 positions hold
            assertRefused(
                    predictor,
                    new Audio(TinySpeech.sine(3, 440), 16000, 1),
                    "76 speech units (3.04 s)",
                    "max_seq_len 48",
                    "at most 44 units");
            // a batch names the input
            TranslateException e =
                    assertThrows(
                            TranslateException.class,
                            () ->
                                    predictor.batchPredict(
                                            List.of(TinySpeech.tone(), new Audio(tone, 44100, 1))));
            assertTrue(e.getMessage().startsWith("input 1: "), e.getMessage());
            assertTrue(e.getMessage().contains("44100 Hz"), e.getMessage());
            // the predictor still works afterwards
            assertNotNull(predictor.predict(TinySpeech.tone()));
        }
        try (Predictor<String, Audio> predictor = captionToSpeech.newPredictor()) {
            TranslateException e =
                    assertThrows(TranslateException.class, () -> predictor.predict(null));
            assertTrue(e.getMessage().contains("no caption"), e.getMessage());
        }
    }

    private static void assertRefused(
            Predictor<Audio, String> predictor, Audio audio, String... parts) {
        TranslateException e =
                assertThrows(TranslateException.class, () -> predictor.predict(audio));
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
    }

    /** The image and text translators serve a speech model, over its three-modality vocabulary. */
    @Test
    void imageAndTextTranslatorsServeASpeechModel() throws Exception {
        MoTModel block = block(captionToSpeech);
        ZooModel<?, ?> model = captionToSpeech;
        try (Predictor<String, Image> draw = predictor(model, String.class, Image.class, Map.of());
                Predictor<Image, String> caption =
                        predictor(model, Image.class, String.class, Map.of());
                Predictor<String, String> text =
                        predictor(model, String.class, String.class, Map.of());
                NDManager manager = model.getNDManager().newSubManager()) {
            ChameleonGenerator generator =
                    new ChameleonGenerator(block, manager, images, TinySpeech.VOCABULARY);

            Image image = draw.predict(CAPTION);
            assertEquals(8, image.getWidth());
            assertEquals(8, image.getHeight());
            byte[] pixels = pixels(image);
            assertArrayEquals(generator.captionToImage(CAPTION, SamplingSettings.greedy()), pixels);
            Generation drawn =
                    generator
                            .generator()
                            .generate(
                                    List.of(generator.imagePrompt(CAPTION)),
                                    new GenerationSettings(
                                            codesPerImage() + 1,
                                            new int[] {JointVocabulary.EOI},
                                            SamplingSettings.greedy(),
                                            true),
                                    generator.imageRule())
                            .get(0);
            assertEquals(codesPerImage() + 1, drawn.tokens().length);
            assertModality(drawn, JointVocabulary.IMAGE, JointVocabulary.EOI);

            // [BOS] [BOI] 4 codes [EOI] leaves 41 of 48 positions
            String said = caption.predict(image);
            assertEquals(generator.imageToCaption(pixels, SamplingSettings.greedy(), 41), said);
            assertTextOnly(generator, generator.captionPrompt(pixels), 41, said);

            // [BOS] "a" leaves 46
            String continued = text.predict("a");
            assertEquals(generator.continueText("a", SamplingSettings.greedy(), 46), continued);
            assertTextOnly(generator, generator.textPrompt("a"), 46, continued);
        }
    }

    private static void assertTextOnly(
            ChameleonGenerator generator, int[] prompt, int maxTokens, String expected) {
        Generation g =
                generator
                        .generator()
                        .generate(
                                List.of(prompt),
                                new GenerationSettings(
                                        maxTokens,
                                        new int[] {JointVocabulary.EOS},
                                        SamplingSettings.greedy(),
                                        true),
                                generator.textRule())
                        .get(0);
        assertModality(g, JointVocabulary.TEXT, JointVocabulary.EOS);
        assertEquals(expected, TextContinuationTranslator.text(g.withoutStop()));
    }

    private static byte[] pixels(Image image) {
        try (NDManager manager = NDManager.newBaseManager()) {
            return GrayscaleImages.toGrayscale(image, image.getWidth(), image.getHeight(), manager);
        }
    }

    @Test
    void everyPredictionFreesItsArrays() throws Exception {
        Map<String, Object> sampling =
                Map.of(GenerationOptions.TEMPERATURE, 0.8, GenerationOptions.TOP_P, 0.9);
        for (Map<String, ?> args : List.of(Map.<String, Object>of(), sampling)) {
            try (Predictor<Audio, String> p1 =
                            predictor(speechToCaption, Audio.class, String.class, args);
                    Predictor<String, Audio> p2 =
                            predictor(captionToSpeech, String.class, Audio.class, args)) {
                Tiny.forceGarbageCollection();
                int before = speechToCaption.getNDManager().getManagedArrays().size();
                p1.predict(TinySpeech.tone());
                p1.batchPredict(List.of(TinySpeech.tone(), TinySpeech.tone()));
                assertEquals(before, speechToCaption.getNDManager().getManagedArrays().size());
                before = captionToSpeech.getNDManager().getManagedArrays().size();
                p2.predict(CAPTION);
                p2.batchPredict(List.of(CAPTION, "a dog"));
                assertEquals(before, captionToSpeech.getNDManager().getManagedArrays().size());
            }
        }
    }

    @Test
    void aModelWithoutSpeechIsRefused() throws Exception {
        Path twoModalities = tmp.resolve("two-modalities");
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTCheckpointWriter.of(Tiny.model(TinySpeech.twoModalityConfig(), manager))
                    .imageTokenizer(TinySpeech.imageTokenizer(TinySpeech.CODES))
                    .write(twoModalities);
        }
        for (Class<?>[] types : speechTypes()) {
            String message = refusal(types, twoModalities);
            assertTrue(
                    message.contains("has no speech vocabulary")
                            && message.contains("2 modalities")
                            && message.contains("no speech range"),
                    message);
        }
        // a bare reference checkpoint with the tiny config is not over the joint vocabulary
        Path tiny = tmp.resolve("tiny");
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTCheckpointWriter.of(Tiny.model(Tiny.config(), manager)).write(tiny);
        }
        for (Class<?>[] types : speechTypes()) {
            String message = refusal(types, tiny);
            assertTrue(
                    message.contains("has no speech vocabulary")
                            && message.contains("vocab_size 37"),
                    message);
        }
    }

    @Test
    void aSpeechModelWithoutItsTokenizersIsRefused() throws Exception {
        Path noSpeechTokenizer = tmp.resolve("no-speech-tokenizer");
        Path noImageTokenizer = tmp.resolve("no-image-tokenizer");
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = Tiny.model(TinySpeech.config(), manager);
            MoTCheckpointWriter.of(model)
                    .imageTokenizer(TinySpeech.imageTokenizer(TinySpeech.CODES))
                    .write(noSpeechTokenizer);
            MoTCheckpointWriter.of(model)
                    .speechTokenizer(TinySpeech.speechTokenizer(TinySpeech.UNITS))
                    .write(noImageTokenizer);
        }
        assertFalse(Files.exists(noSpeechTokenizer.resolve("speech-tokenizer.json")));
        for (Class<?>[] types : speechTypes()) {
            String message = refusal(types, noSpeechTokenizer);
            assertTrue(
                    message.contains("has no speech tokenizer")
                            && message.contains("holds no speech-tokenizer.json")
                            && message.contains(noSpeechTokenizer.getFileName().toString()),
                    message);
            message = refusal(types, noImageTokenizer);
            assertTrue(
                    message.contains("has no image tokenizer")
                            && message.contains("holds no tokenizer.json"),
                    message);
        }
        // text continuation needs neither
        try (ZooModel<String, String> model =
                        criteria(String.class, String.class, noImageTokenizer).build().loadModel();
                Predictor<String, String> predictor = model.newPredictor()) {
            assertNotNull(predictor.predict("a"));
        }
    }

    private static List<Class<?>[]> speechTypes() {
        return List.of(
                new Class<?>[] {Audio.class, String.class},
                new Class<?>[] {String.class, Audio.class});
    }

    /** The factory's refusal of a model directory for a type pair, through DJL's Criteria. */
    private static String refusal(Class<?>[] types, Path path) {
        Criteria<?, ?> criteria = criteria(types[0], types[1], path).build();
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class, criteria::loadModel);
        Throwable cause = e;
        while (cause != null && !(cause instanceof TranslateException)) {
            cause = cause.getCause();
        }
        assertNotNull(cause, e.toString());
        String message = cause.getMessage();
        String what = types[0] == Audio.class ? "(Audio → String)" : "(String → Audio)";
        assertTrue(message.contains(what), message);
        return message;
    }
}
