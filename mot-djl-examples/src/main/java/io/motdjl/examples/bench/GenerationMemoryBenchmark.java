package io.motdjl.examples.bench;

import io.motdjl.config.MoTConfig;
import io.motdjl.generate.DecodingRule;
import io.motdjl.generate.Generation;
import io.motdjl.generate.GenerationSettings;
import io.motdjl.generate.Generator;
import io.motdjl.generate.SamplingSettings;

import java.io.PrintStream;
import java.util.List;
import java.util.Random;

/**
 * Memory over many generate calls on one model: a MoT with two modalities at a benchmark size's
 * width and depth, one {@link Generator} over it, and {@code calls} generations with the key/value
 * cache, each from its own seeded prompt and with its own sampling seed (so every call takes other
 * tokens through the modalities). Every {@code every} calls it samples resident memory and the
 * NDArrays alive under the model's manager (the parameters, plus whatever a generation left
 * behind). Flat means that a generation frees all it makes: its passes, its cache and its sampling.
 */
public final class GenerationMemoryBenchmark {

    /**
     * What to run.
     *
     * @param calls generate calls
     * @param every sampling interval in calls
     * @param warmup calls before the sample that drift is measured from
     * @param promptTokens tokens per prompt
     * @param newTokens tokens generated per call (always all of them: no stop token)
     */
    public record Settings(int calls, int every, int warmup, int promptTokens, int newTokens) {

        /** Validates the settings. */
        public Settings {
            if (calls < 1 || every < 1 || warmup < 0 || promptTokens < 1 || newTokens < 1) {
                throw new IllegalArgumentException(
                        "the generation memory run needs calls, a sampling interval, a prompt and"
                                + " new tokens (all positive) and a warm-up >= 0; got calls "
                                + calls
                                + ", every "
                                + every
                                + ", warm-up "
                                + warmup
                                + ", prompt "
                                + promptTokens
                                + ", new "
                                + newTokens);
            }
        }

        /**
         * {@code calls} calls of {@code newTokens} after {@code promptTokens}, sampled ten times,
         * the first 30 % as warm-up.
         */
        public static Settings of(int calls, int promptTokens, int newTokens) {
            return new Settings(
                    calls,
                    Math.max(1, calls / 10),
                    (int) Math.round(0.3 * calls),
                    promptTokens,
                    newTokens);
        }
    }

    private GenerationMemoryBenchmark() {}

    /**
     * Runs the benchmark and prints its table.
     *
     * @param size model width and depth (its sequence length and batch are not used)
     * @param s what to run
     * @param out where the table goes
     * @return the table
     */
    public static Table run(BenchSize size, Settings s, PrintStream out) {
        ModalityLayout layout = ModalityLayout.TWO_MODALITIES;
        MoTConfig config = size.config(layout.modalities(), s.promptTokens() + s.newTokens());
        Table table =
                new Table(
                        Table.fmt(
                                "Memory over %d generate calls of %s at %s: prompt %d + %d new"
                                        + " tokens, key/value cache, sampled (temperature 1, a"
                                        + " seed per call)",
                                s.calls(),
                                layout.label(),
                                size.modelLabel(),
                                s.promptTokens(),
                                s.newTokens()),
                        "call",
                        "RSS (MiB)",
                        "live NDArrays",
                        "ms/call (last interval)");
        MemoryTrace trace = new MemoryTrace("call", s.warmup());
        long tokens = 0;
        try (BenchModel model = new BenchModel(config, layout, 1, 1, 3)) {
            Generator generator =
                    new Generator(
                            model.model(),
                            model.manager(),
                            GenerationBenchmark.modalityMap(config));
            GenerationSettings settings =
                    new GenerationSettings(
                            s.newTokens(), null, SamplingSettings.sample(1.0, 0), true);
            int done = 0;
            while (done < s.calls()) {
                int chunk = Math.min(s.every(), s.calls() - done);
                long start = System.nanoTime();
                for (int c = done; c < done + chunk; c++) {
                    tokens += generateOnce(generator, config, s, settings, c);
                }
                double perCall = (System.nanoTime() - start) / 1e6 / chunk;
                done += chunk;
                long rss = ProcessStats.now().residentBytes();
                int arrays = model.manager().getManagedArrays().size();
                trace.add(done, rss, arrays);
                table.row(
                        Integer.toString(done),
                        Table.fmt("%.0f", rss / 1048576.0),
                        Integer.toString(arrays),
                        Table.fmt("%.1f", perCall));
            }
        }
        table.note(
                Table.fmt(
                        "%d tokens generated in all; process high-water mark %.0f MiB",
                        tokens, ProcessStats.now().peakResidentBytes() / 1048576.0));
        trace.notes().forEach(table::note);
        table.print(out);
        return table;
    }

    /** Call {@code c}: its own prompt and seed; returns the tokens generated. */
    private static int generateOnce(
            Generator generator, MoTConfig config, Settings s, GenerationSettings settings, int c) {
        int[] prompt = prompt(config, s.promptTokens(), c);
        List<Generation> out =
                generator.generate(
                        List.of(prompt),
                        settings.withSampling(SamplingSettings.sample(1.0, c)),
                        DecodingRule.unconstrained());
        int generated = out.get(0).tokens().length;
        if (generated != s.newTokens()) {
            throw new IllegalStateException(
                    "call " + c + " generated " + generated + " tokens, expected " + s.newTokens());
        }
        return generated;
    }

    /** The prompt of call {@code c}: seeded tokens of the whole vocabulary. */
    static int[] prompt(MoTConfig config, int length, int c) {
        Random random = new Random(1000L + c);
        int[] prompt = new int[length];
        for (int t = 0; t < length; t++) {
            prompt[t] = random.nextInt(config.vocabSize());
        }
        return prompt;
    }
}
