package io.motdjl.examples.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;

import io.motdjl.config.MoTConfig;
import io.motdjl.io.ReferenceCheckpoint;
import io.motdjl.nn.MoTModel;
import io.motdjl.train.ResumableAdamW;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The optimizer update alone, over the parameters of a MoT model of one size: {@link
 * ResumableAdamW} against its earlier implementation ({@link LegacyAdamW}) and DJL's native {@code
 * adamUpdate} ({@link DjlFusedAdamW}), each with its own copy of the weights (with attached
 * gradients, which every update zeroes, as in training) and the same fixed random gradients,
 * stepped in turn in one process so that a change of machine load hits them alike. Times are per
 * update of every parameter (one optimizer step); medians. After the run the three copies of the
 * weights are compared: they differ by float rounding only.
 */
public final class OptimizerBenchmark {

    private static final double LR = 1e-4;
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.95;
    private static final double EPSILON = 1e-8;
    private static final double WEIGHT_DECAY = 0.1;
    private static final String[] NAMES = {
        "before (AdamW, one temporary per op)",
        "ResumableAdamW (in place)",
        "DJL adamUpdate (native)"
    };

    private OptimizerBenchmark() {}

    /** One of the compared implementations. */
    private interface Update {
        void update(String id, NDArray weight, NDArray grad);
    }

    /**
     * Runs the benchmark and prints its table.
     *
     * @param size model size (the batch is not used)
     * @param modalities modalities of the model (1 = dense)
     * @param steps timed updates per implementation
     * @param warmup untimed updates per implementation first
     * @param out where the table goes
     * @return the table
     */
    public static Table run(
            BenchSize size, int modalities, int steps, int warmup, PrintStream out) {
        MoTConfig config = size.config(modalities);
        int n = NAMES.length;
        List<List<Double>> times = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            times.add(new ArrayList<>());
        }
        long[] faults = new long[n];
        double[] kernelSeconds = new double[n];
        double foreign;
        double[] maxDifference = new double[n];
        double maxWeight = 0;
        long parameters = 0;
        int arrays;
        int leftBehind;
        try (NDManager manager = NDManager.newBaseManager();
                LegacyAdamW legacy = new LegacyAdamW(LR, BETA1, BETA2, EPSILON, WEIGHT_DECAY);
                ResumableAdamW current =
                        ResumableAdamW.builder()
                                .optLearningRateTracker(Tracker.fixed((float) LR))
                                .optBeta1(BETA1)
                                .optBeta2(BETA2)
                                .optEpsilon(EPSILON)
                                .optWeightDecays((float) WEIGHT_DECAY)
                                .build();
                DjlFusedAdamW djl = new DjlFusedAdamW(LR, BETA1, BETA2, EPSILON, WEIGHT_DECAY)) {
            Engine.getInstance().setRandomSeed(5);
            MoTModel model = new MoTModel(config);
            ReferenceCheckpoint.initialize(model, manager, DataType.FLOAT32);
            List<String> ids = new ArrayList<>();
            List<NDArray> grads = new ArrayList<>();
            List<List<NDArray>> weights = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                weights.add(new ArrayList<>());
            }
            for (Pair<String, Parameter> p : model.getParameters()) {
                NDArray w = p.getValue().getArray();
                ids.add(p.getValue().getId());
                grads.add(manager.randomNormal(0, 1e-3f, w.getShape(), DataType.FLOAT32));
                parameters += w.size();
                for (int k = 0; k < n; k++) {
                    NDArray copy = w.duplicate();
                    copy.setRequiresGradient(true);
                    weights.get(k).add(copy);
                }
            }
            arrays = ids.size();
            attachGradients(manager, weights);
            List<Update> updates = List.of(legacy::update, current::update, djl::update);
            int before = manager.getManagedArrays().size();
            MachineLoad load = null;
            for (int step = 0; step < warmup + steps; step++) {
                if (step == warmup) {
                    load = MachineLoad.start();
                }
                for (int j = 0; j < n; j++) {
                    // rotate who goes first, so that none always follows the same one
                    int k = (step + j) % n;
                    List<NDArray> w = weights.get(k);
                    ProcessStats counters = ProcessStats.now();
                    long start = System.nanoTime();
                    for (int i = 0; i < ids.size(); i++) {
                        updates.get(k).update(ids.get(i), w.get(i), grads.get(i));
                    }
                    long nanos = System.nanoTime() - start;
                    ProcessStats used = ProcessStats.now().since(counters);
                    if (step >= warmup) {
                        times.get(k).add(nanos / 1e6);
                        faults[k] += used.minorFaults();
                        kernelSeconds[k] += used.kernelSeconds();
                    }
                }
            }
            foreign = load == null ? Double.NaN : load.foreignCores();
            leftBehind = manager.getManagedArrays().size() - before;
            for (int i = 0; i < ids.size(); i++) {
                NDArray reference = weights.get(0).get(i);
                maxWeight = Math.max(maxWeight, reference.abs().max().getFloat());
                for (int k = 1; k < n; k++) {
                    double d = weights.get(k).get(i).sub(reference).abs().max().getFloat();
                    maxDifference[k] = Math.max(maxDifference[k], d);
                }
            }
        }
        Table table =
                new Table(
                        Table.fmt(
                                "Optimizer update alone (AdamW over %d parameter arrays, %.1fM"
                                        + " parameters) of %s at %s",
                                arrays,
                                parameters / 1e6,
                                modalities == 1 ? "dense" : "MoT-" + modalities,
                                size.modelLabel()),
                        "implementation",
                        "ms/update (median)",
                        "min",
                        "max",
                        "vs before",
                        "page faults/update",
                        "kernel ms/update");
        double reference = Stats.median(times.get(0));
        for (int k = 0; k < n; k++) {
            double median = Stats.median(times.get(k));
            table.row(
                    NAMES[k],
                    Table.fmt("%.1f", median),
                    Table.fmt("%.1f", Stats.min(times.get(k))),
                    Table.fmt("%.1f", Stats.max(times.get(k))),
                    Table.fmt("%.3f", median / reference),
                    Table.fmt("%d", faults[k] / Math.max(1, steps)),
                    Table.fmt("%.0f", 1000 * kernelSeconds[k] / Math.max(1, steps)));
        }
        table.note(
                Table.fmt(
                        "%d timed updates each after %d untimed, in turn; other processes used %.2f"
                                + " cores meanwhile%s",
                        steps,
                        warmup,
                        foreign,
                        foreign > 0.1 ? " -- NOT A QUIET MACHINE, timings unreliable" : ""));
        table.note(
                Table.fmt(
                        "largest |weight difference| from 'before' after %d updates: %.2e"
                                + " (ResumableAdamW), %.2e (DJL); largest |weight| %.2f",
                        warmup + steps, maxDifference[1], maxDifference[2], maxWeight));
        table.note(
                Table.fmt(
                        "NDArrays left behind by %d updates of all three: %d",
                        warmup + steps, leftBehind));
        table.print(out);
        return table;
    }

    /** Gives every weight a gradient (of ones), as a backward pass would. */
    private static void attachGradients(NDManager manager, List<List<NDArray>> weights) {
        try (NDManager scratch = manager.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray total = null;
            for (List<NDArray> copy : weights) {
                for (NDArray w : copy) {
                    NDArray sum = w.sum();
                    sum.attach(scratch);
                    // the sums belong to scratch, and so do the sums of them
                    total = total == null ? sum : total.add(sum);
                }
            }
            collector.backward(total);
        }
    }
}
