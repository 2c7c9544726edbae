package io.motdjl.examples.bench;

import ai.djl.Device;
import ai.djl.translate.TranslateException;

import io.motdjl.train.RunOptions;
import io.motdjl.train.TrainingRun;
import io.motdjl.train.TrainingSettings;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * Memory over a long training run: resident memory (RSS) and the count of live NDArrays ({@link
 * TrainingRun#liveArrayCount()}: the model's manager, gradients, trainer, data iteration and the
 * optimizer state) sampled every {@code every} steps of a MoT with two modalities. Flat means no
 * leak; the table gives the first sample, the peak and the last, and (see {@link MemoryTrace}) the
 * samples after warm-up, in the middle and at the end with the drift of resident memory after the
 * warm-up.
 */
public final class MemoryBenchmark {

    private MemoryBenchmark() {}

    /**
     * Runs the benchmark and prints its table.
     *
     * @param size model size and batch
     * @param steps training steps
     * @param every sampling interval in steps
     * @param out where the table goes
     * @return the table
     * @throws IOException if the run fails
     * @throws TranslateException if a batch cannot be made
     */
    public static Table run(BenchSize size, int steps, int every, PrintStream out)
            throws IOException, TranslateException {
        return run(size, steps, every, defaultWarmup(steps), out);
    }

    /**
     * Runs the benchmark and prints its table.
     *
     * @param size model size and batch
     * @param steps training steps
     * @param every sampling interval in steps
     * @param warmup steps before the sample that drift is measured from
     * @param out where the table goes
     * @return the table
     * @throws IOException if the run fails
     * @throws TranslateException if a batch cannot be made
     */
    public static Table run(BenchSize size, int steps, int every, int warmup, PrintStream out)
            throws IOException, TranslateException {
        ModalityLayout layout = ModalityLayout.TWO_MODALITIES;
        TrainingSettings settings =
                TrainingSettings.builder()
                        .seed(1)
                        .batchSize(size.batch())
                        .totalSteps(steps)
                        .warmupSteps(Math.min(10, steps))
                        .peakLearningRate(1e-4)
                        .build();
        // more sequences than one batch, so epochs (and their managers) turn over too
        SyntheticBatches data =
                SyntheticBatches.create(8 * size.batch(), size.length(), size.vocab(), layout, 11);
        Table table =
                new Table(
                        "Memory over "
                                + steps
                                + " training steps of "
                                + layout.label()
                                + " at "
                                + size.label(),
                        "step",
                        "RSS (MiB)",
                        "JVM heap committed (MiB)",
                        "live NDArrays",
                        "s/step (last interval)");
        MemoryTrace trace = new MemoryTrace("step", warmup);
        try (TrainingRun run =
                TrainingRun.start(
                        size.config(layout.modalities()),
                        settings,
                        data,
                        RunOptions.builder()
                                .device(Device.cpu())
                                .progressBar(false)
                                .logEvery(0)
                                .build())) {
            int done = 0;
            while (done < steps) {
                int chunk = Math.min(every, steps - done);
                long start = System.nanoTime();
                run.train(chunk);
                double perStep = (System.nanoTime() - start) / 1e9 / chunk;
                done += chunk;
                long rss = ProcessStats.now().residentBytes();
                int arrays = run.liveArrayCount();
                trace.add(done, rss, arrays);
                // RSS minus the committed heap is (roughly) what native code holds
                double heap = Runtime.getRuntime().totalMemory() / 1048576.0;
                table.row(
                        Integer.toString(done),
                        Table.fmt("%.0f", rss / 1048576.0),
                        Table.fmt("%.0f", heap),
                        Integer.toString(arrays),
                        Table.fmt("%.3f", perStep));
                // a long soak shows where it is, and leaves figures even if it is stopped
                out.println(
                        Table.fmt(
                                "  step %d of %d: RSS %.0f MiB, JVM heap committed %.0f MiB, %d live"
                                        + " arrays, %.3f s/step",
                                done, steps, rss / 1048576.0, heap, arrays, perStep));
                out.flush();
            }
        }
        // first, peak and last from the trace's samples
        List<MemoryTrace.Sample> samples = trace.samples();
        MemoryTrace.Sample first = samples.get(0);
        MemoryTrace.Sample last = trace.last();
        long peakRss =
                samples.stream().mapToLong(MemoryTrace.Sample::residentBytes).max().orElseThrow();
        int peakArrays =
                samples.stream().mapToInt(MemoryTrace.Sample::liveArrays).max().orElseThrow();
        table.note(
                Table.fmt(
                        "first sample (step %d): RSS %.0f MiB, %d arrays; peak: RSS %.0f MiB (process"
                                + " high-water mark %.0f MiB), %d arrays; last: RSS %.0f MiB, %d arrays",
                        first.done(),
                        first.residentBytes() / 1048576.0,
                        first.liveArrays(),
                        peakRss / 1048576.0,
                        ProcessStats.now().peakResidentBytes() / 1048576.0,
                        peakArrays,
                        last.residentBytes() / 1048576.0,
                        last.liveArrays()));
        trace.notes().forEach(table::note);
        table.print(out);
        return table;
    }

    /**
     * The warm-up of a run of {@code steps}: its first 30 %, where resident memory still grows
     * while the JVM's heap and malloc's arenas settle.
     */
    public static int defaultWarmup(int steps) {
        return (int) Math.round(0.3 * steps);
    }
}
