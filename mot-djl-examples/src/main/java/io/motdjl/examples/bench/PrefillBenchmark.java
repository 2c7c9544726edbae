package io.motdjl.examples.bench;

import io.motdjl.train.FlopsAccounting;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Inference prefill: one forward pass without gradients over whole sequences, dense against MoT,
 * the models stepped in turn; tokens per second from the median pass.
 */
public final class PrefillBenchmark {

    private PrefillBenchmark() {}

    /**
     * Runs the benchmark and prints its table.
     *
     * @param size model size and batch
     * @param layouts the models; the first is the reference of the ratio column
     * @param passes timed passes per model
     * @param warmup untimed passes per model
     * @param ceiling GEMM ceiling in FLOP/s, for MFU
     * @param out where the table goes
     * @return the table
     */
    public static Table run(
            BenchSize size,
            List<ModalityLayout> layouts,
            int passes,
            int warmup,
            double ceiling,
            PrintStream out) {
        List<BenchModel> models = new ArrayList<>();
        List<Measurement> measurements = new ArrayList<>();
        MachineLoad load;
        try {
            for (ModalityLayout layout : layouts) {
                models.add(
                        new BenchModel(
                                size.config(layout.modalities()),
                                layout,
                                size.batch(),
                                size.length(),
                                3));
                measurements.add(new Measurement(layout.label()));
            }
            for (int i = 0; i < warmup; i++) {
                models.forEach(BenchModel::prefill);
            }
            load = MachineLoad.start();
            for (int i = 0; i < passes; i++) {
                for (int m = 0; m < models.size(); m++) {
                    measurements.get(m).time(models.get(m)::prefill);
                }
            }
        } finally {
            models.forEach(BenchModel::close);
        }
        double foreign = load.foreignCores();
        long tokens = size.tokensPerBatch();
        Table table =
                new Table(
                        "Prefill (forward without gradients) at " + size.label(),
                        "model",
                        "s/pass (median)",
                        "tokens/s",
                        "MFU",
                        "time vs " + layouts.get(0).label());
        double reference = measurements.get(0).median();
        for (int m = 0; m < layouts.size(); m++) {
            FlopsAccounting flops = FlopsAccounting.of(size.config(layouts.get(m).modalities()));
            double median = measurements.get(m).median();
            double passFlops = flops.forwardFlopsPerToken(size.length()) * (double) tokens;
            table.row(
                    layouts.get(m).label(),
                    Table.fmt("%.3f", median),
                    Table.fmt("%.0f", tokens / median),
                    Table.fmt("%.1f%%", 100 * passFlops / median / ceiling),
                    Table.fmt("%.3f", median / reference));
        }
        table.note(
                Table.fmt(
                        "%d timed passes per model after %d warm-up passes; other processes used %.2f cores"
                                + " meanwhile%s",
                        passes,
                        warmup,
                        foreign,
                        foreign > 0.1 ? " -- NOT A QUIET MACHINE, timings unreliable" : ""));
        table.print(out);
        return table;
    }
}
