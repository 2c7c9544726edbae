package io.motdjl.examples.cli;

import io.motdjl.examples.bench.BenchSize;
import io.motdjl.examples.bench.BenchSuite;
import io.motdjl.examples.bench.GenerationBenchmark;
import io.motdjl.examples.bench.MachineLoad;
import io.motdjl.examples.bench.PythonAnchor;
import io.motdjl.examples.bench.Table;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code mot bench}: the performance suite of {@code docs/benchmarks.md}, printed as tables: the
 * float32 GEMM ceiling, mot-djl against eager PyTorch at the anchor's configuration, training-step
 * and prefill throughput of dense and MoT, memory over a long run, a profile of one MoT step,
 * generation (prefill and decode tokens/s) with and without the key/value cache, the optimizer
 * update alone, and the mixture-of-experts feed-forward against the dense one.
 */
final class BenchCommand implements Command {

    private static final String SYNOPSIS =
            "bench [--suite quick|full] [--only PARTS] [--sizes anchor,large,small] [--batch B]"
                    + " [--steps N] [--warmup N] [--rounds R] [--anchor-steps N] [--memory-steps N]"
                    + " [--memory-generations N] [--memory-size anchor|large|small]"
                    + " [--generate-tokens N] [--generate-prompt N] [--generate-batch B]"
                    + " [--generate-rounds R] [--threads T] [--anchor DIR|none] [--python PATH]"
                    + " [--wait-quiet SECONDS] [--devices LIST]";

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String synopsis() {
        return SYNOPSIS;
    }

    @Override
    public String summary() {
        return "time dense vs MoT (training, prefill, memory, profile, generation) and compare with"
                + " eager PyTorch";
    }

    @Override
    public String description() {
        return String.join(
                System.lineSeparator(),
                "Runs the benchmark suite and prints its tables (docs/benchmarks.md explains them).",
                "The quick suite (default) takes a few minutes on two cores; --suite full is what",
                "the docs report (both sizes, 3 PyTorch rounds, 2,000 memory steps, 512 generated",
                "tokens with and without the key/value cache). Take timings on a quiet machine:",
                "every table says how busy other processes were meanwhile.",
                "",
                "  --suite quick|full   preset lengths (default quick)",
                "  --only PARTS         comma-separated: gemm, anchor, train, prefill, memory,",
                "                       generate-memory, profile, generate, optimizer (the AdamW",
                "                       update alone of MoT-2, before and after it was made in",
                "                       place, and DJL's adamUpdate), moe (the mixture-of-experts",
                "                       feed-forward against the dense one at equal active FLOPs,",
                "                       then training steps of dense, moe-4x, mot, mot-moe-text),",
                "                       data-parallel (needs --devices)",
                "  --sizes LIST         comma-separated: anchor (d256, 4 layers, T256, B8), large (d512,",
                "                       8 layers, T512, B8), small (d128, 2 layers, T128, B4);",
                "                       generate and optimizer use their width and depth only",
                "  --batch B            batch size of every size in --sizes",
                "  --steps N            timed steps per model (training; prefill passes)",
                "  --warmup N           untimed steps per model first",
                "  --rounds R           rounds of the PyTorch comparison",
                "  --anchor-steps N     timed steps per model and round of the PyTorch comparison",
                "  --memory-steps N     training steps of the memory run (full suite: 2000)",
                "  --memory-generations N  generate calls (32 + 32 tokens, key/value cache) of the",
                "                       generation memory run (quick suite: 200; full suite: 2000)",
                "  --memory-size SIZE   model of both memory runs: small (default), anchor, large",
                "  --generate-tokens N  tokens generated per prompt, with and without the key/value",
                "                       cache (quick suite: 128; full suite: 512)",
                "  --generate-prompt N  prompt tokens of the generation benchmark (default 64)",
                "  --generate-batch B   prompts decoded together (default 1)",
                "  --generate-rounds R  timed generations per model and cache setting; the median counts",
                "                       (quick suite: 1; full suite: 3)",
                "  --threads T          intra-op threads of mot-djl and PyTorch (default: all cores)",
                "  --anchor DIR|none    the PyTorch anchor folder (default: shared/anchors/pytorch",
                "                       above the working directory, if there)",
                "  --python PATH        interpreter with Debian's python3-torch (default /usr/bin/python3)",
                "  --wait-quiet SECONDS wait up to this long for other processes to go idle first",
                "  --devices LIST       also compare data-parallel training on these devices",
                "                       (e.g. gpu0,gpu1) with the first alone: MoT-2, same global",
                "                       batch; step time, speed-up and the two loss curves' largest",
                "                       difference");
    }

    @Override
    public int run(List<String> args, PrintStream out) throws Exception {
        CommandOptions options =
                CommandOptions.parse(
                        args,
                        Set.of(
                                "suite",
                                "only",
                                "sizes",
                                "batch",
                                "steps",
                                "warmup",
                                "rounds",
                                "anchor-steps",
                                "memory-steps",
                                "memory-generations",
                                "memory-size",
                                "generate-tokens",
                                "generate-prompt",
                                "generate-batch",
                                "generate-rounds",
                                "threads",
                                "anchor",
                                "python",
                                "wait-quiet",
                                "devices"),
                        SYNOPSIS);
        int threads =
                options.optionalInt(
                        "threads", Runtime.getRuntime().availableProcessors(), SYNOPSIS);
        if (threads < 1) {
            throw new UsageException("--threads must be positive (usage: mot " + SYNOPSIS + ")");
        }
        // read by DJL's PyTorch engine when it starts, which it has not yet in this process
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        PythonAnchor anchor = anchor(options);
        String suite = string(options, "suite", "quick");
        BenchSuite.Settings settings =
                switch (suite) {
                    case "quick" -> BenchSuite.Settings.quick(threads, anchor);
                    case "full" -> BenchSuite.Settings.full(threads, anchor);
                    default ->
                            throw new UsageException(
                                    "--suite must be quick or full, got '"
                                            + suite
                                            + "' (usage: mot "
                                            + SYNOPSIS
                                            + ")");
                };
        String only = string(options, "only", null);
        if (only != null) {
            Set<BenchSuite.Part> parts = EnumSet.noneOf(BenchSuite.Part.class);
            for (String p : only.split(",")) {
                try {
                    parts.add(BenchSuite.Part.parse(p));
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage() + " (usage: mot " + SYNOPSIS + ")");
                }
            }
            settings = settings.withParts(parts);
        }
        String sizes = string(options, "sizes", null);
        int batch = options.optionalInt("batch", 0, SYNOPSIS);
        if (sizes != null || batch > 0) {
            List<BenchSize> list = new ArrayList<>();
            for (BenchSize s : sizes == null ? settings.sizes() : parseSizes(sizes)) {
                list.add(batch > 0 ? s.withBatch(batch) : s);
            }
            settings = settings.withSizes(list);
        }
        settings =
                settings.withSteps(
                        positive(options, "steps", settings.steps()),
                        nonNegative(options, "warmup", settings.warmup()));
        settings =
                settings.withAnchorRuns(
                        positive(options, "rounds", settings.anchorRounds()),
                        positive(options, "anchor-steps", settings.anchorSteps()));
        String memorySize = string(options, "memory-size", null);
        settings =
                settings.withMemory(
                        memorySize == null ? settings.memorySize() : oneSize(memorySize),
                        positive(options, "memory-steps", settings.memorySteps()),
                        positive(options, "memory-generations", settings.memoryGenerations()));
        GenerationBenchmark.Settings g = settings.generation();
        int newTokens = positive(options, "generate-tokens", g.newTokens());
        if (newTokens < 2) {
            throw new UsageException(
                    "--generate-tokens must be at least 2 (usage: mot " + SYNOPSIS + ")");
        }
        settings =
                settings.withGeneration(
                        new GenerationBenchmark.Settings(
                                positive(options, "generate-prompt", g.promptTokens()),
                                newTokens,
                                positive(options, "generate-batch", g.batch()),
                                positive(options, "generate-rounds", g.rounds()),
                                Math.min(g.warmupTokens(), newTokens)));
        String devices = string(options, "devices", null);
        if (devices != null) {
            settings = settings.withDevices(TrainCommand.devices(devices));
        } else if (settings.parts().contains(BenchSuite.Part.DATA_PARALLEL)) {
            throw new UsageException(
                    "--only data-parallel needs --devices, e.g. --devices gpu0,gpu1 (usage: mot "
                            + SYNOPSIS
                            + ")");
        }
        int wait = options.optionalInt("wait-quiet", 0, SYNOPSIS);
        if (wait > 0) {
            double foreign = MachineLoad.waitForQuiet(0.1, wait);
            out.println(Table.fmt("other processes use %.2f cores at the start", foreign));
        }
        BenchSuite.run(settings, out);
        return ExitStatus.OK;
    }

    private static PythonAnchor anchor(CommandOptions options) {
        String dir = string(options, "anchor", null);
        String python = string(options, "python", "/usr/bin/python3");
        if ("none".equals(dir)) {
            return null;
        }
        Path folder = dir == null ? PythonAnchor.locate(Paths.get("")) : Paths.get(dir);
        if (folder == null) {
            return null;
        }
        PythonAnchor anchor = new PythonAnchor(python, folder);
        if (!anchor.available()) {
            throw new BadInputException("no bench.py in the PyTorch anchor folder " + folder);
        }
        return anchor;
    }

    /** A string option (CommandOptions hands values out as paths; the text is unchanged). */
    private static String string(CommandOptions options, String name, String fallback) {
        Path value = options.optionalPath(name);
        return value == null ? fallback : value.toString();
    }

    private static List<BenchSize> parseSizes(String list) {
        List<BenchSize> sizes = new ArrayList<>();
        for (String s : list.split(",")) {
            sizes.add(
                    switch (s.trim().toLowerCase(Locale.ROOT)) {
                        case "anchor" -> BenchSize.ANCHOR;
                        case "large" -> BenchSize.LARGE;
                        case "small" -> BenchSize.SMALL;
                        default ->
                                throw new UsageException(
                                        "unknown size '"
                                                + s
                                                + "' (anchor, large, small; usage: mot "
                                                + SYNOPSIS
                                                + ")");
                    });
        }
        return sizes;
    }

    private static BenchSize oneSize(String name) {
        List<BenchSize> sizes = parseSizes(name);
        if (sizes.size() != 1) {
            throw new UsageException(
                    "--memory-size takes one size, got '"
                            + name
                            + "' (usage: mot "
                            + SYNOPSIS
                            + ")");
        }
        return sizes.get(0);
    }

    private static int positive(CommandOptions options, String name, int fallback) {
        int v = options.optionalInt(name, fallback, SYNOPSIS);
        if (v < 1) {
            throw new UsageException(
                    "--" + name + " must be positive (usage: mot " + SYNOPSIS + ")");
        }
        return v;
    }

    private static int nonNegative(CommandOptions options, String name, int fallback) {
        int v = options.optionalInt(name, fallback, SYNOPSIS);
        if (v < 0) {
            throw new UsageException("--" + name + " must be >= 0 (usage: mot " + SYNOPSIS + ")");
        }
        return v;
    }
}
