package io.motdjl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.ParameterCount;
import io.motdjl.config.Untie;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Supplier;

/** Configs too large for the machine are refused from their config, before anything is built. */
class MemoryEstimateTest {

    private static final MoTConfig SMALL =
            MoTConfig.builder()
                    .vocabSize(61)
                    .dim(32)
                    .nLayers(2)
                    .nHeads(4)
                    .ffnHiddenDim(40)
                    .nModalities(2)
                    .maxSeqLen(64)
                    .build();

    /** 10^9 layers: about 1.6·10^13 values, beyond any machine's memory. */
    static final MoTConfig BILLION_LAYERS = SMALL.toBuilder().nLayers(1_000_000_000).build();

    /** 10^6 untied modalities of a 1024-wide model: about 3·10^13 values. */
    static final MoTConfig MILLION_MODALITIES =
            SMALL.toBuilder()
                    .dim(1024)
                    .nHeads(8)
                    .headDim(128)
                    .ffnHiddenDim(4096)
                    .nModalities(1_000_000)
                    .untie(Untie.ALL)
                    .build();

    @TempDir Path tmp;

    @Test
    void theCountIsTheModelsOwn() {
        long built = 0;
        for (Pair<String, Parameter> p : new MoTModel(SMALL).getParameters()) {
            built += p.getValue().getShape().size();
        }
        MemoryEstimate estimate = MemoryEstimate.of(SMALL, DataType.FLOAT32);
        assertEquals(built, estimate.parameters());
        assertEquals(4 * built, estimate.bytes());
        assertEquals(2 * built, MemoryEstimate.of(SMALL, DataType.FLOAT16).bytes());
        assertEquals(8 * built, MemoryEstimate.of(SMALL, DataType.FLOAT64).bytes());
    }

    @Test
    void aBillionLayersFailFastThroughTheModelConstructor() {
        assumeTrue(MemoryEstimate.physicalMemory().isPresent(), "no /proc/meminfo");
        IllegalArgumentException e = refusedQuickly(() -> new MoTModel(BILLION_LAYERS));
        assertMentions(
                e,
                "model too large",
                "n_layers 1000000000",
                String.format(Locale.ROOT, "%,d", ParameterCount.of(BILLION_LAYERS).total()),
                "as float16",
                "physical memory (MemTotal in /proc/meminfo)",
                MemoryEstimate.humanBytes(MemoryEstimate.physicalMemory().getAsLong()));
    }

    @Test
    void aMillionModalitiesFailFastThroughTheBuilder() {
        assumeTrue(MemoryEstimate.physicalMemory().isPresent(), "no /proc/meminfo");
        IllegalArgumentException e =
                refusedQuickly(() -> MoTModel.builder(MILLION_MODALITIES).build());
        assertMentions(e, "model too large", "n_modalities 1000000", "physical memory");
    }

    @Test
    void anyLimitCanBeChecked() {
        MemoryEstimate estimate = MemoryEstimate.of(SMALL, DataType.FLOAT32);
        estimate.requireAtMost(estimate.bytes(), "a limit");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> estimate.requireAtMost(estimate.bytes() - 1, "the test's limit"));
        assertMentions(e, "as float32", "of the test's limit", "nothing was built");
    }

    @Test
    void aCountBeyondALongIsSaidSo() {
        MoTConfig huge =
                MILLION_MODALITIES.toBuilder()
                        .dim(65536)
                        .nHeads(512)
                        .headDim(128)
                        .ffnHiddenDim(1 << 30)
                        .nLayers(Integer.MAX_VALUE)
                        .build();
        assertThrows(ArithmeticException.class, () -> ParameterCount.of(huge).total());
        MemoryEstimate estimate = MemoryEstimate.of(huge, DataType.FLOAT32);
        assertEquals(Long.MAX_VALUE, estimate.parameters());
        assertEquals(Long.MAX_VALUE, estimate.bytes());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> estimate.requireAtMost(1L << 40, "a terabyte"));
        assertMentions(e, "more than 9,223,372,036,854,775,807 parameters");
    }

    @Test
    void memTotalIsReadFromMeminfo() throws Exception {
        Path meminfo =
                Files.writeString(
                        tmp.resolve("meminfo"),
                        "MemFree:         1000 kB\nMemTotal:       24683656 kB\nBuffers: 1 kB\n");
        assertEquals(OptionalLong.of(24683656L * 1024), MemoryEstimate.physicalMemory(meminfo));
        Path garbled = Files.writeString(tmp.resolve("garbled"), "MemTotal: lots kB\n");
        assertEquals(OptionalLong.empty(), MemoryEstimate.physicalMemory(garbled));
        assertEquals(OptionalLong.empty(), MemoryEstimate.physicalMemory(tmp.resolve("none")));
    }

    @Test
    void bytesReadForPeople() {
        assertEquals("512 bytes", MemoryEstimate.humanBytes(512));
        assertEquals("1.5 KiB", MemoryEstimate.humanBytes(1536));
        assertEquals("23.5 GiB", MemoryEstimate.humanBytes(24683656L * 1024));
    }

    private static IllegalArgumentException refusedQuickly(Supplier<Object> build) {
        long start = System.nanoTime();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, build::get, "refused");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 1000, "refused after " + millis + " ms");
        return e;
    }

    private static void assertMentions(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "'" + part + "' in: " + e.getMessage());
        }
    }
}
