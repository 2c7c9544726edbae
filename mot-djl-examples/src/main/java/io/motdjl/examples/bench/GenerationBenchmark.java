package io.motdjl.examples.bench;

import io.motdjl.config.MoTConfig;
import io.motdjl.generate.DecodingRule;
import io.motdjl.generate.Generation;
import io.motdjl.generate.GenerationSettings;
import io.motdjl.generate.Generator;
import io.motdjl.generate.SamplingSettings;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntUnaryOperator;

/**
 * Autoregressive generation through the library's {@link Generator}, with the key/value cache and
 * without it (every new token re-runs the whole prefix): prefill and decode tokens per second,
 * per-token latency and the cache's speedup, dense against MoT.
 *
 * <p>The models are random, so the generated tokens are steered by a {@link DecodingRule} that
 * makes the modalities alternate: the vocabulary is split into equal ranges, one per modality (text
 * ids first, image codes after them), a prompt is laid out text / image / text like the anchor's
 * rows ({@link ModalityLayout#TWO_MODALITIES}), and the generated tokens come in blocks of {@link
 * #BLOCK} from one range at a time, image first. A MoT routes each token by its range; the dense
 * model gets the same token ids with modality 0 everywhere. Decoding is greedy.
 *
 * <p>Timing: the rule is also the stopwatch. The generator asks row 0's rule state for the allowed
 * tokens right after each forward pass has returned its logits to the host, so the time from {@code
 * generate}'s start to the first ask is the prefill (inputs, the pass over the prompt, the copy of
 * the logits) and the time between two asks is one decode step (sampling, the one-token pass — or
 * the whole-prefix pass without the cache — and the copy). {@code N} new tokens take {@code N-1}
 * decode passes; decode tokens/s is {@code B·(N-1)} over their time.
 */
public final class GenerationBenchmark {

    /** Generated tokens per modality block. */
    public static final int BLOCK = 32;

    /**
     * What to generate.
     *
     * @param promptTokens tokens per prompt
     * @param newTokens tokens generated per prompt (at least 2: one decode pass)
     * @param batch prompts decoded together
     * @param rounds timed generations per model and cache setting
     * @param warmupTokens tokens of the untimed generation without the cache that each model runs
     *     first, after an untimed cached generation of {@code newTokens} (0: no warm-up)
     */
    public record Settings(
            int promptTokens, int newTokens, int batch, int rounds, int warmupTokens) {

        /** Validates the settings. */
        public Settings {
            if (promptTokens < 1 || newTokens < 2 || batch < 1 || rounds < 1 || warmupTokens < 0) {
                throw new IllegalArgumentException(
                        "generation benchmark needs a prompt, at least 2 new tokens, a batch and a"
                                + " round; got "
                                + promptTokens
                                + ", "
                                + newTokens
                                + ", "
                                + batch
                                + ", "
                                + rounds);
            }
        }
    }

    /**
     * One timed generation.
     *
     * @param prefillSeconds from the call to the first logits on the host
     * @param intervals seconds of each decode step, in order
     * @param tokens the generated tokens per row
     */
    record Run(double prefillSeconds, double[] intervals, int[][] tokens) {

        double decodeSeconds() {
            return Arrays.stream(intervals).sum();
        }
    }

    private GenerationBenchmark() {}

    /**
     * Runs the benchmark and prints its table: per model a row with the cache and a row without,
     * the models and settings alternating.
     *
     * @param size model width and depth (its sequence length and batch are not used)
     * @param layouts the models
     * @param s what to generate
     * @param out where the table goes
     * @return the table; column 8 says whether the cached and uncached generations drew the same
     *     tokens
     */
    public static Table run(
            BenchSize size, List<ModalityLayout> layouts, Settings s, PrintStream out) {
        int capacity = s.promptTokens() + s.newTokens();
        List<BenchModel> models = new ArrayList<>();
        List<List<Run>> cached = new ArrayList<>();
        List<List<Run>> uncached = new ArrayList<>();
        List<String> same = new ArrayList<>();
        MachineLoad load;
        try {
            List<Generator> generators = new ArrayList<>();
            for (ModalityLayout layout : layouts) {
                MoTConfig config = size.config(layout.modalities(), capacity);
                BenchModel model = new BenchModel(config, layout, 1, 1, 3);
                models.add(model);
                generators.add(new Generator(model.model(), model.manager(), modalityMap(config)));
                cached.add(new ArrayList<>());
                uncached.add(new ArrayList<>());
                same.add("yes");
            }
            GenerationSettings greedy =
                    new GenerationSettings(s.newTokens(), null, SamplingSettings.greedy(), true);
            if (s.warmupTokens() >= 2) {
                // the cached steps are hundreds of small JNI calls each: warm them up over the
                // whole
                // length, so that the JIT compiler (which competes for the same two cores) is done
                for (int m = 0; m < layouts.size(); m++) {
                    List<int[]> warm = prompts(models.get(m).config(), s.promptTokens(), s.batch());
                    timed(generators.get(m), warm, greedy);
                    timed(
                            generators.get(m),
                            warm,
                            greedy.withMaxNewTokens(s.warmupTokens()).withCache(false));
                }
            }
            load = MachineLoad.start();
            for (int r = 0; r < s.rounds(); r++) {
                for (int m = 0; m < layouts.size(); m++) {
                    List<int[]> prompts =
                            prompts(models.get(m).config(), s.promptTokens(), s.batch());
                    Run with = timed(generators.get(m), prompts, greedy);
                    Run without = timed(generators.get(m), prompts, greedy.withCache(false));
                    cached.get(m).add(with);
                    uncached.get(m).add(without);
                    String difference = firstDifference(with.tokens(), without.tokens());
                    if (difference != null && same.get(m).equals("yes")) {
                        same.set(m, "no (" + difference + ")");
                    }
                }
            }
        } finally {
            models.forEach(BenchModel::close);
        }
        double foreign = load.foreignCores();
        Table table =
                new Table(
                        Table.fmt(
                                "Generation at %s: prompt %d + %d new tokens, batch %d, greedy,"
                                        + " with and without the key/value cache",
                                size.modelLabel(), s.promptTokens(), s.newTokens(), s.batch()),
                        "model",
                        "cache",
                        "prefill tok/s",
                        "decode tok/s",
                        "ms/step (median)",
                        "ms/step first/last 10%",
                        "ms/step p99 / max",
                        "decode s",
                        "cache speedup",
                        "same tokens");
        for (int m = 0; m < layouts.size(); m++) {
            double withSeconds = medianDecodeSeconds(cached.get(m));
            double withoutSeconds = medianDecodeSeconds(uncached.get(m));
            row(
                    table,
                    layouts.get(m).label(),
                    "on",
                    cached.get(m),
                    s,
                    withoutSeconds / withSeconds,
                    same.get(m));
            row(table, layouts.get(m).label(), "off", uncached.get(m), s, 1.0, same.get(m));
        }
        table.note(
                "a step adds one token to every row: its time is each row's per-token latency;"
                        + " speedup = median decode time without the cache / with it; decode s and"
                        + " tok/s are medians over the timed generations, step figures pool them");
        table.note(
                Table.fmt(
                        "%d timed generation(s) per model and setting, alternating, after warm-up"
                                + " generations (%d tokens cached, %d uncached); new tokens in blocks of %d"
                                + " alternating image/text ranges",
                        s.rounds(), s.newTokens(), s.warmupTokens(), BLOCK));
        table.note(
                Table.fmt(
                        "other processes used %.2f cores meanwhile%s",
                        foreign,
                        foreign > 0.1 ? " -- NOT A QUIET MACHINE, timings unreliable" : ""));
        table.print(out);
        return table;
    }

    private static void row(
            Table table,
            String model,
            String cache,
            List<Run> runs,
            Settings s,
            double speedup,
            String same) {
        List<Double> prefill = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        List<Double> first = new ArrayList<>();
        List<Double> last = new ArrayList<>();
        for (Run run : runs) {
            prefill.add(run.prefillSeconds());
            int n = run.intervals().length;
            int tenth = Math.max(1, n / 10);
            for (int i = 0; i < n; i++) {
                all.add(run.intervals()[i]);
                if (i < tenth) {
                    first.add(run.intervals()[i]);
                }
                if (i >= n - tenth) {
                    last.add(run.intervals()[i]);
                }
            }
        }
        double decodeSeconds = medianDecodeSeconds(runs);
        table.row(
                model,
                cache,
                Table.fmt("%.0f", (double) s.batch() * s.promptTokens() / Stats.median(prefill)),
                Table.fmt("%.1f", (double) s.batch() * (s.newTokens() - 1) / decodeSeconds),
                Table.fmt("%.2f", 1e3 * Stats.median(all)),
                Table.fmt("%.2f / %.2f", 1e3 * Stats.median(first), 1e3 * Stats.median(last)),
                // slow outliers: a sum of step times (the speedup) feels them, a median does not
                Table.fmt("%.1f / %.1f", 1e3 * Stats.quantile(all, 0.99), 1e3 * Stats.max(all)),
                Table.fmt("%.2f", decodeSeconds),
                Table.fmt("%.1fx", speedup),
                same);
    }

    private static double medianDecodeSeconds(List<Run> runs) {
        return Stats.median(runs.stream().map(Run::decodeSeconds).toList());
    }

    /** One generation, timed through the rule. */
    static Run timed(Generator generator, List<int[]> prompts, GenerationSettings settings) {
        MoTConfig config = generator.model().config();
        StopwatchRule rule =
                new StopwatchRule(config.vocabSize(), ranges(config), settings.maxNewTokens());
        long start = System.nanoTime();
        List<Generation> out = generator.generate(prompts, settings, rule);
        if (rule.marked != settings.maxNewTokens()) {
            throw new IllegalStateException(
                    "expected " + settings.maxNewTokens() + " draws, saw " + rule.marked);
        }
        double[] intervals = new double[rule.marked - 1];
        for (int k = 1; k < rule.marked; k++) {
            intervals[k - 1] = (rule.marks[k] - rule.marks[k - 1]) / 1e9;
        }
        int[][] tokens = out.stream().map(Generation::tokens).toArray(int[][]::new);
        return new Run((rule.marks[0] - start) / 1e9, intervals, tokens);
    }

    /** Where the first difference is ("row b, token k"), or null when none. */
    static String firstDifference(int[][] a, int[][] b) {
        for (int r = 0; r < Math.max(a.length, b.length); r++) {
            if (r >= a.length || r >= b.length) {
                return "row " + r;
            }
            int n = Math.max(a[r].length, b[r].length);
            for (int k = 0; k < n; k++) {
                if (k >= a[r].length || k >= b[r].length || a[r][k] != b[r][k]) {
                    return "row " + r + ", token " + k;
                }
            }
        }
        return null;
    }

    /** Token ranges of the vocabulary: one per modality, at least two (text, image). */
    static int ranges(MoTConfig config) {
        return Math.max(2, config.nModalities());
    }

    /** First token id of range {@code r}. */
    static int rangeStart(int vocab, int ranges, int r) {
        return (int) ((long) r * vocab / ranges);
    }

    /** Modality of a token: its range for a MoT, 0 for the dense model. */
    static IntUnaryOperator modalityMap(MoTConfig config) {
        int vocab = config.vocabSize();
        int ranges = ranges(config);
        int modalities = config.nModalities();
        return token -> {
            if (modalities == 1) {
                return 0;
            }
            int r = ranges - 1;
            while (token < rangeStart(vocab, ranges, r)) {
                r--;
            }
            return r;
        };
    }

    /**
     * Seeded prompts: each position's token comes from the range of its modality in the anchor's
     * layout (text, image, text; thirds for three modalities).
     */
    static List<int[]> prompts(MoTConfig config, int length, int batch) {
        int vocab = config.vocabSize();
        int ranges = ranges(config);
        ModalityLayout layout =
                ranges == 2 ? ModalityLayout.TWO_MODALITIES : ModalityLayout.THREE_MODALITIES;
        long[] rangeOf = layout.row(length);
        List<int[]> prompts = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            Random random = new Random(11 + b);
            int[] prompt = new int[length];
            for (int t = 0; t < length; t++) {
                int r = (int) rangeOf[t];
                int from = rangeStart(vocab, ranges, r);
                int to = rangeStart(vocab, ranges, r + 1);
                prompt[t] = from + random.nextInt(to - from);
            }
            prompts.add(prompt);
        }
        return prompts;
    }

    /** Range of the {@code i}-th generated token: blocks of {@link #BLOCK}, image first. */
    static int blockRange(int i, int ranges) {
        return (1 + i / BLOCK) % ranges;
    }

    /**
     * Allows the tokens of the current block's range, and records when row 0 is asked: right after
     * each pass's logits reached the host.
     */
    private static final class StopwatchRule implements DecodingRule {

        private final int vocab;
        private final int ranges;
        private final long[] marks;
        private int marked;
        private int rows;

        StopwatchRule(int vocab, int ranges, int draws) {
            this.vocab = vocab;
            this.ranges = ranges;
            this.marks = new long[draws];
        }

        @Override
        public RowState start(int[] prompt) {
            boolean timed = rows++ == 0;
            return new RowState() {
                private int generated;

                @Override
                public void allowed(boolean[] allowed) {
                    if (timed && marked < marks.length) {
                        marks[marked++] = System.nanoTime();
                    }
                    int r = blockRange(generated, ranges);
                    Arrays.fill(allowed, false);
                    Arrays.fill(
                            allowed,
                            rangeStart(vocab, ranges, r),
                            rangeStart(vocab, ranges, r + 1),
                            true);
                }

                @Override
                public void accept(int token) {
                    generated++;
                }
            };
        }
    }
}
