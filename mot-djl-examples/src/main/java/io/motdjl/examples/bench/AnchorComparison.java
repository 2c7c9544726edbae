package io.motdjl.examples.bench;

import io.motdjl.train.FlopsAccounting;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * mot-djl against eager PyTorch at the anchor's configuration: forward + next-token loss + backward
 * (no optimizer), dense and a two-modality MoT (text {@code [0,64)}, image {@code [64,192)}, text
 * {@code [192,256)}). Rounds alternate: mot-djl's dense and MoT steps interleaved, then one run of
 * the Python script (dense, then MoT), and again.
 *
 * <p>What differs from the anchor's model: mot-djl always applies RoPE (the anchor has no
 * positional encoding) and builds an additive attention mask (the anchor a boolean fill); the layer
 * math, norm order, QK-norm, untying and sizes are the same.
 */
public final class AnchorComparison {

    /**
     * The settings of a comparison run.
     *
     * @param rounds alternations of mot-djl and Python
     * @param steps timed steps per model per round
     * @param warmup untimed steps per model (mot-djl: before the first round; Python: every run)
     * @param threads intra-op threads of both
     * @param anchor the Python anchor, or null to time mot-djl alone
     */
    public record Settings(int rounds, int steps, int warmup, int threads, PythonAnchor anchor) {}

    private AnchorComparison() {}

    /**
     * Runs the comparison and prints its table.
     *
     * @param settings rounds, steps, the anchor
     * @param ceiling the GEMM ceiling in FLOP/s (for MFU), or NaN
     * @param out where the table goes
     * @return the table
     * @throws IOException if the anchor fails
     * @throws InterruptedException if interrupted
     */
    public static Table run(Settings settings, double ceiling, PrintStream out)
            throws IOException, InterruptedException {
        BenchSize size = BenchSize.ANCHOR;
        Measurement dense = new Measurement("dense");
        Measurement mot = new Measurement("MoT-2");
        List<PythonAnchor.Result> python = new ArrayList<>();
        MachineLoad load = MachineLoad.start();
        try (BenchModel d =
                        new BenchModel(
                                size.config(1),
                                ModalityLayout.DENSE,
                                size.batch(),
                                size.length(),
                                1);
                BenchModel m =
                        new BenchModel(
                                size.config(2),
                                ModalityLayout.TWO_MODALITIES,
                                size.batch(),
                                size.length(),
                                1)) {
            for (int i = 0; i < settings.warmup(); i++) {
                d.forwardBackward();
                m.forwardBackward();
            }
            for (int r = 0; r < settings.rounds(); r++) {
                for (int i = 0; i < settings.steps(); i++) {
                    dense.time(d::forwardBackward);
                    mot.time(m::forwardBackward);
                }
                if (settings.anchor() != null) {
                    python.add(
                            settings.anchor()
                                    .run(settings.threads(), settings.steps(), settings.warmup()));
                }
            }
        }
        double foreign = load.foreignCores();
        long tokens = size.tokensPerBatch();
        FlopsAccounting flops = FlopsAccounting.of(size.config(1));
        double stepFlops = flops.trainingFlops(tokens, size.length());
        Table table =
                new Table(
                        "Forward + backward at the PyTorch anchor's configuration ("
                                + size.label()
                                + ", "
                                + settings.threads()
                                + " threads, no optimizer)",
                        "system",
                        "model",
                        "s/step (median)",
                        "tokens/s",
                        "MFU",
                        "minor faults/step",
                        "kernel CPU share",
                        "vs PyTorch");
        double pyDense =
                Stats.median(python.stream().map(PythonAnchor.Result::denseSeconds).toList());
        double pyMot = Stats.median(python.stream().map(PythonAnchor.Result::motSeconds).toList());
        for (Measurement meas : List.of(dense, mot)) {
            double s = meas.median();
            double py = meas == dense ? pyDense : pyMot;
            table.row(
                    "mot-djl",
                    meas.label(),
                    Table.fmt("%.3f", s),
                    Table.fmt("%.0f", tokens / s),
                    Table.fmt("%.1f%%", 100 * stepFlops / s / ceiling),
                    Table.fmt("%.0f", meas.faultsPerStep()),
                    Table.fmt("%.0f%%", 100 * meas.kernelShare()),
                    python.isEmpty() ? "-" : Table.fmt("%.2fx time", s / py));
        }
        if (!python.isEmpty()) {
            double faults =
                    Stats.median(
                            python.stream().map(PythonAnchor.Result::minorFaultsPerStep).toList());
            double kernel =
                    Stats.median(python.stream().map(PythonAnchor.Result::kernelShare).toList());
            String version = python.get(0).torchVersion();
            table.row(
                    "torch " + version,
                    "dense",
                    Table.fmt("%.3f", pyDense),
                    Table.fmt("%.0f", tokens / pyDense),
                    Table.fmt("%.1f%%", 100 * stepFlops / pyDense / ceiling),
                    Table.fmt("%.0f", faults),
                    Table.fmt("%.0f%%", 100 * kernel),
                    "1.00x");
            table.row(
                    "torch " + version,
                    "MoT-2",
                    Table.fmt("%.3f", pyMot),
                    Table.fmt("%.0f", tokens / pyMot),
                    Table.fmt("%.1f%%", 100 * stepFlops / pyMot / ceiling),
                    "(whole run)",
                    "(whole run)",
                    "1.00x");
        }
        table.note(
                Table.fmt(
                        "%d round(s) of %d steps per model, mot-djl and Python alternating; MoT/dense time: mot-djl %.2f%s",
                        settings.rounds(),
                        settings.steps(),
                        mot.median() / dense.median(),
                        python.isEmpty() ? "" : Table.fmt(", PyTorch %.2f", pyMot / pyDense)));
        table.note(
                "Python faults and kernel share: the whole timed script (set-up, warm-up, both"
                        + " models) after import torch, per step.");
        table.note(
                Table.fmt(
                        "other processes used %.2f cores meanwhile%s",
                        foreign,
                        foreign > 0.1 ? " -- NOT A QUIET MACHINE, timings unreliable" : ""));
        table.print(out);
        return table;
    }
}
