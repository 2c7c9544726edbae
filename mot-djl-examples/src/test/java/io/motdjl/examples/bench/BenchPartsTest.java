package io.motdjl.examples.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The benchmark suite's parts that need no timing: layouts, statistics, tables, profiles. */
class BenchPartsTest {

    @TempDir Path tmp;

    @Test
    void layoutsMatchTheAnchorAndShareEqually() {
        long[] two = ModalityLayout.TWO_MODALITIES.row(256);
        for (int t = 0; t < 256; t++) {
            assertEquals(t >= 64 && t < 192 ? 1 : 0, two[t], "position " + t);
        }
        long[] three = ModalityLayout.THREE_MODALITIES.row(9);
        assertArrayEquals(new long[] {0, 0, 0, 1, 1, 1, 2, 2, 2}, three);
        assertArrayEquals(new long[] {0, 0, 0, 0}, ModalityLayout.DENSE.batch(2, 2));
        assertEquals(12, ModalityLayout.THREE_MODALITIES.batch(2, 6).length);
        assertEquals("MoT-3", ModalityLayout.THREE_MODALITIES.label());
    }

    @Test
    void medians() {
        assertEquals(2.0, Stats.median(List.of(3.0, 1.0, 2.0)));
        assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 2.0, 3.0)));
        assertTrue(Double.isNaN(Stats.median(List.of())));
        assertEquals(1.0, Stats.min(List.of(3.0, 1.0)));
        assertEquals(3.0, Stats.max(List.of(3.0, 1.0)));
    }

    @Test
    void processCountersAreReadOnLinux() {
        ProcessStats now = ProcessStats.now();
        if (Files.isReadable(Path.of("/proc/self/stat"))) {
            assertTrue(now.available());
            assertTrue(now.minorFaults() > 0 && now.residentBytes() > 0, now.toString());
            ProcessStats later = ProcessStats.now().since(now);
            assertTrue(later.minorFaults() >= 0 && later.userSeconds() >= 0, later.toString());
        }
    }

    @Test
    void tablesAlignTheirColumns() {
        Table table = new Table("title", "a", "long header").row("value", "x").note("note");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        table.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(
                List.of(
                        "title",
                        "a      long header",
                        "-----  -----------",
                        "value  x",
                        "note",
                        ""),
                lines);
        assertThrows(IllegalArgumentException.class, () -> table.row("only one"));
        assertEquals("x", table.cell(0, 1));
    }

    @Test
    void profileSummaryCountsTopLevelOperatorsOnly() throws Exception {
        Path trace = tmp.resolve("trace.json");
        // aten::linear contains aten::mm on the same thread; another thread runs its own op
        Files.writeString(
                trace,
                """
                {"traceEvents": [
                  {"ph": "X", "cat": "cpu_op", "name": "aten::linear", "pid": 1, "tid": 1, "ts": 0, "dur": 100},
                  {"ph": "X", "cat": "cpu_op", "name": "aten::mm", "pid": 1, "tid": 1, "ts": 10, "dur": 80},
                  {"ph": "X", "cat": "cpu_op", "name": "aten::linear", "pid": 1, "tid": 1, "ts": 200, "dur": 50},
                  {"ph": "X", "cat": "cpu_op", "name": "aten::index", "pid": 1, "tid": 2, "ts": 20, "dur": 30},
                  {"ph": "i", "cat": "cpu_op", "name": "marker", "pid": 1, "tid": 2, "ts": 20}
                ]}
                """);
        List<OpProfiler.OpTime> ops = OpProfiler.summarize(trace);
        assertEquals(2, ops.size(), ops.toString());
        assertEquals("aten::linear", ops.get(0).name());
        assertEquals(2, ops.get(0).calls());
        assertEquals(150e-6, ops.get(0).seconds(), 1e-12);
        assertEquals("aten::index", ops.get(1).name());
    }

    @Test
    void operatorKinds() {
        assertEquals(
                "matmul",
                ProfileBenchmark.kind("autograd::engine::evaluate_function: MmBackward0"));
        assertEquals("matmul", ProfileBenchmark.kind("aten::linear"));
        assertEquals(
                "gather/scatter",
                ProfileBenchmark.kind("autograd::engine::evaluate_function: IndexBackward0"));
        assertEquals("attention softmax", ProfileBenchmark.kind("aten::softmax"));
        assertEquals("copy/concat/split", ProfileBenchmark.kind("aten::cat"));
        assertEquals("norm/element-wise", ProfileBenchmark.kind("aten::mul"));
    }

    @Test
    void partsParseByName() {
        assertEquals(BenchSuite.Part.MEMORY, BenchSuite.Part.parse(" Memory"));
        assertEquals(BenchSuite.Part.MOE, BenchSuite.Part.parse("moe"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> BenchSuite.Part.parse("speed"));
        assertTrue(e.getMessage().contains("gemm, anchor, train"), e.getMessage());
    }
}
