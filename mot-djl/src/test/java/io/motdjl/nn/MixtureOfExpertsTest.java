package io.motdjl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.MoeConfig;
import io.motdjl.config.MoeRouting;
import io.motdjl.config.ParameterCount;
import io.motdjl.config.Untie;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The mixture-of-experts feed-forward against a plain host implementation of the reference
 * semantics (every expert on every row, routing decided by sorting), in float64.
 */
class MixtureOfExpertsTest {

    private static final int ROWS = 13;
    private static final int DIM = 8;
    private static final int HIDDEN = 6;
    private static final int EXPERTS = 4;

    static Stream<Arguments> routings() {
        return Stream.of(
                Arguments.of(MoeRouting.TOKEN_CHOICE, 1, 1.0),
                Arguments.of(MoeRouting.TOKEN_CHOICE, 2, 1.0),
                Arguments.of(MoeRouting.TOKEN_CHOICE, 3, 1.0),
                Arguments.of(MoeRouting.EXPERT_CHOICE, 1, 1.0),
                Arguments.of(MoeRouting.EXPERT_CHOICE, 1, 2.0),
                Arguments.of(MoeRouting.EXPERT_CHOICE, 1, 0.5));
    }

    private static MoeConfig moe(MoeRouting routing, int topK, double capacity) {
        return new MoeConfig(EXPERTS, routing, topK, capacity, List.of(0));
    }

    private static MixtureOfExperts block(MoeConfig moe, NDManager manager) {
        MixtureOfExperts block = new MixtureOfExperts(DIM, HIDDEN, moe);
        Engine.getInstance().setRandomSeed(42);
        block.initialize(manager, DataType.FLOAT64, new Shape(ROWS, DIM));
        return block;
    }

    private static NDArray rows(NDManager manager, int seed) {
        Random random = new Random(seed);
        double[] values = new double[ROWS * DIM];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian();
        }
        return manager.create(values, new Shape(ROWS, DIM));
    }

    @ParameterizedTest(name = "{0} top_k={1} c={2}")
    @MethodSource("routings")
    void matchesTheHostReference(MoeRouting routing, int topK, double capacity) {
        MoeConfig moe = moe(routing, topK, capacity);
        for (boolean padded : new boolean[] {false, true}) {
            try (NDManager manager = NDManager.newBaseManager()) {
                MixtureOfExperts block = block(moe, manager);
                NDArray x = rows(manager, 3);
                boolean[] valid = padded ? validity(new int[] {0, 5, 6, 12}) : null;
                NDList out = run(block, manager, x, valid, false);
                double[][] want = HostMoe.of(block).forward(hostRows(x), valid);
                double[] got = out.head().toDoubleArray();
                for (int r = 0; r < ROWS; r++) {
                    for (int d = 0; d < DIM; d++) {
                        assertEquals(
                                want[r][d],
                                got[r * DIM + d],
                                1e-12,
                                "row " + r + ", padded " + padded);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} top_k={1} c={2}")
    @MethodSource("routings")
    void paddingRowsAreNeverRouted(MoeRouting routing, int topK, double capacity) {
        MoeConfig moe = moe(routing, topK, capacity);
        try (NDManager manager = NDManager.newBaseManager()) {
            MixtureOfExperts block = block(moe, manager);
            NDArray x = rows(manager, 5);
            int[] padding = {1, 2, 9};
            boolean[] valid = validity(padding);
            NDArray out = run(block, manager, x, valid, false).head();
            for (int r : padding) {
                assertEquals(0.0, out.get(r).abs().sum().getDouble(), "padding row " + r);
            }
            // the real rows alone give the same outputs: padding took no capacity and no slot
            long[] real = IntStream.range(0, ROWS).filter(r -> valid[r]).asLongStream().toArray();
            NDArray realRows = x.get(new NDIndex("{}", manager.create(real)));
            NDArray alone = run(block, manager, realRows, null, false).head();
            NDArray together = out.get(new NDIndex("{}", manager.create(real)));
            assertEquals(0.0, alone.sub(together).abs().max().getDouble(), 1e-12);
        }
    }

    @Test
    void onlyPaddingGivesZerosAndNoRouting() {
        for (MoeRouting routing : MoeRouting.values()) {
            try (NDManager manager = NDManager.newBaseManager()) {
                MixtureOfExperts block = block(moe(routing, 1, 1.0), manager);
                NDList out = run(block, manager, rows(manager, 1), new boolean[ROWS], false);
                assertEquals(0.0, out.head().abs().sum().getDouble(), routing.toString());
                for (NDArray a : out.subNDList(1)) {
                    double sum = a.toType(DataType.FLOAT64, false).abs().sum().getDouble();
                    assertEquals(0.0, sum, a.getName());
                }
            }
        }
    }

    @Test
    void tokenChoiceReportsSwitchBalanceZLossAndShares() {
        try (NDManager manager = NDManager.newBaseManager()) {
            MixtureOfExperts block = block(moe(MoeRouting.TOKEN_CHOICE, 2, 1.0), manager);
            NDArray x = rows(manager, 8);
            boolean[] valid = validity(new int[] {4});
            Map<String, NDArray> out = byName(run(block, manager, x, valid, false));
            HostMoe host = HostMoe.of(block);
            double[][] probs = host.probabilities(hostRows(x));
            double[][] logits = host.logits(hostRows(x));
            double[] share = new double[EXPERTS];
            double[] meanProb = new double[EXPERTS];
            double zLoss = 0;
            int real = 0;
            for (int r = 0; r < ROWS; r++) {
                if (!valid[r]) {
                    continue;
                }
                real++;
                for (int e : host.topExperts(probs[r], 2)) {
                    share[e]++;
                }
                double max = Arrays.stream(logits[r]).max().orElseThrow();
                double sum = 0;
                for (int e = 0; e < EXPERTS; e++) {
                    meanProb[e] += probs[r][e];
                    sum += Math.exp(logits[r][e] - max);
                }
                double lse = max + Math.log(sum);
                zLoss += lse * lse;
            }
            double balance = 0;
            for (int e = 0; e < EXPERTS; e++) {
                share[e] /= 2.0 * real;
                meanProb[e] /= real;
                balance += share[e] * meanProb[e];
            }
            assertEquals(EXPERTS * balance, out.get("load_balance").getDouble(), 1e-12);
            assertEquals(zLoss / real, out.get("router_z").getDouble(), 1e-12);
            float[] shares = out.get("stat.expert_share").toFloatArray();
            for (int e = 0; e < EXPERTS; e++) {
                assertEquals(share[e], shares[e], 1e-6, "share of expert " + e);
            }
        }
    }

    @Test
    void expertChoiceReportsTheRowsNoExpertTook() {
        try (NDManager manager = NDManager.newBaseManager()) {
            MixtureOfExperts block = block(moe(MoeRouting.EXPERT_CHOICE, 1, 0.5), manager);
            NDArray x = rows(manager, 9);
            Map<String, NDArray> out = byName(run(block, manager, x, null, false));
            assertEquals(List.of("stat.expert_share", "stat.dropped"), List.copyOf(out.keySet()));
            boolean[] taken = new boolean[ROWS];
            HostMoe host = HostMoe.of(block);
            double[][] probs = host.probabilities(hostRows(x));
            long capacity = block.settings().capacity(ROWS);
            for (int e = 0; e < EXPERTS; e++) {
                for (int r : host.topRows(probs, e, capacity, null)) {
                    taken[r] = true;
                }
            }
            long dropped = IntStream.range(0, ROWS).filter(r -> !taken[r]).count();
            assertTrue(dropped > 0, "c = 0.5 must leave rows out");
            assertEquals((double) dropped / ROWS, out.get("stat.dropped").getFloat(), 1e-6);
            for (float s : out.get("stat.expert_share").toFloatArray()) {
                assertEquals(0.25, s, 1e-6, "expert choice gives every expert the same share");
            }
        }
    }

    @ParameterizedTest(name = "{0} top_k={1} c={2}")
    @MethodSource("routings")
    void gradientsMatchFiniteDifferences(MoeRouting routing, int topK, double capacity) {
        double step = 1e-6;
        try (NDManager manager = NDManager.newBaseManager()) {
            MixtureOfExperts block = block(moe(routing, topK, capacity), manager);
            NDArray x = rows(manager, 11);
            NDArray probe = rows(manager, 12);
            boolean[] valid = validity(new int[] {3});
            ai.djl.nn.Parameter[] params = {
                block.router().getParameters().get("weight"), block.stackedW13(), block.stackedW2()
            };
            double[][] analytic = new double[params.length][];
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(objective(run(block, manager, x, valid, true), probe));
            }
            for (int i = 0; i < params.length; i++) {
                analytic[i] = params[i].getArray().getGradient().toDoubleArray();
            }
            Random random = new Random(1);
            for (int i = 0; i < params.length; i++) {
                NDArray weight = params[i].getArray();
                long[] shape = weight.getShape().getShape();
                for (int k = 0; k < 6; k++) {
                    int flat = random.nextInt((int) weight.size());
                    NDIndex at = new NDIndex(flat / shape[1], flat % shape[1]);
                    double original = weight.get(at).getDouble();
                    weight.set(at, original + step);
                    double up = objectiveValue(block, manager, x, valid, probe);
                    weight.set(at, original - step);
                    double down = objectiveValue(block, manager, x, valid, probe);
                    weight.set(at, original);
                    double numeric = (up - down) / (2 * step);
                    assertEquals(
                            numeric,
                            analytic[i][flat],
                            1e-6 + 1e-5 * Math.abs(numeric),
                            params[i].getName() + "[" + flat + "]");
                }
            }
        }
    }

    /** The rows against a fixed probe, plus the auxiliary losses (statistics are not losses). */
    private static NDArray objective(NDList out, NDArray probe) {
        NDArray total = out.head().mul(probe).sum();
        for (NDArray a : out.subNDList(1)) {
            if (!a.getName().startsWith(MoTOutputs.STATISTIC_PREFIX)) {
                total = total.add(a);
            }
        }
        return total;
    }

    private static double objectiveValue(
            MixtureOfExperts block, NDManager manager, NDArray x, boolean[] valid, NDArray probe) {
        try (NDManager scope = manager.newSubManager()) {
            return objective(run(block, scope, x, valid, false), probe).getDouble();
        }
    }

    @Test
    void theConfigPlacesMixturesAndTheCountsFollow() {
        MoeConfig moe = new MoeConfig(3, MoeRouting.TOKEN_CHOICE, 1, 1.0, List.of(0));
        MoTConfig hybrid = TinyModels.config(2).moe(moe).build();
        MoTConfig moeEx = TinyModels.config(2).untie(Untie.NONE).moe(moe).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(hybrid, manager, DataType.FLOAT32);
            PerModality<Block> ffn = model.layers().get(1).feedForward().experts();
            assertInstanceOf(MixtureOfExperts.class, ffn.tower(0));
            assertInstanceOf(SwiGlu.class, ffn.tower(1));
            assertEquals(ParameterCount.of(hybrid).total(), storedValues(model));

            MoTModel dense = TinyModels.model(moeEx, manager, DataType.FLOAT32);
            PerModality<Block> shared = dense.layers().get(0).feedForward().experts();
            assertEquals(1, shared.numTowers());
            assertInstanceOf(MixtureOfExperts.class, shared.tower(0));
            assertEquals(ParameterCount.of(moeEx).total(), storedValues(dense));
        }
    }

    @Test
    void theModelNamesAuxiliaryLossesAndStatisticsApart() {
        MoeConfig moe = new MoeConfig(3, MoeRouting.TOKEN_CHOICE, 2, 1.0, List.of(1));
        MoTConfig config = TinyModels.config(2).moe(moe).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Random random = new Random(2);
            MoTInputs in =
                    MoTInputs.of(
                            TinyModels.ids(manager, random, 2, 9, config.vocabSize()),
                            TinyModels.ids(manager, random, 2, 9, 2));
            MoTOutputs out =
                    MoTOutputs.of(
                            model.forward(
                                    new ParameterStore(manager, false), in.toNDList(), false));
            assertEquals(
                    List.of(
                            "layers.0.feed_forward.1.load_balance",
                            "layers.0.feed_forward.1.router_z",
                            "layers.1.feed_forward.1.load_balance",
                            "layers.1.feed_forward.1.router_z"),
                    List.copyOf(out.auxiliaryLosses().keySet()));
            assertEquals(
                    List.of(
                            "layers.0.feed_forward.1.expert_share",
                            "layers.1.feed_forward.1.expert_share"),
                    List.copyOf(out.statistics().keySet()));
            assertEquals(new Shape(2, 9, config.vocabSize()), out.logits().getShape());
        }
    }

    @Test
    void anExpertChoiceMoeExModelRoutesOncePerLayerOverAllRows() {
        // untied attention and norms, one shared expert-choice feed-forward (MoE-Ex)
        MoeConfig moe = new MoeConfig(4, MoeRouting.EXPERT_CHOICE, 1, 1.0, List.of(0));
        MoTConfig config =
                TinyModels.config(2).untie(new Untie(true, false, true)).moe(moe).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Random random = new Random(6);
            long[] valid = new long[2 * 9];
            Arrays.fill(valid, 1);
            valid[0] = 0; // one padding slot
            MoTInputs in =
                    MoTInputs.of(
                                    TinyModels.ids(manager, random, 2, 9, config.vocabSize()),
                                    TinyModels.ids(manager, random, 2, 9, 2))
                            .withValidTokens(manager.create(valid, new Shape(2, 9)));
            MoTOutputs out =
                    MoTOutputs.of(
                            model.forward(
                                    new ParameterStore(manager, false), in.toNDList(), false));
            assertEquals(
                    List.of(
                            "layers.0.feed_forward.0.expert_share",
                            "layers.0.feed_forward.0.dropped",
                            "layers.1.feed_forward.0.expert_share",
                            "layers.1.feed_forward.0.dropped"),
                    List.copyOf(out.statistics().keySet()));
            assertTrue(out.auxiliaryLosses().isEmpty(), "expert choice has no auxiliary loss");
            assertTrue(Float.isFinite(out.logits().sum().getFloat()));
        }
    }

    @Test
    void aSharedFeedForwardSeesEveryRowOfThePassAtOnce() {
        List<Long> seen = new ArrayList<>();
        FeedForwardFactory recording = (config, layer, tower) -> new RowCounter(config.dim(), seen);
        MoTConfig config =
                TinyModels.config(2).untie(new Untie(true, false, true)).nLayers(1).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model =
                    TinyModels.initialize(
                            MoTModel.builder(config).optFeedForwardFactory(recording).build(),
                            manager,
                            DataType.FLOAT32);
            Random random = new Random(4);
            MoTInputs in =
                    MoTInputs.of(
                            TinyModels.ids(manager, random, 2, 7, config.vocabSize()),
                            TinyModels.ids(manager, random, 2, 7, 2));
            seen.clear();
            model.forward(new ParameterStore(manager, false), in.toNDList(), false);
            assertEquals(List.of(14L), seen, "one call over all B·T rows");
        }
    }

    /** A feed-forward that passes rows through and records how many it was given per call. */
    private static final class RowCounter extends ai.djl.nn.AbstractBlock {
        private final long dim;
        private final List<Long> seen;

        RowCounter(long dim, List<Long> seen) {
            this.dim = dim;
            this.seen = seen;
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList inputs,
                boolean training,
                ai.djl.util.PairList<String, Object> params) {
            seen.add(inputs.head().getShape().get(0));
            return new NDList(inputs.head().zerosLike());
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0), dim)};
        }
    }

    // ---------------------------------------------------------------- helpers

    private static long storedValues(MoTModel model) {
        return model.getParameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
    }

    private static NDList run(
            MixtureOfExperts block, NDManager manager, NDArray x, boolean[] valid, boolean train) {
        NDList in = new NDList(x);
        if (valid != null) {
            float[] v = new float[valid.length];
            for (int r = 0; r < v.length; r++) {
                v[r] = valid[r] ? 1f : 0f;
            }
            in.add(manager.create(v));
        }
        return block.forward(new ParameterStore(manager, false), in, train);
    }

    private static Map<String, NDArray> byName(NDList out) {
        Map<String, NDArray> named = new java.util.LinkedHashMap<>();
        for (NDArray a : out.subNDList(1)) {
            named.put(a.getName(), a);
        }
        return named;
    }

    private static boolean[] validity(int[] padding) {
        boolean[] valid = new boolean[ROWS];
        Arrays.fill(valid, true);
        for (int r : padding) {
            valid[r] = false;
        }
        return valid;
    }

    private static double[][] hostRows(NDArray x) {
        double[] flat = x.toDoubleArray();
        int n = (int) x.getShape().get(0);
        double[][] out = new double[n][DIM];
        for (int r = 0; r < n; r++) {
            System.arraycopy(flat, r * DIM, out[r], 0, DIM);
        }
        return out;
    }

    /**
     * The reference semantics on the host: expert {@code e}'s W1 is rows {@code e·2F .. e·2F+F-1}
     * of the stacked {@code w13}, W3 the next F, W2 rows {@code e·D .. e·D+D-1} of {@code w2}.
     */
    private record HostMoe(MoeConfig moe, double[] router, double[] w13, double[] w2) {

        static HostMoe of(MixtureOfExperts block) {
            return new HostMoe(
                    block.settings(),
                    block.router().getParameters().get("weight").getArray().toDoubleArray(),
                    block.stackedW13().getArray().toDoubleArray(),
                    block.stackedW2().getArray().toDoubleArray());
        }

        double[][] logits(double[][] x) {
            double[][] out = new double[x.length][EXPERTS];
            for (int r = 0; r < x.length; r++) {
                for (int e = 0; e < EXPERTS; e++) {
                    for (int d = 0; d < DIM; d++) {
                        out[r][e] += router[e * DIM + d] * x[r][d];
                    }
                }
            }
            return out;
        }

        double[][] probabilities(double[][] x) {
            double[][] logits = logits(x);
            for (double[] row : logits) {
                double max = Arrays.stream(row).max().orElseThrow();
                double sum = 0;
                for (int e = 0; e < row.length; e++) {
                    row[e] = Math.exp(row[e] - max);
                    sum += row[e];
                }
                for (int e = 0; e < row.length; e++) {
                    row[e] /= sum;
                }
            }
            return logits;
        }

        double[] expert(int e, double[] row) {
            double[] hidden = new double[HIDDEN];
            for (int f = 0; f < HIDDEN; f++) {
                double a = 0;
                double b = 0;
                for (int d = 0; d < DIM; d++) {
                    a += w13[(e * 2 * HIDDEN + f) * DIM + d] * row[d];
                    b += w13[(e * 2 * HIDDEN + HIDDEN + f) * DIM + d] * row[d];
                }
                hidden[f] = a / (1 + Math.exp(-a)) * b;
            }
            double[] out = new double[DIM];
            for (int d = 0; d < DIM; d++) {
                for (int f = 0; f < HIDDEN; f++) {
                    out[d] += w2[(e * DIM + d) * HIDDEN + f] * hidden[f];
                }
            }
            return out;
        }

        int[] topExperts(double[] p, int k) {
            return IntStream.range(0, p.length)
                    .boxed()
                    .sorted(Comparator.comparingDouble(e -> -p[e]))
                    .limit(k)
                    .mapToInt(Integer::intValue)
                    .toArray();
        }

        int[] topRows(double[][] p, int e, long capacity, boolean[] valid) {
            return IntStream.range(0, p.length)
                    .filter(r -> valid == null || valid[r])
                    .boxed()
                    .sorted(Comparator.comparingDouble(r -> -p[r][e]))
                    .limit(capacity)
                    .mapToInt(Integer::intValue)
                    .toArray();
        }

        double[][] forward(double[][] x, boolean[] valid) {
            double[][] p = probabilities(x);
            double[][] out = new double[x.length][DIM];
            if (moe.routing() == MoeRouting.TOKEN_CHOICE) {
                for (int r = 0; r < x.length; r++) {
                    if (valid != null && !valid[r]) {
                        continue;
                    }
                    int[] chosen = topExperts(p[r], moe.topK());
                    double norm = 0;
                    for (int e : chosen) {
                        norm += p[r][e];
                    }
                    for (int e : chosen) {
                        double gate = moe.topK() == 1 ? p[r][e] : p[r][e] / norm;
                        add(out[r], expert(e, x[r]), gate);
                    }
                }
            } else {
                long real =
                        valid == null
                                ? x.length
                                : IntStream.range(0, x.length).filter(r -> valid[r]).count();
                long capacity = moe.capacity(real);
                for (int e = 0; e < EXPERTS; e++) {
                    for (int r : topRows(p, e, capacity, valid)) {
                        add(out[r], expert(e, x[r]), p[r][e]);
                    }
                }
            }
            return out;
        }

        private static void add(double[] into, double[] value, double gate) {
            for (int d = 0; d < into.length; d++) {
                into[d] += gate * value[d];
            }
        }
    }
}
