package io.motdjl.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The memory soak runs (training and generation) end to end on a tiny model, and the arithmetic of
 * their summary. No timing is asserted.
 */
class SoakBenchmarksTest {

    private static final BenchSize TINY = new BenchSize("tiny", 64, 32, 1, 2, 48, 16, 2);

    private static final long MIB = 1L << 20;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void traceMeasuresDriftFromTheEndOfTheWarmup() {
        MemoryTrace trace = new MemoryTrace("step", 300);
        trace.add(100, 400 * MIB, 7)
                .add(200, 480 * MIB, 7)
                .add(300, 500 * MIB, 7)
                .add(400, 520 * MIB, 7)
                .add(500, 490 * MIB, 7)
                .add(600, 505 * MIB, 7);
        assertEquals(300, trace.afterWarmup().done());
        assertEquals(400, trace.middle().done(), "halfway through the samples from step 300");
        assertEquals(600, trace.last().done());
        assertEquals(1.0, trace.driftPercent(), 1e-9);
        assertEquals(4.0, trace.largestDeviationPercent(), 1e-9);
        assertTrue(trace.arraysConstant());
        String notes = String.join("\n", trace.notes());
        assertTrue(notes.contains("RSS after warm-up (step 300): 500 MiB"), notes);
        assertTrue(notes.contains("end (step 600): 505 MiB"), notes);
        assertTrue(notes.contains("+1.0 % at the end, largest +4.0 %"), notes);
        assertTrue(notes.contains("constant at 7"), notes);
    }

    @Test
    void traceFlagsArraysThatChangeAndShortRuns() {
        MemoryTrace trace = new MemoryTrace("call", 1000);
        trace.add(10, 100 * MIB, 5).add(20, 90 * MIB, 6);
        assertEquals(20, trace.afterWarmup().done(), "a run shorter than its warm-up: the end");
        assertEquals(0.0, trace.driftPercent(), 1e-9);
        assertFalse(trace.arraysConstant());
        assertTrue(String.join("\n", trace.notes()).contains("between 5 and 6 -- NOT CONSTANT"));
        assertThrows(IllegalArgumentException.class, () -> trace.add(20, MIB, 5));
        assertThrows(IllegalStateException.class, () -> new MemoryTrace("step", 0).last());
        assertThrows(IllegalArgumentException.class, () -> new MemoryTrace("step", -1));
    }

    @Test
    void trainingRunReportsItsCheckpoints() throws Exception {
        Table table = MemoryBenchmark.run(TINY, 6, 2, 2, out);
        assertEquals(3, table.size(), printed());
        assertTrue(printed().contains("RSS after warm-up (step 2)"), printed());
        assertTrue(printed().contains("live NDArrays constant at "), printed());
        // each sample is printed when it is taken, so that a stopped soak leaves its figures
        assertTrue(printed().contains("  step 4 of 6: RSS "), printed());
        assertTrue(printed().contains(table.cell(1, 2) + " MiB, " + table.cell(1, 3) + " live"));
    }

    @Test
    void generationRunFreesWhatEveryCallMakes() {
        GenerationMemoryBenchmark.Settings settings =
                new GenerationMemoryBenchmark.Settings(6, 2, 2, 5, 4);
        Table table = GenerationMemoryBenchmark.run(TINY, settings, out);
        assertEquals(3, table.size(), printed());
        assertEquals("6", table.cell(2, 0));
        // the model's parameters only, after every interval
        assertEquals(table.cell(0, 2), table.cell(2, 2), printed());
        assertTrue(printed().contains("24 tokens generated in all"), printed());
        assertTrue(printed().contains("live NDArrays constant at "), printed());
    }

    @Test
    void generationSettingsAreCheckedAndScaled() {
        GenerationMemoryBenchmark.Settings s = GenerationMemoryBenchmark.Settings.of(2000, 32, 32);
        assertEquals(200, s.every());
        assertEquals(600, s.warmup());
        assertThrows(
                IllegalArgumentException.class,
                () -> new GenerationMemoryBenchmark.Settings(0, 1, 0, 1, 1));
        assertEquals(BenchSuite.Part.GENERATE_MEMORY, BenchSuite.Part.parse("generate-memory"));
    }
}
