package io.motdjl.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTModel;
import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.tokenize.PatchGrid;
import io.motdjl.tokenize.PatchKMeansTokenizer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * Generation with a tiny random 3-modality MoT over text, 8 image codes (4 per image) and 6 speech
 * units (at most 5 per utterance).
 */
class ChameleonSpeechGeneratorTest {

    private static final JointVocabulary VOCAB = JointVocabulary.withSpeech(8, 6);
    private static final int CODES = 4;
    private static final int MAX_UNITS = 5;
    private static final int BOS = JointVocabulary.BOS;
    private static final int BOSP = VOCAB.bosp();
    private static final int EOSP = VOCAB.eosp();

    private static NDManager manager;
    private static MoTModel model;
    private static ChameleonSpeechGenerator speech;

    @BeforeAll
    static void build() {
        manager = NDManager.newBaseManager();
        MoTConfig config = VOCAB.applyTo(TinyModels.config(3)).maxSeqLen(48).build();
        model = TinyModels.model(config, manager, DataType.FLOAT32);
        speech = new ChameleonSpeechGenerator(model, manager, VOCAB, CODES, MAX_UNITS);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static int unit(int u) {
        return VOCAB.speechToken(u);
    }

    private static int code(int c) {
        return VOCAB.imageToken(c);
    }

    /** Prompts ending in text, inside speech, after speech and inside an image. */
    private static List<int[]> prompts() {
        return List.of(
                new int[] {BOS, 'a', ' ', 'c', 'a', 't', BOSP},
                new int[] {BOS, BOSP, unit(3), unit(0), unit(5), EOSP},
                new int[] {
                    BOS,
                    JointVocabulary.BOI,
                    code(3),
                    code(1),
                    code(7),
                    code(0),
                    JointVocabulary.EOI,
                    BOSP,
                    unit(2)
                },
                new int[] {BOS, 'h', 'i'},
                new int[] {BOS, BOSP, unit(1), EOSP, JointVocabulary.BOI});
    }

    /** The model may open images and speech anywhere in text. */
    private static SpanDecodingRule openRule() {
        return SpanDecodingRule.builder(VOCAB).images(CODES, true).speech(MAX_UNITS, true).build();
    }

    private static int[][] tokens(List<Generation> generations) {
        return generations.stream().map(Generation::tokens).toArray(int[][]::new);
    }

    @Test
    void cachedDecodingDrawsTheSameTokensAsRecomputingThePrefix() {
        Generator generator = speech.generator();
        for (SamplingSettings sampling :
                List.of(SamplingSettings.greedy(), SamplingSettings.sample(1.5, 7))) {
            GenerationSettings cached = new GenerationSettings(16, null, sampling, true);
            int[][] withCache = tokens(generator.generate(prompts(), cached, openRule()));
            int[][] without =
                    tokens(generator.generate(prompts(), cached.withCache(false), openRule()));
            assertArrayEquals(without, withCache, sampling.toString());
        }
    }

    @Test
    void everyGeneratedTokenKeepsTheLayout() {
        // a hot sampler on a random model would put tokens anywhere without the rule
        GenerationSettings settings =
                new GenerationSettings(30, null, SamplingSettings.sample(3.0, 5), true);
        List<int[]> many = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            many.addAll(prompts());
        }
        List<Generation> out = speech.generator().generate(many, settings, openRule());
        LayoutChecker seen = new LayoutChecker();
        for (int b = 0; b < many.size(); b++) {
            LayoutChecker row = new LayoutChecker();
            for (int token : many.get(b)) {
                row.step(token, "prompt " + b);
            }
            row.utterances = 0; // count what the model generated, not the prompt
            row.images = 0;
            Generation g = out.get(b);
            for (int i = 0; i < g.tokens().length; i++) {
                int t = g.tokens()[i];
                assertEquals(VOCAB.modalityOf(t), g.modalities()[i], "modality follows the token");
                row.step(t, "row " + b + ", new token " + i);
            }
            seen.utterances += row.utterances;
            seen.images += row.images;
        }
        assertTrue(
                seen.utterances > 0 && seen.images > 0,
                "generated utterances " + seen.utterances + ", images " + seen.images);
    }

    @Test
    void speechUsesProduceUnitsTextsAndImages() {
        SamplingSettings hot = SamplingSettings.sample(1.0, 2);
        List<int[]> utterances = speech.captionsToSpeech(List.of("a cat", "a shirt"), hot);
        utterances.addAll(speech.imagesToSpeech(List.of(new int[] {1, 2, 3, 4}), hot));
        assertEquals(3, utterances.size());
        for (int[] units : utterances) {
            assertTrue(units.length >= 1 && units.length <= MAX_UNITS, "length " + units.length);
            for (int u : units) {
                assertTrue(u >= 0 && u < VOCAB.speechUnits(), "unit " + u);
            }
        }
        List<String> captions = speech.speechToCaptions(utterances, SamplingSettings.greedy(), 6);
        assertEquals(3, captions.size());
        for (String caption : captions) {
            assertTrue(caption.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 6 * 3);
        }
        List<int[]> images = speech.speechToImages(utterances, hot);
        for (int[] codes : images) {
            assertEquals(CODES, codes.length);
            for (int c : codes) {
                assertTrue(c >= 0 && c < VOCAB.imageCodes(), "code " + c);
            }
        }
        assertArrayEquals(new int[] {BOS, 'h', 'i', BOSP}, speech.speechPromptForCaption("hi"));
        assertArrayEquals(
                new int[] {BOS, BOSP, unit(4), EOSP}, speech.captionPromptForSpeech(new int[] {4}));
    }

    @Test
    void speechIsCutToWhatFitsInTheContext() {
        // a 47-token prompt leaves one position in max_seq_len 48: one unit, no EOSP
        String longCaption = "x".repeat(45);
        int[] units =
                speech.captionsToSpeech(List.of(longCaption), SamplingSettings.greedy()).get(0);
        assertEquals(1, units.length);
        IllegalArgumentException full =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                speech.captionsToSpeech(
                                        List.of(longCaption + "x"), SamplingSettings.greedy()));
        assertTrue(full.getMessage().contains("too few for a speech unit"), full.getMessage());
    }

    @Test
    void theRoomItReportsForAnUtteranceIsTheRoomItChecks() {
        // a rule that takes utterances as long as the context, so only max_seq_len limits them
        ChameleonSpeechGenerator wide =
                new ChameleonSpeechGenerator(model, manager, VOCAB, CODES, 48);
        assertEquals(48 - 4, wide.mostUnitsForCaption(), "BOS BOSP units EOSP and one byte");
        assertEquals(48 - 4 - 5, wide.mostUnitsForImage(), "BOS BOSP units EOSP BOI, codes, EOI");
        int[] forImage = new int[wide.mostUnitsForImage()];
        assertEquals(
                CODES,
                wide.speechToImages(List.of(forImage), SamplingSettings.greedy()).get(0).length);
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        wide.speechToImages(
                                List.of(new int[forImage.length + 1]), SamplingSettings.greedy()));
        int[] forCaption = new int[wide.mostUnitsForCaption()];
        assertEquals(
                1, wide.speechToCaptions(List.of(forCaption), SamplingSettings.greedy(), 8).size());
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        wide.speechToCaptions(
                                List.of(new int[forCaption.length + 1]),
                                SamplingSettings.greedy(),
                                8));
    }

    @Test
    void generationLeavesNoArraysBehind() {
        int before = manager.getManagedArrays().size();
        speech.captionsToSpeech(List.of("hi"), SamplingSettings.greedy());
        speech.speechToCaptions(List.of(new int[] {1, 2}), SamplingSettings.greedy(), 4);
        assertEquals(before, manager.getManagedArrays().size());
    }

    @Test
    void badRequestsAreRefused() {
        IllegalArgumentException plain =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new ChameleonSpeechGenerator(
                                        model, manager, new JointVocabulary(8), CODES, MAX_UNITS));
        assertTrue(plain.getMessage().contains("withSpeech"), plain.getMessage());
        IllegalArgumentException size =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new ChameleonSpeechGenerator(
                                        model,
                                        manager,
                                        JointVocabulary.withSpeech(8, 7),
                                        CODES,
                                        MAX_UNITS));
        assertTrue(size.getMessage().contains("277"), size.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> speech.speechToCaptions(List.of(new int[0]), SamplingSettings.greedy(), 4));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        speech.speechToCaptions(
                                List.of(new int[] {6}), SamplingSettings.greedy(), 4));
        IllegalArgumentException shortImage =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                speech.imagesToSpeech(
                                        List.of(new int[] {1, 2}), SamplingSettings.greedy()));
        assertTrue(
                shortImage.getMessage().contains("inside an image after 2 of 4 codes"),
                shortImage.getMessage());
    }

    /** An independent reading of the layout, token by token. */
    private static final class LayoutChecker {
        private boolean started;
        private boolean inImage;
        private boolean inSpeech;
        private int spanTokens;
        int utterances;
        int images;

        void step(int t, String where) {
            String at = where + ": " + VOCAB.tokenName(t);
            if (inImage) {
                if (spanTokens < CODES) {
                    assertTrue(VOCAB.isImageToken(t), at + " inside an image");
                    spanTokens++;
                } else {
                    assertEquals(JointVocabulary.EOI, t, at + " after a whole image");
                    inImage = false;
                    images++;
                }
            } else if (inSpeech) {
                if (t == EOSP) {
                    assertTrue(spanTokens >= 1, at + ": an utterance without units");
                    inSpeech = false;
                    utterances++;
                } else {
                    assertTrue(VOCAB.isSpeechUnitToken(t), at + " inside speech");
                    assertTrue(++spanTokens <= MAX_UNITS, at + ": more than " + MAX_UNITS);
                }
            } else if (t == JointVocabulary.BOI || t == BOSP) {
                inImage = t == JointVocabulary.BOI;
                inSpeech = !inImage;
                spanTokens = 0;
            } else {
                boolean text = t < JointVocabulary.BYTE_TOKENS || t == JointVocabulary.EOS;
                assertTrue(text || (!started && t == BOS), at + " in text");
            }
            assertFalse(t == JointVocabulary.PAD, at);
            started = true;
        }
    }

    /**
     * The same model draws images, captions them and continues text through {@link
     * ChameleonGenerator} over its speech vocabulary, never leaving text and image codes.
     */
    @Test
    void chameleonUsesOfASpeechModelStayInTextAndImageCodes() {
        // 4x4 images in 2x2 patches: 4 codes per image, 8 codes
        byte[] codebook = new byte[8 * 4];
        for (int i = 0; i < codebook.length; i++) {
            codebook[i] = (byte) (i * 8);
        }
        PatchKMeansTokenizer tokenizer = new PatchKMeansTokenizer(new PatchGrid(4, 4, 2), codebook);
        ChameleonGenerator chameleon = new ChameleonGenerator(model, manager, tokenizer, VOCAB);
        SamplingSettings sampling = new SamplingSettings(1.0, 0, 1.0, 7);
        List<byte[]> images = chameleon.captionsToImages(List.of("a cat", "a dog"), sampling);
        assertEquals(2, images.size());
        assertEquals(16, images.get(0).length);
        int[] imagePrompt = chameleon.imagePrompt("a cat");
        Generation drawn =
                chameleon
                        .generator()
                        .generate(
                                List.of(imagePrompt),
                                new GenerationSettings(
                                        CODES + 1, new int[] {JointVocabulary.EOI}, sampling, true),
                                chameleon.imageRule())
                        .get(0);
        for (int t : drawn.withoutStop()) {
            assertTrue(VOCAB.isImageToken(t), t + " is not an image code");
        }
        Generation text =
                chameleon
                        .generator()
                        .generate(
                                List.of(chameleon.textPrompt("hi")),
                                new GenerationSettings(
                                        12, new int[] {JointVocabulary.EOS}, sampling, true),
                                chameleon.textRule())
                        .get(0);
        for (int t : text.withoutStop()) {
            assertTrue(t < JointVocabulary.BYTE_TOKENS, t + " is not a byte of text");
        }

        PatchKMeansTokenizer fewer =
                new PatchKMeansTokenizer(new PatchGrid(4, 4, 2), new byte[6 * 4]);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new ChameleonGenerator(model, manager, fewer, VOCAB));
        assertTrue(e.getMessage().contains("6 codes"), e.getMessage());
        IllegalArgumentException plain =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new ChameleonGenerator(model, manager, tokenizer));
        assertTrue(plain.getMessage().contains("269"), plain.getMessage());
    }
}
