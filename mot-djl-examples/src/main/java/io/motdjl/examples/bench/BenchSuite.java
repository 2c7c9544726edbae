package io.motdjl.examples.bench;

import ai.djl.Device;
import ai.djl.translate.TranslateException;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The benchmark suite behind {@code mot bench}: the GEMM ceiling, the comparison with eager
 * PyTorch, training-step and prefill throughput of dense and MoT, memory over a long training run
 * and over many generate calls, a profile of one MoT step, generation with and without the
 * key/value cache, the optimizer update alone (before and after it was made in place), and the
 * mixture-of-experts feed-forward against the dense one at equal active FLOPs. {@link
 * Settings#quick()} finishes in a few minutes on two cores; {@link Settings#full()} is what {@code
 * docs/benchmarks.md} reports.
 */
public final class BenchSuite {

    /** The parts of the suite. */
    public enum Part {
        GEMM,
        ANCHOR,
        TRAIN,
        PREFILL,
        MEMORY,
        GENERATE_MEMORY,
        PROFILE,
        GENERATE,
        OPTIMIZER,
        MOE,
        DATA_PARALLEL;

        /** The part called {@code name} (case-insensitive; {@code -} for {@code _}). */
        public static Part parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "unknown benchmark '"
                                + name
                                + "' (known: gemm, anchor, train, prefill,"
                                + " memory, generate-memory, profile, generate, optimizer,"
                                + " moe, data-parallel)",
                        e);
            }
        }
    }

    /**
     * What to run and how long.
     *
     * @param parts the parts
     * @param sizes model sizes of the training and prefill benchmarks
     * @param steps timed training steps per model (and prefill passes)
     * @param warmup untimed steps per model
     * @param anchorRounds rounds of the PyTorch comparison
     * @param anchorSteps timed steps per model and round of the PyTorch comparison
     * @param memorySize model of the memory run
     * @param memorySteps steps of the memory run
     * @param memoryGenerations generate calls of the generation memory run
     * @param threads intra-op threads (mot-djl and Python)
     * @param anchor the Python anchor, or null to skip it
     * @param gemmSize side of the ceiling GEMM
     * @param generation what the generation benchmark generates
     * @param devices the devices of the data-parallel comparison (empty: it does not run)
     */
    public record Settings(
            Set<Part> parts,
            List<BenchSize> sizes,
            int steps,
            int warmup,
            int anchorRounds,
            int anchorSteps,
            BenchSize memorySize,
            int memorySteps,
            int memoryGenerations,
            int threads,
            PythonAnchor anchor,
            int gemmSize,
            GenerationBenchmark.Settings generation,
            List<Device> devices) {

        /** A few minutes on two cores: the anchor size only, short runs, two PyTorch rounds. */
        public static Settings quick(int threads, PythonAnchor anchor) {
            return new Settings(
                    EnumSet.complementOf(EnumSet.of(Part.DATA_PARALLEL)),
                    List.of(BenchSize.ANCHOR),
                    4,
                    1,
                    2,
                    4,
                    BenchSize.SMALL,
                    200,
                    200,
                    threads,
                    anchor,
                    2048,
                    new GenerationBenchmark.Settings(64, 128, 1, 1, 32),
                    List.of());
        }

        /**
         * What docs/benchmarks.md reports: both sizes, longer runs, 2,000 memory steps, 2,000
         * generate calls and three timed generations per model and cache setting (on two shared
         * cores, one generation in a few meets a stall of 50-200 ms; the median of three does not
         * hinge on it).
         */
        public static Settings full(int threads, PythonAnchor anchor) {
            return new Settings(
                    EnumSet.complementOf(EnumSet.of(Part.DATA_PARALLEL)),
                    List.of(BenchSize.ANCHOR, BenchSize.LARGE),
                    8,
                    2,
                    3,
                    10,
                    BenchSize.SMALL,
                    2000,
                    2000,
                    threads,
                    anchor,
                    2048,
                    new GenerationBenchmark.Settings(64, 512, 1, 3, 64),
                    List.of());
        }

        /** The same settings with other parts. */
        public Settings withParts(Set<Part> p) {
            return new Settings(
                    p,
                    sizes,
                    steps,
                    warmup,
                    anchorRounds,
                    anchorSteps,
                    memorySize,
                    memorySteps,
                    memoryGenerations,
                    threads,
                    anchor,
                    gemmSize,
                    generation,
                    devices);
        }

        /** The same settings with other sizes. */
        public Settings withSizes(List<BenchSize> s) {
            return new Settings(
                    parts,
                    s,
                    steps,
                    warmup,
                    anchorRounds,
                    anchorSteps,
                    memorySize,
                    memorySteps,
                    memoryGenerations,
                    threads,
                    anchor,
                    gemmSize,
                    generation,
                    devices);
        }

        /** The same settings with other step counts. */
        public Settings withSteps(int timed, int untimed) {
            return new Settings(
                    parts,
                    sizes,
                    timed,
                    untimed,
                    anchorRounds,
                    anchorSteps,
                    memorySize,
                    memorySteps,
                    memoryGenerations,
                    threads,
                    anchor,
                    gemmSize,
                    generation,
                    devices);
        }

        /** The same settings with another PyTorch comparison length. */
        public Settings withAnchorRuns(int rounds, int stepsPerRound) {
            return new Settings(
                    parts,
                    sizes,
                    steps,
                    warmup,
                    rounds,
                    stepsPerRound,
                    memorySize,
                    memorySteps,
                    memoryGenerations,
                    threads,
                    anchor,
                    gemmSize,
                    generation,
                    devices);
        }

        /** The same settings with another generation benchmark. */
        public Settings withGeneration(GenerationBenchmark.Settings g) {
            return new Settings(
                    parts,
                    sizes,
                    steps,
                    warmup,
                    anchorRounds,
                    anchorSteps,
                    memorySize,
                    memorySteps,
                    memoryGenerations,
                    threads,
                    anchor,
                    gemmSize,
                    g,
                    devices);
        }

        /**
         * The same settings with the devices of the data-parallel comparison, which then runs (it
         * is not part of the presets: it needs several devices to say anything).
         */
        public Settings withDevices(List<Device> d) {
            Set<Part> p = EnumSet.noneOf(Part.class);
            p.addAll(parts);
            p.add(Part.DATA_PARALLEL);
            return new Settings(
                    p,
                    sizes,
                    steps,
                    warmup,
                    anchorRounds,
                    anchorSteps,
                    memorySize,
                    memorySteps,
                    memoryGenerations,
                    threads,
                    anchor,
                    gemmSize,
                    generation,
                    List.copyOf(d));
        }

        /** The same settings with other memory runs. */
        public Settings withMemory(BenchSize size, int memSteps, int generations) {
            return new Settings(
                    parts,
                    sizes,
                    steps,
                    warmup,
                    anchorRounds,
                    anchorSteps,
                    size,
                    memSteps,
                    generations,
                    threads,
                    anchor,
                    gemmSize,
                    generation,
                    devices);
        }
    }

    private BenchSuite() {}

    /**
     * Runs the suite, printing each table as it completes.
     *
     * @param s what to run
     * @param out where the tables go
     * @return the tables
     * @throws IOException if a run or the anchor fails
     * @throws TranslateException if a batch cannot be made
     * @throws InterruptedException if interrupted while waiting for the anchor
     */
    public static List<Table> run(Settings s, PrintStream out)
            throws IOException, TranslateException, InterruptedException {
        List<Table> tables = new ArrayList<>();
        out.println(MachineInfo.describe(s.threads()));
        out.println();
        double ceiling = Double.NaN;
        if (s.parts().contains(Part.GEMM) || needsCeiling(s.parts())) {
            ceiling = GemmCeiling.flopsPerSecond(s.gemmSize(), 5);
            Table t =
                    new Table(
                            "Ceiling: float32 GEMM through DJL's PyTorch engine",
                            "GEMM",
                            "GFLOP/s");
            t.row(
                    Table.fmt("%d x %d x %d", s.gemmSize(), s.gemmSize(), s.gemmSize()),
                    Table.fmt("%.1f", ceiling / 1e9));
            t.note(
                    "median of 5 after one warm-up; every MFU figure below is a fraction of this rate");
            t.print(out);
            tables.add(t);
        }
        // first, so that its resident memory is not that of the models of the other parts (with
        // bin/mot's malloc settings freed memory stays in the process)
        if (s.parts().contains(Part.MEMORY)) {
            tables.add(
                    MemoryBenchmark.run(
                            s.memorySize(),
                            s.memorySteps(),
                            Math.max(1, s.memorySteps() / 10),
                            out));
        }
        if (s.parts().contains(Part.GENERATE_MEMORY)) {
            tables.add(
                    GenerationMemoryBenchmark.run(
                            s.memorySize(),
                            GenerationMemoryBenchmark.Settings.of(s.memoryGenerations(), 32, 32),
                            out));
        }
        if (s.parts().contains(Part.ANCHOR)) {
            if (s.anchor() == null) {
                out.println("(the PyTorch anchor was not found or not asked for: mot-djl alone)");
            }
            tables.add(
                    AnchorComparison.run(
                            new AnchorComparison.Settings(
                                    s.anchorRounds(), s.anchorSteps(), 2, s.threads(), s.anchor()),
                            ceiling,
                            out));
        }
        List<ModalityLayout> layouts =
                List.of(
                        ModalityLayout.DENSE,
                        ModalityLayout.TWO_MODALITIES,
                        ModalityLayout.THREE_MODALITIES);
        if (s.parts().contains(Part.TRAIN)) {
            for (BenchSize size : s.sizes()) {
                tables.add(
                        TrainingStepBenchmark.run(
                                size, layouts, s.steps(), s.warmup(), ceiling, out));
            }
        }
        if (s.parts().contains(Part.PREFILL)) {
            for (BenchSize size : s.sizes()) {
                tables.add(
                        PrefillBenchmark.run(size, layouts, s.steps(), s.warmup(), ceiling, out));
            }
        }
        if (s.parts().contains(Part.PROFILE)) {
            tables.add(
                    ProfileBenchmark.run(s.sizes().get(0), ModalityLayout.TWO_MODALITIES, 15, out));
        }
        if (s.parts().contains(Part.GENERATE)) {
            List<ModalityLayout> generated =
                    List.of(ModalityLayout.DENSE, ModalityLayout.TWO_MODALITIES);
            for (BenchSize size : s.sizes()) {
                tables.add(GenerationBenchmark.run(size, generated, s.generation(), out));
                tables.add(DecodeStepProfile.run(size, generated, s.generation(), 16, out));
            }
        }
        if (s.parts().contains(Part.OPTIMIZER)) {
            for (BenchSize size : s.sizes()) {
                tables.add(OptimizerBenchmark.run(size, 2, s.steps(), s.warmup(), out));
            }
        }
        if (s.parts().contains(Part.MOE)) {
            for (BenchSize size : s.sizes()) {
                tables.addAll(MoeBenchmark.run(size, s.steps(), s.warmup(), ceiling, out));
            }
        }
        if (s.parts().contains(Part.DATA_PARALLEL)) {
            if (s.devices().isEmpty()) {
                throw new IllegalArgumentException(
                        "the data-parallel comparison needs the devices to train on");
            }
            for (BenchSize size : s.sizes()) {
                tables.add(
                        DataParallelBenchmark.run(size, s.devices(), s.steps(), s.warmup(), out));
            }
        }
        return tables;
    }

    private static boolean needsCeiling(Set<Part> parts) {
        return parts.contains(Part.ANCHOR)
                || parts.contains(Part.MOE)
                || parts.contains(Part.TRAIN)
                || parts.contains(Part.PREFILL);
    }
}
