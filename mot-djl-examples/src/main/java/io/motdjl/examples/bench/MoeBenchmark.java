package io.motdjl.examples.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.translate.TranslateException;

import io.motdjl.config.MoeConfig;
import io.motdjl.config.MoeRouting;
import io.motdjl.examples.compare.Architecture;
import io.motdjl.nn.MixtureOfExperts;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.nn.SwiGlu;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The cost of routing: a mixture-of-experts feed-forward against the dense SwiGLU at equal active
 * FLOPs (four experts of the dense size; expert choice with capacity factor 1 and token choice
 * top-1 each give a row one expert's FLOPs, plus the router's), first the feed-forward alone
 * (forward and backward over one batch's rows), then whole training steps of the paper's four
 * architectures. Models are stepped in turn so that a change of machine load hits them alike;
 * medians.
 */
public final class MoeBenchmark {

    private MoeBenchmark() {}

    /**
     * Runs both tables at {@code size} and prints them.
     *
     * @param size model size and batch (the feed-forward sees {@code batch · length} rows)
     * @param passes timed feed-forward passes and training steps per model
     * @param warmup untimed ones first
     * @param ceiling GEMM ceiling in FLOP/s, for the feed-forward's rate
     * @param out where the tables go
     * @return the two tables
     * @throws IOException if a training run fails
     * @throws TranslateException if a batch cannot be made
     */
    public static List<Table> run(
            BenchSize size, int passes, int warmup, double ceiling, PrintStream out)
            throws IOException, TranslateException {
        List<Table> tables = new ArrayList<>();
        tables.add(feedForward(size, passes, warmup, ceiling, out));
        List<TrainingStepBenchmark.Contender> contenders = new ArrayList<>();
        for (Architecture a : Architecture.EQUAL_FLOPS) {
            contenders.add(
                    new TrainingStepBenchmark.Contender(
                            a.label(), a.configure(size.config(2)), ModalityLayout.TWO_MODALITIES));
        }
        tables.add(
                TrainingStepBenchmark.runContenders(
                        size, contenders, passes, warmup, ceiling, out));
        return tables;
    }

    /** The feed-forward alone: dense SwiGLU, MoE-4x expert choice, MoE-4x token choice top-1. */
    static Table feedForward(
            BenchSize size, int passes, int warmup, double ceiling, PrintStream out) {
        int rows = Math.toIntExact(size.tokensPerBatch());
        List<FeedForward> blocks = new ArrayList<>();
        List<Measurement> measurements = new ArrayList<>();
        MachineLoad load = null;
        try {
            blocks.add(
                    new FeedForward(
                            "dense SwiGLU", new SwiGlu(size.dim(), size.ffnHidden()), size, 0));
            blocks.add(
                    new FeedForward(
                            "MoE-4x expert choice c=1",
                            mixture(size, MoeRouting.EXPERT_CHOICE),
                            size,
                            Architecture.EXPERTS));
            blocks.add(
                    new FeedForward(
                            "MoE-4x token choice top-1",
                            mixture(size, MoeRouting.TOKEN_CHOICE),
                            size,
                            Architecture.EXPERTS));
            for (FeedForward b : blocks) {
                measurements.add(new Measurement(b.label));
            }
            for (int i = 0; i < warmup; i++) {
                blocks.forEach(FeedForward::pass);
            }
            load = MachineLoad.start();
            for (int i = 0; i < passes; i++) {
                for (int b = 0; b < blocks.size(); b++) {
                    measurements.get(b).time(blocks.get(b)::pass);
                }
            }
        } finally {
            blocks.forEach(FeedForward::close);
        }
        double foreign = load == null ? Double.NaN : load.foreignCores();
        Table table =
                new Table(
                        Table.fmt(
                                "Feed-forward alone (forward + backward), d %d, F %d, %d rows",
                                size.dim(), size.ffnHidden(), rows),
                        "feed-forward",
                        "ms/pass (median)",
                        "min",
                        "GFLOP/s",
                        "of ceiling",
                        "time vs dense",
                        "routing overhead");
        double dense = measurements.get(0).median();
        for (int b = 0; b < blocks.size(); b++) {
            Measurement m = measurements.get(b);
            double median = m.median();
            // forward 2·3·D·F per row (one expert's worth), plus 2·D·E for the router; backward 2x
            double flops =
                    3.0
                            * rows
                            * (6.0 * size.dim() * size.ffnHidden()
                                    + 2.0 * size.dim() * blocks.get(b).experts);
            table.row(
                    m.label(),
                    Table.fmt("%.1f", 1e3 * median),
                    Table.fmt("%.1f", 1e3 * Stats.min(m.seconds())),
                    Table.fmt("%.1f", flops / median / 1e9),
                    Table.fmt("%.1f%%", 100 * flops / median / ceiling),
                    Table.fmt("%.2f", median / dense),
                    b == 0 ? "-" : Table.fmt("%+.1f ms", 1e3 * (median - dense)));
        }
        table.note(
                Table.fmt(
                        "equal active FLOPs: each row gets one expert of the dense size (the router"
                                + " adds %.1f %%); %d timed passes per block after %d warm-up,"
                                + " blocks in turn; other processes used %.2f cores meanwhile%s",
                        100.0 * 2 * Architecture.EXPERTS / (6.0 * size.ffnHidden()),
                        passes,
                        warmup,
                        foreign,
                        foreign > 0.1 ? " -- NOT A QUIET MACHINE, timings unreliable" : ""));
        table.print(out);
        return table;
    }

    private static MixtureOfExperts mixture(BenchSize size, MoeRouting routing) {
        return new MixtureOfExperts(
                size.dim(),
                size.ffnHidden(),
                new MoeConfig(Architecture.EXPERTS, routing, 1, 1.0, List.of(0)));
    }

    /** A feed-forward block with its parameters and a fixed random input of one batch's rows. */
    private static final class FeedForward implements AutoCloseable {

        private final String label;
        private final AbstractBlock block;
        private final int experts;
        private final NDManager manager;
        private final ParameterStore parameterStore;
        private final float[] rows;
        private final Shape shape;

        FeedForward(String label, AbstractBlock block, BenchSize size, int experts) {
            this.label = label;
            this.block = block;
            this.experts = experts;
            this.manager = NDManager.newBaseManager();
            this.shape = new Shape(size.tokensPerBatch(), size.dim());
            Engine.getInstance().setRandomSeed(3);
            block.initialize(manager, DataType.FLOAT32, shape);
            this.parameterStore = new ParameterStore(manager, false);
            Random random = new Random(5);
            rows = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = (float) random.nextGaussian();
            }
        }

        /**
         * Forward and backward of {@code sum(out) + auxiliary losses}, the input needing its
         * gradient as inside a model; every array of the pass is closed at its end.
         */
        void pass() {
            try (NDManager step = manager.newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray x = step.create(rows, shape);
                x.setRequiresGradient(true);
                NDList outputs = block.forward(parameterStore, new NDList(x), true);
                NDArray loss = outputs.get(0).sum();
                for (int i = 1; i < outputs.size(); i++) {
                    String name = outputs.get(i).getName();
                    if (name == null || !name.startsWith(MoTOutputs.STATISTIC_PREFIX)) {
                        loss = loss.add(outputs.get(i).sum());
                    }
                }
                collector.backward(loss);
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }
}
