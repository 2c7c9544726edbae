package io.motdjl.examples.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import io.motdjl.config.MoTConfig;
import io.motdjl.generate.SamplingSettings;
import io.motdjl.generate.TokenSampler;
import io.motdjl.nn.KeyValueCache;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;

/**
 * Where one cached decode step's time goes. The step is the one {@link
 * io.motdjl.generate.Generator} runs (the same inputs, forward call and copy of the last logits),
 * written out here so that each part can be timed: drawing the next token on the host (decoding
 * rule and greedy sampler), making the one-token input arrays, the forward pass with the {@link
 * KeyValueCache}, and copying the last position's logits to the host. Then libtorch's profiler over
 * a few more steps splits the forward by operator kind, and what is left is Java, DJL and the JNI
 * crossings.
 */
public final class DecodeStepProfile {

    /** Operators listed by name. */
    static final int TOP_OPERATORS = 12;

    private DecodeStepProfile() {}

    /**
     * Runs cached decoding of every model and prints the two tables.
     *
     * @param size model width and depth
     * @param layouts the models
     * @param s prompt length, new tokens and batch of the generation benchmark
     * @param profiledSteps steps recorded by libtorch's profiler (0: no operator table)
     * @param out where the tables go
     * @return the table of the parts of a step
     * @throws IOException if the profiler's trace cannot be written or read
     */
    public static Table run(
            BenchSize size,
            List<ModalityLayout> layouts,
            GenerationBenchmark.Settings s,
            int profiledSteps,
            PrintStream out)
            throws IOException {
        int capacity = s.promptTokens() + s.newTokens();
        int steps = s.newTokens() - 1;
        String[] parts = {
            "draw the token (rule + greedy)",
            "one-token input arrays",
            "forward with the cache",
            "last logits to the host",
            "close the pass's arrays",
            "whole step"
        };
        List<String> headers = new ArrayList<>(List.of("part of a step"));
        List<double[]> medians = new ArrayList<>();
        List<Map<String, double[]>> kinds = new ArrayList<>();
        List<double[]> profiled = new ArrayList<>();
        List<Map<String, OpProfiler.OpTime>> opsByModel = new ArrayList<>();
        MachineLoad load = MachineLoad.start();
        for (ModalityLayout layout : layouts) {
            headers.add(layout.label() + " ms");
            MoTConfig config = size.config(layout.modalities(), capacity);
            try (BenchModel model = new BenchModel(config, layout, 1, 1, 3)) {
                Decoder decoder = new Decoder(model, s);
                decoder.decode(Math.min(steps, 32), null); // warm-up
                List<double[]> times = new ArrayList<>();
                decoder.decode(steps, times);
                double[] m = new double[parts.length];
                for (int p = 0; p < parts.length; p++) {
                    int part = p;
                    m[p] = Stats.median(times.stream().map(t -> t[part]).toList());
                }
                medians.add(m);
                if (profiledSteps > 0) {
                    int n = Math.min(profiledSteps, steps);
                    Path trace = Files.createTempFile("mot-decode-profile", ".json");
                    try {
                        double wall = decoder.profile(n, trace);
                        List<OpProfiler.OpTime> ops = OpProfiler.summarize(trace);
                        Map<String, double[]> byKind = new LinkedHashMap<>();
                        for (String k :
                                List.of(
                                        "matmul",
                                        "gather/scatter",
                                        "attention softmax",
                                        "norm/element-wise",
                                        "copy/concat/split",
                                        "other")) {
                            byKind.put(k, new double[2]);
                        }
                        double inside = 0;
                        Map<String, OpProfiler.OpTime> byName = new LinkedHashMap<>();
                        for (OpProfiler.OpTime op : ops) {
                            byName.put(op.name(), op);
                            double[] k = byKind.get(ProfileBenchmark.kind(op.name()));
                            k[0] += op.calls() / (double) n;
                            k[1] += op.seconds() / n;
                            inside += op.seconds();
                        }
                        kinds.add(byKind);
                        opsByModel.add(byName);
                        profiled.add(new double[] {wall / n, (wall - inside) / n});
                    } finally {
                        Files.deleteIfExists(trace);
                    }
                }
            }
        }
        double foreign = load.foreignCores();
        Table table =
                new Table(
                        Table.fmt(
                                "Where a cached decode step goes at %s (batch %d, prompt %d, median of %d"
                                        + " steps)",
                                size.modelLabel(), s.batch(), s.promptTokens(), steps),
                        headers.toArray(String[]::new));
        for (int p = 0; p < parts.length; p++) {
            String[] row = new String[headers.size()];
            row[0] = parts[p];
            for (int m = 0; m < layouts.size(); m++) {
                row[m + 1] = Table.fmt("%.3f", 1e3 * medians.get(m)[p]);
            }
            table.row(row);
        }
        table.note(
                Table.fmt(
                        "the parts' medians need not add up to the whole step's median; other processes"
                                + " used %.2f cores meanwhile%s",
                        foreign,
                        foreign > 0.1 ? " -- NOT A QUIET MACHINE, timings unreliable" : ""));
        table.print(out);
        if (!kinds.isEmpty()) {
            List<String> h = new ArrayList<>(List.of("kind"));
            for (ModalityLayout layout : layouts) {
                h.add(layout.label() + " calls");
                h.add(layout.label() + " ms");
            }
            Table ops =
                    new Table(
                            Table.fmt(
                                    "libtorch operators per cached decode step at %s (%d profiled steps,"
                                            + " top-level operators only)",
                                    size.modelLabel(), Math.min(profiledSteps, steps)),
                            h.toArray(String[]::new));
            for (String kind : kinds.get(0).keySet()) {
                String[] row = new String[h.size()];
                row[0] = kind;
                for (int m = 0; m < layouts.size(); m++) {
                    double[] k = kinds.get(m).get(kind);
                    row[1 + 2 * m] = Table.fmt("%.0f", k[0]);
                    row[2 + 2 * m] = Table.fmt("%.3f", 1e3 * k[1]);
                }
                ops.row(row);
            }
            String[] outside = new String[h.size()];
            String[] whole = new String[h.size()];
            outside[0] = "outside libtorch (Java, DJL, JNI)";
            whole[0] = "step with the profiler on";
            for (int m = 0; m < layouts.size(); m++) {
                double calls = kinds.get(m).values().stream().mapToDouble(k -> k[0]).sum();
                outside[1 + 2 * m] = "-";
                outside[2 + 2 * m] = Table.fmt("%.3f", 1e3 * profiled.get(m)[1]);
                whole[1 + 2 * m] = Table.fmt("%.0f", calls);
                whole[2 + 2 * m] = Table.fmt("%.3f", 1e3 * profiled.get(m)[0]);
            }
            ops.row(outside);
            ops.row(whole);
            ops.print(out);
            printTopOperators(size, layouts, opsByModel, Math.min(profiledSteps, steps), out);
        }
        return table;
    }

    /** The most expensive operators of the last model's steps, with the others' figures beside. */
    private static void printTopOperators(
            BenchSize size,
            List<ModalityLayout> layouts,
            List<Map<String, OpProfiler.OpTime>> opsByModel,
            int steps,
            PrintStream out) {
        List<String> h = new ArrayList<>(List.of("operator", "kind"));
        for (ModalityLayout layout : layouts) {
            h.add(layout.label() + " calls");
            h.add(layout.label() + " ms");
        }
        Table top =
                new Table(
                        Table.fmt(
                                "The %d most expensive operators per cached decode step at %s",
                                TOP_OPERATORS, size.modelLabel()),
                        h.toArray(String[]::new));
        List<OpProfiler.OpTime> last =
                new ArrayList<>(opsByModel.get(opsByModel.size() - 1).values());
        last.sort((a, b) -> Double.compare(b.seconds(), a.seconds()));
        for (OpProfiler.OpTime op : last.subList(0, Math.min(TOP_OPERATORS, last.size()))) {
            String[] row = new String[h.size()];
            row[0] = op.name();
            row[1] = ProfileBenchmark.kind(op.name());
            for (int m = 0; m < opsByModel.size(); m++) {
                OpProfiler.OpTime mine = opsByModel.get(m).get(op.name());
                row[2 + 2 * m] =
                        mine == null ? "0" : Table.fmt("%.1f", mine.calls() / (double) steps);
                row[3 + 2 * m] =
                        mine == null ? "0" : Table.fmt("%.3f", 1e3 * mine.seconds() / steps);
            }
            top.row(row);
        }
        top.print(out);
    }

    /** Cached greedy decoding written out step by step, as the generator runs it. */
    private static final class Decoder {

        private final MoTModel model;
        private final NDManager manager;
        private final MoTConfig config;
        private final ParameterStore ps;
        private final IntUnaryOperator modalityOf;
        private final List<int[]> prompts;
        private final int capacity;
        private final TokenSampler sampler = new TokenSampler(SamplingSettings.greedy());

        Decoder(BenchModel bench, GenerationBenchmark.Settings s) {
            this.model = bench.model();
            this.manager = bench.manager();
            this.config = model.config();
            this.ps = new ParameterStore(manager, false);
            this.modalityOf = GenerationBenchmark.modalityMap(config);
            this.prompts = GenerationBenchmark.prompts(config, s.promptTokens(), s.batch());
            this.capacity = s.promptTokens() + s.newTokens();
        }

        /**
         * Prefills and decodes {@code steps} tokens per row; with {@code times} non-null, adds each
         * step's seconds per part.
         */
        void decode(int steps, List<double[]> times) {
            try (KeyValueCache cache = newCache()) {
                float[] logits = prefill(cache);
                int[] generated = new int[1];
                for (int step = 0; step < steps; step++) {
                    long t0 = System.nanoTime();
                    long[] next = draw(logits, generated);
                    long t1 = System.nanoTime();
                    long t2;
                    long t3;
                    long t4;
                    try (NDManager pass = manager.newSubManager()) {
                        MoTInputs in = inputs(pass, next);
                        t2 = System.nanoTime();
                        NDArray out =
                                model.forward(ps, in.toNDList(), false, cache.asParam()).head();
                        t3 = System.nanoTime();
                        logits = toHost(out);
                        t4 = System.nanoTime();
                    }
                    long t5 = System.nanoTime();
                    if (times != null) {
                        times.add(
                                new double[] {
                                    (t1 - t0) / 1e9,
                                    (t2 - t1) / 1e9,
                                    (t3 - t2) / 1e9,
                                    (t4 - t3) / 1e9,
                                    (t5 - t4) / 1e9,
                                    (t5 - t0) / 1e9
                                });
                    }
                }
            }
        }

        /** Prefills, then decodes {@code steps} tokens under libtorch's profiler; wall seconds. */
        double profile(int steps, Path trace) {
            try (KeyValueCache cache = newCache()) {
                float[] logits = prefill(cache);
                int[] generated = new int[1];
                OpProfiler.start();
                long start = System.nanoTime();
                for (int step = 0; step < steps; step++) {
                    long[] next = draw(logits, generated);
                    try (NDManager pass = manager.newSubManager()) {
                        NDArray out =
                                model.forward(
                                                ps,
                                                inputs(pass, next).toNDList(),
                                                false,
                                                cache.asParam())
                                        .head();
                        logits = toHost(out);
                    }
                }
                double wall = (System.nanoTime() - start) / 1e9;
                OpProfiler.stop(trace);
                return wall;
            }
        }

        private KeyValueCache newCache() {
            return new KeyValueCache(
                    config,
                    prompts.size(),
                    capacity,
                    manager,
                    DataType.FLOAT32,
                    manager.getDevice());
        }

        private float[] prefill(KeyValueCache cache) {
            int rows = prompts.size();
            int n = prompts.get(0).length;
            long[] tokens = new long[rows * n];
            long[] modalities = new long[rows * n];
            long[] valid = new long[rows * n];
            for (int b = 0; b < rows; b++) {
                for (int t = 0; t < n; t++) {
                    tokens[b * n + t] = prompts.get(b)[t];
                    modalities[b * n + t] = modalityOf.applyAsInt(prompts.get(b)[t]);
                    valid[b * n + t] = 1;
                }
            }
            try (NDManager pass = manager.newSubManager()) {
                Shape shape = new Shape(rows, n);
                MoTInputs in =
                        MoTInputs.of(pass.create(tokens, shape), pass.create(modalities, shape))
                                .withValidTokens(pass.create(valid, shape));
                return toHost(model.forward(ps, in.toNDList(), false, cache.asParam()).head());
            }
        }

        /** The next token of every row, drawn as the generator draws it. */
        private long[] draw(float[] logits, int[] generated) {
            int rows = prompts.size();
            int vocab = config.vocabSize();
            int ranges = GenerationBenchmark.ranges(config);
            int r = GenerationBenchmark.blockRange(generated[0]++, ranges);
            boolean[] allowed = new boolean[vocab];
            float[] row = new float[vocab];
            long[] next = new long[rows];
            SplittableRandom random = new SplittableRandom(0);
            for (int b = 0; b < rows; b++) {
                System.arraycopy(logits, b * vocab, row, 0, vocab);
                java.util.Arrays.fill(allowed, false);
                java.util.Arrays.fill(
                        allowed,
                        GenerationBenchmark.rangeStart(vocab, ranges, r),
                        GenerationBenchmark.rangeStart(vocab, ranges, r + 1),
                        true);
                next[b] = sampler.sample(row, allowed, random);
            }
            return next;
        }

        /** Inputs of one new token per row, as the generator makes them (with the valid mask). */
        private MoTInputs inputs(NDManager pass, long[] next) {
            int rows = next.length;
            long[] modalities = new long[rows];
            long[] valid = new long[rows];
            for (int b = 0; b < rows; b++) {
                modalities[b] = modalityOf.applyAsInt((int) next[b]);
                valid[b] = 1;
            }
            Shape shape = new Shape(rows, 1);
            return MoTInputs.of(pass.create(next, shape), pass.create(modalities, shape))
                    .withValidTokens(pass.create(valid, shape));
        }

        private static float[] toHost(NDArray logits) {
            return logits.get(new NDIndex(":, -1, :"))
                    .toType(DataType.FLOAT32, false)
                    .toFloatArray();
        }
    }
}
