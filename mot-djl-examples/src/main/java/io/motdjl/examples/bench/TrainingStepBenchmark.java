package io.motdjl.examples.bench;

import ai.djl.Device;
import ai.djl.translate.TranslateException;

import io.motdjl.config.MoTConfig;
import io.motdjl.train.FlopsAccounting;
import io.motdjl.train.RunOptions;
import io.motdjl.train.StepReport;
import io.motdjl.train.TrainingRun;
import io.motdjl.train.TrainingSettings;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Training-step throughput through the real driver ({@link TrainingRun}: forward, next-token loss,
 * backward, global-norm clipping, AdamW): dense, MoT with two modalities of equal share and MoT
 * with three, all of one size, alive together and stepped in turn (dense, MoT-2, MoT-3, dense, ...)
 * so that a change of machine load hits them alike. Step times are the driver's own ({@link
 * StepReport#nanos()}); medians.
 */
public final class TrainingStepBenchmark {

    private TrainingStepBenchmark() {}

    /**
     * One model of the comparison.
     *
     * @param label its name in the table
     * @param config the model
     * @param layout where the modalities sit in the synthetic batches (its modality count must be
     *     the config's)
     */
    public record Contender(String label, MoTConfig config, ModalityLayout layout) {

        /** The size's model for a layout: dense for one modality, else a MoT. */
        public static Contender of(BenchSize size, ModalityLayout layout) {
            return new Contender(layout.label(), size.config(layout.modalities()), layout);
        }
    }

    /** The timed runs' settings: seed 1, the size's batch, no end in sight, a gentle rate. */
    static TrainingSettings settings(BenchSize size) {
        return TrainingSettings.builder()
                .seed(1)
                .batchSize(size.batch())
                .totalSteps(1_000_000)
                .warmupSteps(10)
                .peakLearningRate(1e-4)
                .build();
    }

    /** Four batches of synthetic sequences of the size, modalities laid out as {@code layout}. */
    static SyntheticBatches data(BenchSize size, ModalityLayout layout) {
        return SyntheticBatches.create(4 * size.batch(), size.length(), size.vocab(), layout, 7);
    }

    /**
     * Runs the benchmark and prints its table.
     *
     * @param size model size and batch
     * @param layouts the models to compare; the first is the reference of the ratio column
     * @param steps timed steps per model
     * @param warmup untimed steps per model first
     * @param ceiling GEMM ceiling in FLOP/s, for MFU
     * @param out where the table goes
     * @return the table
     * @throws IOException if a run fails
     * @throws TranslateException if a batch cannot be made
     */
    public static Table run(
            BenchSize size,
            List<ModalityLayout> layouts,
            int steps,
            int warmup,
            double ceiling,
            PrintStream out)
            throws IOException, TranslateException {
        return runContenders(
                size,
                layouts.stream().map(l -> Contender.of(size, l)).toList(),
                steps,
                warmup,
                ceiling,
                out);
    }

    /**
     * Runs the benchmark over any models of one size (the batch and sequence length of {@code
     * size}) and prints its table.
     *
     * @param contenders the models; the first is the reference of the ratio column
     * @return the table
     * @throws IOException if a run fails
     * @throws TranslateException if a batch cannot be made
     */
    public static Table runContenders(
            BenchSize size,
            List<Contender> contenders,
            int steps,
            int warmup,
            double ceiling,
            PrintStream out)
            throws IOException, TranslateException {
        List<TrainingRun> runs = new ArrayList<>();
        List<List<Double>> times = new ArrayList<>();
        MachineLoad load = null;
        try {
            for (Contender contender : contenders) {
                runs.add(
                        TrainingRun.start(
                                contender.config(),
                                settings(size),
                                data(size, contender.layout()),
                                RunOptions.builder()
                                        .device(Device.cpu())
                                        .progressBar(false)
                                        .logEvery(0)
                                        .build()));
                times.add(new ArrayList<>());
            }
            for (int i = 0; i < warmup; i++) {
                for (TrainingRun run : runs) {
                    run.train(1);
                }
            }
            load = MachineLoad.start();
            for (int i = 0; i < steps; i++) {
                for (int r = 0; r < runs.size(); r++) {
                    StepReport report = runs.get(r).train(1).get(0);
                    times.get(r).add(report.nanos() / 1e9);
                }
            }
        } finally {
            for (TrainingRun run : runs) {
                run.close();
            }
        }
        double foreign = load == null ? Double.NaN : load.foreignCores();
        long tokens = size.tokensPerBatch();
        Table table =
                new Table(
                        "Training step (forward, loss, backward, clipping, AdamW) at "
                                + size.label(),
                        "model",
                        "parameters",
                        "s/step (median)",
                        "min",
                        "max",
                        "tokens/s",
                        "MFU",
                        "time vs " + contenders.get(0).label());
        double reference = Stats.median(times.get(0));
        for (int r = 0; r < contenders.size(); r++) {
            Contender contender = contenders.get(r);
            FlopsAccounting flops = FlopsAccounting.of(contender.config());
            double median = Stats.median(times.get(r));
            double stepFlops =
                    flops.trainingFlops(
                            contender.layout().tokensPerModality(size.batch(), size.length()),
                            size.length());
            table.row(
                    contender.label(),
                    Table.fmt("%.1fM", flops.totalParameters() / 1e6),
                    Table.fmt("%.3f", median),
                    Table.fmt("%.3f", Stats.min(times.get(r))),
                    Table.fmt("%.3f", Stats.max(times.get(r))),
                    Table.fmt("%.0f", tokens / median),
                    Table.fmt("%.1f%%", 100 * stepFlops / median / ceiling),
                    Table.fmt("%.3f", median / reference));
        }
        table.note(
                Table.fmt(
                        "%d timed steps per model after %d warm-up steps, models stepped in turn;"
                                + " other processes used %.2f cores meanwhile%s",
                        steps,
                        warmup,
                        foreign,
                        foreign > 0.1 ? " -- NOT A QUIET MACHINE, timings unreliable" : ""));
        table.print(out);
        return table;
    }
}
