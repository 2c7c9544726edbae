package io.motdjl.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Generation with a tiny random Chameleon-vocabulary MoT: 8 image codes, 4 codes per image. */
class GeneratorTest {

    private static final JointVocabulary VOCAB = new JointVocabulary(8);
    private static final int CODES = 4;

    private static NDManager manager;
    private static MoTModel model;
    private static Generator generator;

    @BeforeAll
    static void build() {
        manager = NDManager.newBaseManager();
        MoTConfig config = VOCAB.applyTo(TinyModels.config(2)).maxSeqLen(40).build();
        model = TinyModels.model(config, manager, DataType.FLOAT32);
        generator = Generator.withConfigRanges(model, manager);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static List<int[]> prompts() {
        return List.of(
                new int[] {JointVocabulary.BOS, 'a', ' ', 'c', 'a', 't', JointVocabulary.BOI},
                new int[] {JointVocabulary.BOS, 'h', 'i'},
                new int[] {
                    JointVocabulary.BOS,
                    JointVocabulary.BOI,
                    VOCAB.imageToken(3),
                    VOCAB.imageToken(1),
                    VOCAB.imageToken(7),
                    VOCAB.imageToken(0),
                    JointVocabulary.EOI,
                    'a'
                });
    }

    private static ChameleonDecodingRule rule() {
        return new ChameleonDecodingRule(VOCAB, CODES, true);
    }

    private static int[][] tokens(List<Generation> generations) {
        return generations.stream().map(Generation::tokens).toArray(int[][]::new);
    }

    @Test
    void cachedDecodingDrawsTheSameTokensAsRecomputingThePrefix() {
        for (SamplingSettings sampling :
                List.of(SamplingSettings.greedy(), SamplingSettings.sample(1.5, 7).withTopK(50))) {
            GenerationSettings cached = new GenerationSettings(24, null, sampling, true);
            int[][] withCache = tokens(generator.generate(prompts(), cached, rule()));
            int[][] without =
                    tokens(generator.generate(prompts(), cached.withCache(false), rule()));
            assertArrayEquals(without, withCache, sampling.toString());
        }
    }

    @Test
    void aPromptDecodesTheSameAloneAndInABatchOfOtherLengths() {
        GenerationSettings settings =
                new GenerationSettings(16, null, SamplingSettings.sample(1.0, 3), true);
        List<Generation> batch = generator.generate(prompts(), settings, rule());
        for (int b = 0; b < prompts().size(); b++) {
            // each row draws from its own generator, seeded by the seed and its index
            List<int[]> alone = new ArrayList<>();
            for (int i = 0; i <= b; i++) {
                alone.add(prompts().get(b));
            }
            Generation single = generator.generate(alone, settings, rule()).get(b);
            assertArrayEquals(batch.get(b).tokens(), single.tokens(), "prompt " + b);
        }
    }

    @Test
    void sameSeedSameOutputOtherSeedOtherOutput() {
        GenerationSettings settings =
                new GenerationSettings(24, null, SamplingSettings.sample(2.0, 11), true);
        int[][] first = tokens(generator.generate(prompts(), settings, rule()));
        assertArrayEquals(first, tokens(generator.generate(prompts(), settings, rule())));
        int[][] other =
                tokens(
                        generator.generate(
                                prompts(),
                                settings.withSampling(SamplingSettings.sample(2.0, 12)),
                                rule()));
        assertNotEquals(Arrays.deepToString(first), Arrays.deepToString(other));
    }

    @Test
    void noImageCodeOutsideAnImageAndNoTextInsideOne() {
        // a hot sampler on a random model would put tokens anywhere without the rule
        GenerationSettings settings =
                new GenerationSettings(30, null, SamplingSettings.sample(3.0, 5), true);
        List<int[]> many = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            many.addAll(prompts());
        }
        List<Generation> out = generator.generate(many, settings, rule());
        int imagesSeen = 0;
        for (int b = 0; b < many.size(); b++) {
            int[] prompt = many.get(b);
            boolean inImage = prompt[prompt.length - 1] == JointVocabulary.BOI;
            int codes = 0;
            Generation g = out.get(b);
            for (int i = 0; i < g.tokens().length; i++) {
                int t = g.tokens()[i];
                assertEquals(VOCAB.modalityOf(t), g.modalities()[i], "modality follows the token");
                if (inImage) {
                    if (codes < CODES) {
                        assertTrue(
                                VOCAB.isImageToken(t),
                                "row " + b + ": text token " + t + " in an image");
                        codes++;
                    } else {
                        assertEquals(
                                JointVocabulary.EOI,
                                t,
                                "row " + b + ": image longer than " + CODES);
                        inImage = false;
                        imagesSeen++;
                    }
                } else {
                    assertFalse(
                            VOCAB.isImageToken(t),
                            "row " + b + ": image code " + t + " outside an image");
                    assertFalse(
                            t == JointVocabulary.BOS
                                    || t == JointVocabulary.PAD
                                    || t == JointVocabulary.EOI);
                    if (t == JointVocabulary.BOI) {
                        inImage = true;
                        codes = 0;
                    }
                }
            }
        }
        assertTrue(imagesSeen > 0, "some image was completed");
    }

    @Test
    void rowsStopOnTheirStopTokenAndTheRestRunToTheLimit() {
        GenerationSettings settings =
                new GenerationSettings(
                        12, new int[] {JointVocabulary.EOI}, SamplingSettings.greedy(), true);
        List<Generation> out = generator.generate(prompts(), settings, rule());
        Generation image = out.get(0);
        assertEquals(Generation.StopReason.STOP_TOKEN, image.stop());
        assertEquals(CODES + 1, image.tokens().length, "codes, then EOI");
        assertEquals(CODES, image.withoutStop().length);
        for (int b = 1; b < out.size(); b++) {
            Generation g = out.get(b);
            if (g.stop() == Generation.StopReason.LENGTH) {
                assertEquals(12, g.tokens().length);
            } else {
                assertEquals(JointVocabulary.EOI, g.tokens()[g.tokens().length - 1]);
            }
        }
    }

    @Test
    void generationLeavesNoArraysBehind() {
        int before = manager.getManagedArrays().size();
        generator.generate(prompts(), GenerationSettings.greedy(20), rule());
        generator.generate(prompts(), GenerationSettings.greedy(20).withCache(false), rule());
        assertEquals(before, manager.getManagedArrays().size());
    }

    @Test
    void badRequestsAreRefusedBeforeAnyWork() {
        IllegalArgumentException tooLong =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> generator.generate(prompts(), GenerationSettings.greedy(40), rule()));
        assertTrue(tooLong.getMessage().contains("max_seq_len"), tooLong.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        generator.generate(
                                List.of(new int[0]), GenerationSettings.greedy(2), rule()));
        assertThrows(
                IllegalArgumentException.class,
                () -> generator.generate(List.of(), GenerationSettings.greedy(2), rule()));
        IllegalArgumentException outside =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                generator.generate(
                                        List.of(new int[] {JointVocabulary.BOS, 5000}),
                                        GenerationSettings.greedy(2),
                                        DecodingRule.unconstrained()));
        assertTrue(outside.getMessage().contains("vocabulary"), outside.getMessage());
    }

    @Test
    void chameleonUsesProduceImagesAndTexts() {
        Random random = new Random(1);
        byte[] codebook = new byte[8 * 16];
        random.nextBytes(codebook);
        PatchKMeansTokenizer tokenizer = new PatchKMeansTokenizer(new PatchGrid(8, 8, 4), codebook);
        assertEquals(CODES, tokenizer.codesPerImage());
        ChameleonGenerator chameleon = new ChameleonGenerator(model, manager, tokenizer);

        List<byte[]> images =
                chameleon.captionsToImages(
                        List.of("a cat", "a shirt"), SamplingSettings.sample(1.0, 2));
        assertEquals(2, images.size());
        for (byte[] image : images) {
            assertEquals(64, image.length);
            // every 4×4 patch is one of the codebook's entries
            assertArrayEquals(image, tokenizer.decode(tokenizer.encode(image)));
        }
        String caption = chameleon.imageToCaption(images.get(0), SamplingSettings.greedy(), 10);
        assertTrue(caption.length() <= 10);
        String more = chameleon.continueText("hi", SamplingSettings.sample(1.0, 4), 8);
        assertTrue(more.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 8 * 3);
        IllegalArgumentException badImage =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> chameleon.imageToCaption(new byte[10], SamplingSettings.greedy(), 4));
        assertTrue(badImage.getMessage().contains("64"), badImage.getMessage());

        // the longest caption it reports fits; one byte more does not
        int most = chameleon.mostCaptionBytesForImage();
        assertEquals(model.config().maxSeqLen() - 3 - CODES, most);
        assertEquals(
                1,
                chameleon
                        .captionsToImages(List.of("x".repeat(most)), SamplingSettings.greedy())
                        .size());
        IllegalArgumentException tooLong =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                chameleon.captionsToImages(
                                        List.of("ok", "x".repeat(most + 1)),
                                        SamplingSettings.greedy()));
        // the limit a user can act on, in the caption's own unit
        assertTrue(
                tooLong.getMessage()
                        .contains(
                                "caption 1 has "
                                        + (most + 1)
                                        + " UTF-8 bytes; this model draws images for captions of"
                                        + " at most "
                                        + most),
                tooLong.getMessage());
    }
}
