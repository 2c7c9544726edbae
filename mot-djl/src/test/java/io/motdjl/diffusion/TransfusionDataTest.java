package io.motdjl.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.config.DiffusionConfig;
import io.motdjl.config.MoTConfig;
import io.motdjl.data.Direction;
import io.motdjl.objective.ModalityLosses;
import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.train.TrainingRun;
import io.motdjl.train.TrainingSettings;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

class TransfusionDataTest {

    private static final ImagePatches GEOMETRY = new ImagePatches(8, 8, 4);
    private static final String[] NAMES = {"shirt", "bag", "sneaker"};

    /** An 8x8 image whose pattern says its class, with a little noise. */
    private static float[] image(int c, Random random) {
        float[] pixels = new float[64];
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                boolean on =
                        switch (c) {
                            case 0 -> y < 4;
                            case 1 -> x < 4;
                            default -> (x + y) % 2 == 0;
                        };
                double v = (on ? 0.85 : 0.15) + 0.05 * random.nextGaussian();
                pixels[y * 8 + x] = (float) Math.max(0, Math.min(1, v));
            }
        }
        return pixels;
    }

    @Test
    void patchesRoundTripAndRefuseBadPixels() {
        Random random = new Random(1);
        float[] pixels = image(2, random);
        float[] rows = GEOMETRY.toRows(pixels);
        assertEquals(4, GEOMETRY.rows());
        assertEquals(16, GEOMETRY.values());
        // row 1 is the top-right patch: pixels (0, 4..7) first
        assertEquals(2 * pixels[4] - 1, rows[16], 1e-6);
        assertEquals(2 * pixels[8 + 4] - 1, rows[16 + 4], 1e-6);
        assertArrayEquals(pixels, GEOMETRY.toPixels(rows), 1e-6f);
        pixels[9] = Float.NaN;
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> GEOMETRY.toRows(pixels));
        assertEquals("pixel (1, 1) is NaN; pixels must be numbers in [0, 1]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GEOMETRY.toRows(new float[63]));
        assertThrows(IllegalArgumentException.class, () -> new ImagePatches(28, 28, 5));
    }

    @Test
    void sequencesInBothDirections() {
        float[] rows = GEOMETRY.toRows(image(0, new Random(2)));
        TransfusionSequence first =
                TransfusionSequence.of("ab", rows, 16, Direction.CAPTION_TO_IMAGE, false, 0);
        assertArrayEquals(
                new long[] {
                    JointVocabulary.BOS,
                    'a',
                    'b',
                    JointVocabulary.BOI,
                    JointVocabulary.PAD,
                    JointVocabulary.PAD,
                    JointVocabulary.PAD,
                    JointVocabulary.PAD,
                    JointVocabulary.EOI,
                    JointVocabulary.EOS
                },
                first.tokens());
        assertArrayEquals(new long[] {0, 0, 0, 0, 1, 1, 1, 1, 0, 0}, first.modalities());
        assertArrayEquals(new long[] {0, 0, 0, 0, 1, 1, 1, 1, 0, 0}, first.spans());
        assertEquals(rows[0], first.patches()[4 * 16]);
        TransfusionSequence dropped =
                TransfusionSequence.of("ab", rows, 16, Direction.CAPTION_TO_IMAGE, true, 0);
        assertEquals(8, dropped.length());
        assertEquals(JointVocabulary.BOI, dropped.tokens()[1]);
        TransfusionSequence reading =
                TransfusionSequence.of("ab", rows, 16, Direction.IMAGE_TO_CAPTION, false, 500);
        assertArrayEquals(
                new long[] {0, 0, 500, 500, 500, 500, 0, 0, 0, 0}, reading.timestepLimit());
        assertEquals('a', reading.tokens()[7]);
        assertThrows(
                IllegalArgumentException.class,
                () -> TransfusionSequence.of("ab", rows, 16, Direction.IMAGE_TO_CAPTION, true, 0));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        TransfusionSequence.of(
                                "ab", new float[15], 16, Direction.CAPTION_TO_IMAGE, false, 0));
    }

    @Test
    void aPaddedDatasetTrainsBothLosses() throws Exception {
        Random random = new Random(3);
        List<TransfusionSequence> train = new ArrayList<>();
        List<TransfusionSequence> heldOut = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            int c = random.nextInt(NAMES.length);
            float[] rows = GEOMETRY.toRows(image(c, random));
            boolean imageFirst = i % 2 == 1;
            TransfusionSequence s =
                    TransfusionSequence.of(
                            "a " + NAMES[c],
                            rows,
                            GEOMETRY.values(),
                            imageFirst ? Direction.IMAGE_TO_CAPTION : Direction.CAPTION_TO_IMAGE,
                            !imageFirst && i % 10 == 0,
                            imageFirst ? 500 : 0);
            (i < 128 ? train : heldOut).add(s);
        }
        TransfusionDataset trainSet =
                TransfusionDataset.builder()
                        .setSequences(train, GEOMETRY.values())
                        .setSampling(16, true)
                        .build();
        TransfusionDataset heldOutSet =
                TransfusionDataset.builder()
                        .setSequences(heldOut, GEOMETRY.values())
                        .setSampling(16, false)
                        .build();
        // captions of different lengths: the shorter ones are padded
        assertEquals("a sneaker".length() + 4 + 4, trainSet.sequenceLength());
        MoTConfig config =
                MoTConfig.builder()
                        .vocabSize(JointVocabulary.TEXT_TOKENS)
                        .dim(32)
                        .nLayers(2)
                        .nHeads(2)
                        .ffnHiddenDim(64)
                        .nModalities(2)
                        .maxSeqLen(trainSet.sequenceLength())
                        .diffusion(new DiffusionConfig(1, GEOMETRY.values(), 1000))
                        .build();
        TrainingSettings settings =
                TrainingSettings.builder()
                        .seed(2)
                        .batchSize(16)
                        .totalSteps(80)
                        .warmupSteps(5)
                        .peakLearningRate(1e-2)
                        .build();
        try (TrainingRun run =
                TrainingRun.start(config, settings, trainSet, TinyTransfusion.OPTIONS)) {
            ModalityLosses before = run.evaluate(heldOutSet);
            run.trainToEnd();
            ModalityLosses after = run.evaluate(heldOutSet);
            assertTrue(
                    after.mean(0) < 0.5 * before.mean(0),
                    "text " + before.mean(0) + " -> " + after.mean(0));
            assertTrue(
                    after.mean(1) < 0.8 * before.mean(1),
                    "diffusion " + before.mean(1) + " -> " + after.mean(1));
        }
    }
}
