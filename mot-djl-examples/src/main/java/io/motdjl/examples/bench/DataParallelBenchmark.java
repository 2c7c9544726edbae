package io.motdjl.examples.bench;

import ai.djl.Device;
import ai.djl.translate.TranslateException;

import io.motdjl.config.MoTConfig;
import io.motdjl.train.RunOptions;
import io.motdjl.train.StepReport;
import io.motdjl.train.TrainingRun;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Data-parallel training against one device: the same MoT-2, seed, data and global batch trained on
 * the first of the devices alone and on all of them, both runs alive and stepped in turn. It
 * reports the step time of each (the driver's own, {@link StepReport#nanos()}; medians), the
 * speed-up, and how far the multi-device run's losses and gradient norms stray from the one-device
 * run's at the same step: data parallelism must give the same curve up to float rounding.
 */
public final class DataParallelBenchmark {

    private DataParallelBenchmark() {}

    /**
     * Runs the comparison and prints its table.
     *
     * @param size model size and global batch
     * @param devices the devices of the data-parallel run; the one-device run uses the first
     * @param steps timed steps per run
     * @param warmup untimed steps per run first (their losses are compared too)
     * @param out where the table goes
     * @return the table
     * @throws IOException if a run fails
     * @throws TranslateException if a batch cannot be made
     */
    public static Table run(
            BenchSize size, List<Device> devices, int steps, int warmup, PrintStream out)
            throws IOException, TranslateException {
        ModalityLayout layout = ModalityLayout.TWO_MODALITIES;
        MoTConfig config = size.config(layout.modalities());
        List<List<Device>> placements = List.of(List.of(devices.get(0)), List.copyOf(devices));
        List<TrainingRun> runs = new ArrayList<>();
        List<List<Double>> times = new ArrayList<>();
        List<List<StepReport>> reports = new ArrayList<>();
        MachineLoad load = null;
        try {
            for (List<Device> placement : placements) {
                runs.add(
                        TrainingRun.start(
                                config,
                                TrainingStepBenchmark.settings(size),
                                TrainingStepBenchmark.data(size, layout),
                                RunOptions.builder()
                                        .devices(placement.toArray(new Device[0]))
                                        .progressBar(false)
                                        .logEvery(0)
                                        .build()));
                times.add(new ArrayList<>());
                reports.add(new ArrayList<>());
            }
            for (int i = 0; i < warmup; i++) {
                for (int r = 0; r < runs.size(); r++) {
                    reports.get(r).add(runs.get(r).train(1).get(0));
                }
            }
            load = MachineLoad.start();
            for (int i = 0; i < steps; i++) {
                // alternate which run goes first, so neither always follows the other's step
                for (int k = 0; k < runs.size(); k++) {
                    int r = (i % 2 == 0) ? k : runs.size() - 1 - k;
                    StepReport report = runs.get(r).train(1).get(0);
                    reports.get(r).add(report);
                    times.get(r).add(report.nanos() / 1e9);
                }
            }
        } finally {
            for (TrainingRun run : runs) {
                run.close();
            }
        }
        double foreign = load == null ? Double.NaN : load.foreignCores();
        Table table =
                new Table(
                        "Data-parallel training step (MoT-2, same global batch) at " + size.label(),
                        "devices",
                        "s/step (median)",
                        "min",
                        "max",
                        "tokens/s",
                        "speed-up",
                        "max |loss diff| / loss",
                        "max |grad-norm diff| / norm");
        double reference = Stats.median(times.get(0));
        for (int r = 0; r < runs.size(); r++) {
            double median = Stats.median(times.get(r));
            table.row(
                    placements.get(r).toString(),
                    Table.fmt("%.4f", median),
                    Table.fmt("%.4f", Stats.min(times.get(r))),
                    Table.fmt("%.4f", Stats.max(times.get(r))),
                    Table.fmt("%.0f", size.tokensPerBatch() / median),
                    Table.fmt("%.2f", reference / median),
                    Table.fmt("%.2e", maxRelativeDifference(reports.get(0), reports.get(r), true)),
                    Table.fmt(
                            "%.2e", maxRelativeDifference(reports.get(0), reports.get(r), false)));
        }
        table.note(
                Table.fmt(
                        "%d timed steps per run after %d warm-up steps, runs stepped in turn;"
                                + " differences over all %d steps; other processes used %.2f"
                                + " cores meanwhile",
                        steps, warmup, steps + warmup, foreign));
        table.print(out);
        return table;
    }

    /** The largest difference of loss (or gradient norm) at the same step, relative. */
    static double maxRelativeDifference(
            List<StepReport> reference, List<StepReport> other, boolean loss) {
        double worst = 0;
        for (int i = 0; i < reference.size(); i++) {
            double a = loss ? reference.get(i).loss() : reference.get(i).gradNorm();
            double b = loss ? other.get(i).loss() : other.get(i).gradNorm();
            worst = Math.max(worst, Math.abs(a - b) / Math.abs(a));
        }
        return worst;
    }
}
