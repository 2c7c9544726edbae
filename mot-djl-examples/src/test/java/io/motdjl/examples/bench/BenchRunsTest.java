package io.motdjl.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The benchmarks run end to end on a tiny model and print their tables. Nothing here asserts a
 * time: only that every model produced a row with a positive rate.
 */
class BenchRunsTest {

    private static final BenchSize TINY = new BenchSize("tiny", 64, 32, 1, 2, 48, 16, 2);

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private static final List<ModalityLayout> ALL =
            List.of(
                    ModalityLayout.DENSE,
                    ModalityLayout.TWO_MODALITIES,
                    ModalityLayout.THREE_MODALITIES);

    @Test
    void trainingStepsOfDenseAndMoT() throws Exception {
        Table table = TrainingStepBenchmark.run(TINY, ALL, 2, 1, 1e9, out);
        assertEquals(3, table.size());
        for (int r = 0; r < 3; r++) {
            assertTrue(
                    Double.parseDouble(table.cell(r, 5)) > 0,
                    bytes.toString(StandardCharsets.UTF_8));
        }
        assertEquals("1.000", table.cell(0, 7));
    }

    @Test
    void dataParallelAgainstOneDeviceOnTheOnlyDeviceHere() throws Exception {
        // without a GPU both runs use the CPU: the same run twice, so the curves agree exactly
        Table table = DataParallelBenchmark.run(TINY, List.of(Device.cpu()), 3, 1, out);
        assertEquals(2, table.size());
        for (int r = 0; r < 2; r++) {
            assertEquals("[cpu()]", table.cell(r, 0));
            assertTrue(Double.parseDouble(table.cell(r, 4)) > 0, table.cell(r, 4));
        }
        assertEquals("1.00", table.cell(0, 5));
        assertEquals(0.0, Double.parseDouble(table.cell(1, 6)), "loss curves differ");
        assertEquals(0.0, Double.parseDouble(table.cell(1, 7)), "gradient norms differ");
    }

    @Test
    void mixtureAgainstDenseFeedForwardAndTheFourArchitectures() throws Exception {
        List<Table> tables = MoeBenchmark.run(TINY, 2, 1, 1e9, out);
        assertEquals(2, tables.size());
        Table ffn = tables.get(0);
        assertEquals(3, ffn.size());
        assertEquals("1.00", ffn.cell(0, 5));
        for (int r = 0; r < 3; r++) {
            assertTrue(Double.parseDouble(ffn.cell(r, 1)) > 0, ffn.cell(r, 1));
        }
        assertTrue(ffn.cell(1, 6).endsWith(" ms"), ffn.cell(1, 6));
        Table steps = tables.get(1);
        assertEquals(4, steps.size());
        assertEquals("dense", steps.cell(0, 0));
        assertEquals("mot-moe-text", steps.cell(3, 0));
        for (int r = 0; r < 4; r++) {
            assertTrue(Double.parseDouble(steps.cell(r, 5)) > 0, steps.cell(r, 5));
        }
    }

    @Test
    void prefillOfDenseAndMoT() {
        Table table = PrefillBenchmark.run(TINY, ALL, 2, 1, 1e9, out);
        assertEquals(3, table.size());
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("Prefill"));
    }

    @Test
    void memoryRunSamplesEveryInterval() throws Exception {
        Table table = MemoryBenchmark.run(TINY, 6, 2, out);
        assertEquals(3, table.size());
        assertEquals("6", table.cell(2, 0));
        // the same arrays are alive after every interval: nothing leaks per step
        assertEquals(table.cell(1, 2), table.cell(2, 2), bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void forwardBackwardIsDeterministicAndProfiled() throws Exception {
        try (BenchModel model =
                new BenchModel(TINY.config(2), ModalityLayout.TWO_MODALITIES, 2, 16, 3)) {
            float first = model.forwardBackward();
            float second = model.forwardBackward();
            assertEquals(first, second, "same weights, same batch, no optimizer");
            assertTrue(model.prefill() == model.prefill());
        }
        Table table = ProfileBenchmark.run(TINY, ModalityLayout.TWO_MODALITIES, 5, out);
        assertTrue(table.size() > 0 && table.size() <= 5, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void optimizerUpdatesBeforeAndAfterAgree() {
        Table table = OptimizerBenchmark.run(TINY, 2, 2, 1, out);
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(3, table.size(), printed);
        assertEquals("1.000", table.cell(0, 4));
        assertTrue(Double.parseDouble(table.cell(1, 1)) > 0, printed);
        assertTrue(printed.contains("NDArrays left behind by 3 updates of all three: 0"), printed);
    }

    @Test
    void gemmCeilingIsPositive() {
        assertTrue(GemmCeiling.flopsPerSecond(64, 2) > 0);
    }
}
