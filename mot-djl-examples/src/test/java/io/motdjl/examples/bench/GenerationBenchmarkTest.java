package io.motdjl.examples.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.config.MoTConfig;
import io.motdjl.generate.GenerationSettings;
import io.motdjl.generate.Generator;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * The generation benchmark on a tiny model: its tables have their rows, and decoding with the
 * key/value cache drew the same tokens as re-running the prefix. No timing is asserted.
 */
class GenerationBenchmarkTest {

    private static final BenchSize TINY = new BenchSize("tiny", 64, 32, 1, 2, 48, 16, 2);
    private static final List<ModalityLayout> MODELS =
            List.of(ModalityLayout.DENSE, ModalityLayout.TWO_MODALITIES);

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void cachedAndUncachedRowsOfDenseAndMoTDrawTheSameTokens() {
        // 40 new tokens: more than one block of each range
        GenerationBenchmark.Settings settings = new GenerationBenchmark.Settings(8, 40, 2, 2, 4);
        Table table = GenerationBenchmark.run(TINY, MODELS, settings, out);
        assertEquals(4, table.size(), printed());
        List<String> rows = List.of("dense on", "dense off", "MoT-2 on", "MoT-2 off");
        for (int r = 0; r < 4; r++) {
            assertEquals(rows.get(r), table.cell(r, 0) + " " + table.cell(r, 1));
            assertTrue(Double.parseDouble(table.cell(r, 2)) > 0, printed());
            assertTrue(Double.parseDouble(table.cell(r, 3)) > 0, printed());
            assertEquals("yes", table.cell(r, 9), printed());
        }
        assertEquals("1.0x", table.cell(1, 8));
        assertTrue(
                printed().contains("Generation at d32-L1: prompt 8 + 40 new tokens, batch 2"),
                printed());
    }

    @Test
    void theTimedGenerationsFollowTheBlocksAndAgreeTokenForToken() {
        MoTConfig config = TINY.config(2, 48);
        try (BenchModel model = new BenchModel(config, ModalityLayout.TWO_MODALITIES, 1, 1, 3)) {
            IntUnaryOperator modalityOf = GenerationBenchmark.modalityMap(config);
            Generator generator = new Generator(model.model(), model.manager(), modalityOf);
            List<int[]> prompts = GenerationBenchmark.prompts(config, 8, 3);
            GenerationSettings settings = GenerationSettings.greedy(40);
            GenerationBenchmark.Run with = GenerationBenchmark.timed(generator, prompts, settings);
            GenerationBenchmark.Run without =
                    GenerationBenchmark.timed(generator, prompts, settings.withCache(false));
            assertArrayEquals(without.tokens(), with.tokens());
            assertNull(GenerationBenchmark.firstDifference(with.tokens(), without.tokens()));
            assertEquals(39, with.intervals().length, "40 draws, 39 decode passes");
            assertTrue(with.prefillSeconds() > 0 && with.decodeSeconds() > 0);
            for (int[] row : with.tokens()) {
                assertEquals(40, row.length);
                for (int i = 0; i < row.length; i++) {
                    // image codes (upper half, modality 1) for the first 32, then text
                    assertEquals(
                            i < GenerationBenchmark.BLOCK ? 1 : 0,
                            modalityOf.applyAsInt(row[i]),
                            "token " + i + " = " + row[i]);
                }
            }
            // the prompts follow the anchor's text / image / text layout
            assertArrayEquals(
                    new int[] {0, 0, 1, 1, 1, 1, 0, 0},
                    java.util.Arrays.stream(prompts.get(0)).map(modalityOf).toArray());
        }
        assertEquals(0, GenerationBenchmark.modalityMap(TINY.config(1)).applyAsInt(63), "dense");
        assertEquals(
                "row 1, token 2",
                GenerationBenchmark.firstDifference(
                        new int[][] {{1}, {1, 2, 3}}, new int[][] {{1}, {1, 2, 4}}));
    }

    @Test
    void decodeStepProfileHasEveryPart() throws Exception {
        Table table =
                DecodeStepProfile.run(
                        TINY, MODELS, new GenerationBenchmark.Settings(8, 12, 1, 1, 0), 3, out);
        assertEquals(6, table.size(), printed());
        assertEquals("whole step", table.cell(5, 0));
        assertTrue(Double.parseDouble(table.cell(5, 2)) > 0, printed());
        assertTrue(printed().contains("libtorch operators per cached decode step"), printed());
    }

    @Test
    void settingsAreValidated() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new GenerationBenchmark.Settings(8, 1, 1, 1, 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> new GenerationBenchmark.Settings(0, 8, 1, 1, 0));
        assertEquals(BenchSuite.Part.GENERATE, BenchSuite.Part.parse("generate"));
    }
}
