package io.motdjl.train;

import static io.motdjl.train.TrainingRunTest.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.LocalParameterServer;
import ai.djl.training.tracker.Tracker;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.objective.LossTerm;
import io.motdjl.objective.LossValue;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Data-parallel training. DJL treats every CPU device as one, so on a machine without GPUs the
 * pieces are tested apart: a batch cut into several blocks on one device (the split, the weighting
 * of the blocks' losses, the clipping of the summed gradient: the same code a multi-device step
 * runs), and DJL's {@link LocalParameterServer} driving {@link ResumableAdamW} with two copies of a
 * weight told apart by identity instead of device.
 */
class DataParallelTest {

    private static final MoTConfig MOT = TinyModels.config(2).build();

    private static RunOptions.Builder quiet() {
        return RunOptions.builder().device(Device.cpu()).progressBar(false).logEvery(0);
    }

    private static TrainingSettings settings(double maxGradNorm) {
        return TrainingSettings.builder()
                .seed(11)
                .batchSize(8)
                .totalSteps(40)
                .warmupSteps(2)
                .peakLearningRate(1e-2)
                .weightDecay(0.01)
                .maxGradNorm(maxGradNorm)
                .build();
    }

    @Test
    void blocksDifferByAtMostOneRowAndNoneIsEmpty() {
        assertArrayEquals(new int[] {2, 1, 1, 1}, BatchBlocks.sizes(5, 4));
        assertArrayEquals(new int[] {1, 1, 1}, BatchBlocks.sizes(3, 4));
        assertArrayEquals(new int[] {3, 3, 2}, BatchBlocks.sizes(8, 3));
        assertArrayEquals(new int[] {8}, BatchBlocks.sizes(8, 1));
    }

    @Test
    void aBatchInBlocksTrainsAsTheWholeBatch() throws Exception {
        // rows with padding and of different lengths: blocks hold different numbers of targets,
        // so equal weights per block would give another gradient; the tight limit makes every
        // step clip, so the clipping must see the blocks' summed gradient
        SyntheticSequences train = SyntheticSequences.create(40, 12);
        TrainingSettings s = settings(0.05);
        for (int blocks : new int[] {3, 8}) {
            List<StepReport> whole;
            Map<String, float[]> wholeWeights;
            try (TrainingRun run = TrainingRun.start(MOT, s, train, quiet().build())) {
                whole = run.train(6);
                wholeWeights = weights(run.model());
            }
            List<StepReport> split;
            Map<String, float[]> splitWeights;
            RunOptions inBlocks = SplitBlocks.inBlocks(quiet(), blocks).build();
            try (TrainingRun run = TrainingRun.start(MOT, s, train, inBlocks)) {
                split = run.train(6);
                splitWeights = weights(run.model());
            }
            assertTrue(whole.stream().allMatch(StepReport::clipped), "every step should clip");
            for (int i = 0; i < whole.size(); i++) {
                StepReport w = whole.get(i);
                StepReport b = split.get(i);
                String where = blocks + " blocks, step " + w.step();
                assertEquals(w.loss(), b.loss(), 2e-6 * w.loss(), where);
                assertEquals(w.gradNorm(), b.gradNorm(), 2e-5 * w.gradNorm(), where);
                assertArrayEquals(w.losses().means(), b.losses().means(), 2e-5, where);
                assertEquals(w.tokens(), b.tokens(), where);
            }
            for (String name : wholeWeights.keySet()) {
                assertArrayEquals(
                        wholeWeights.get(name), splitWeights.get(name), 2e-5f, blocks + " " + name);
            }
        }
    }

    @Test
    void eachTermIsWeighedByTheBlocksShareOfItsItems() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            // block 0: 1 target token at loss 1, no image; block 1: 3 tokens at loss 3 and 2
            // images at diffusion loss 0.5 (weight 2). Means of blocks would give (1 + 3) / 2.
            LossValue first =
                    value(
                            manager,
                            term(manager, "next_token", 1f, 1.0, 1),
                            term(manager, "diffusion", Float.NaN, 2.0, 0));
            LossValue second =
                    value(
                            manager,
                            term(manager, "next_token", 3f, 1.0, 3),
                            term(manager, "diffusion", 0.5f, 2.0, 2));
            BlockLosses weighted = BlockLosses.of(List.of(first, second));
            assertEquals(0.25, weighted.loss(0).getFloat(), 1e-6, "1 · 1/4, diffusion left out");
            assertEquals(2.25 + 1.0, weighted.loss(1).getFloat(), 1e-6, "3 · 3/4 + 2 · 0.5 · 2/2");
            assertEquals(3.5, weighted.total(), 1e-6, "the whole batch's (1 + 9)/4 + 2 · 0.5");

            LossValue other = value(manager, term(manager, "next_token", 1f, 1.0, 1));
            IllegalStateException e =
                    assertThrows(
                            IllegalStateException.class,
                            () -> BlockLosses.of(List.of(first, other)));
            assertTrue(e.getMessage().contains("[next_token]"), e.getMessage());

            LossValue nothing = value(manager, term(manager, "next_token", Float.NaN, 1.0, 0));
            BlockLosses empty = BlockLosses.of(List.of(nothing, nothing));
            assertEquals(null, empty.loss(0));
            assertTrue(Double.isNaN(empty.total()), "nothing counted: the step diverges");
        }
    }

    private static LossTerm term(
            NDManager manager, String name, float mean, double weight, int count) {
        return new LossTerm(name, manager.create(mean), weight, manager.create((float) count));
    }

    private static LossValue value(NDManager manager, LossTerm... terms) {
        NDArray none = manager.zeros(new Shape(2));
        return new LossValue(manager.create(0f), none, none, List.of(terms));
    }

    @Test
    void arraysMadeInASplitStepAreFreedByItsEnd() throws Exception {
        SyntheticSequences train = SyntheticSequences.create(24, 13);
        List<Integer> counts = new ArrayList<>();
        RunOptions inBlocks = SplitBlocks.inBlocks(quiet(), 3).build();
        try (TrainingRun run = TrainingRun.start(MOT, settings(1.0), train, inBlocks)) {
            run.every(1, (r, report) -> counts.add(r.liveArrayCount()));
            run.train(12);
        }
        for (int i = 1; i < counts.size(); i++) {
            assertEquals(counts.get(1), counts.get(i), "live arrays per step: " + counts);
        }
    }

    @Test
    void djlsServerAdvancesTheOptimizerOncePerStepAndKeepsTheCopiesEqual() {
        // two copies of one weight, as DJL's server holds them on two devices; on one CPU they
        // are told apart by identity
        Map<NDArray, String> places = new IdentityHashMap<>();
        ResumableAdamW adamW =
                ResumableAdamW.builder()
                        .optLearningRateTracker(Tracker.fixed(0.05f))
                        .optWeightDecays(0.1f)
                        .placeOf(a -> places.getOrDefault(a, "elsewhere"))
                        .build();
        ResumableAdamW reference =
                ResumableAdamW.builder()
                        .optLearningRateTracker(Tracker.fixed(0.05f))
                        .optWeightDecays(0.1f)
                        .build();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                LocalParameterServer server = new LocalParameterServer(adamW)) {
            NDArray home = manager.randomNormal(new Shape(3, 4));
            NDArray copy = home.duplicate();
            NDArray single = home.duplicate();
            places.put(home, "device 0");
            places.put(copy, "device 1");
            for (NDArray w : List.of(home, copy, single)) {
                w.setRequiresGradient(true);
            }
            for (int step = 1; step <= 3; step++) {
                NDArray x0 = manager.randomNormal(new Shape(4));
                NDArray x1 = manager.randomNormal(new Shape(4));
                try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                    // each copy sees its own block; the single weight sees both
                    c.backward(home.matMul(x0).square().sum());
                    c.backward(copy.matMul(x1).square().sum());
                    c.backward(single.matMul(x0).square().sum());
                    c.backward(single.matMul(x1).square().sum());
                }
                server.update("w", new NDArray[] {home, copy});
                try (NDArray g = single.getGradient()) {
                    reference.update("w", single, g);
                }
                assertEquals(step, adamW.getUpdateCount("w"), "one update per step, not per copy");
                assertEquals(step, adamW.getStep());
                assertArrayEquals(home.toFloatArray(), copy.toFloatArray(), 0f, "copies equal");
                assertArrayEquals(
                        single.toFloatArray(), home.toFloatArray(), 1e-6f, "step " + step);
                for (NDArray w : List.of(home, copy)) {
                    try (NDArray g = w.getGradient()) {
                        assertEquals(0f, g.abs().sum().getFloat(), "gradients are zeroed");
                    }
                }
            }
            // a copy updated before its home copy would take stale weights: refused
            try (NDArray g = copy.zerosLike()) {
                IllegalStateException e =
                        assertThrows(IllegalStateException.class, () -> adamW.update("w", copy, g));
                assertTrue(e.getMessage().contains("home copy on device 0"), e.getMessage());
            }
        } finally {
            adamW.close();
            reference.close();
        }
    }

    @Test
    void theReplicatedNormIsThatOfTheSummedGradients() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray a0 = manager.create(new float[] {3, 0});
            NDArray a1 = manager.create(new float[] {1, 0});
            NDArray b0 = manager.create(new float[] {0, 1});
            NDArray b1 = manager.create(new float[] {0, 2});
            // sums (4, 0) and (0, 3): norm 5, where the copies' own norms add up to 3 + 1 + 1 + 2
            double norm =
                    GlobalNormClipping.clipReplicated(
                            List.of(List.of(a0, a1), List.of(b0, b1)), 1.0);
            assertEquals(5.0, norm, 1e-6);
            float scale = (float) (1.0 / (5.0 + GlobalNormClipping.EPSILON));
            assertArrayEquals(new float[] {3 * scale, 0}, a0.toFloatArray(), 1e-7f);
            assertArrayEquals(new float[] {scale, 0}, a1.toFloatArray(), 1e-7f);
            assertArrayEquals(new float[] {0, 2 * scale}, b1.toFloatArray(), 1e-7f);
            NDList sums = new NDList(a0.add(a1), b0.add(b1));
            assertEquals(1.0, GlobalNormClipping.norm(sums), 1e-6, "the sum is clipped to 1");
        }
    }

    @Test
    void devicesAreCheckedBeforeAnythingIsAllocated() {
        IllegalArgumentException twice =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> RunOptions.builder().devices(Device.cpu(), Device.of("cpu", 1)));
        assertTrue(twice.getMessage().contains("listed twice"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunOptions.builder().devices());
        IllegalArgumentException multi =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                RunOptions.builder()
                                        .devices(
                                                new Device.MultiDevice(
                                                        Device.gpu(0), Device.gpu(1))));
        assertTrue(multi.getMessage().contains("one by one"), multi.getMessage());

        Device missing = Device.gpu(Engine.getInstance().getGpuCount());
        RunOptions options = quiet().devices(Device.cpu(), missing).build();
        IllegalArgumentException absent =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                TrainingRun.start(
                                        MOT,
                                        settings(1.0),
                                        SyntheticSequences.create(8, 1),
                                        options));
        assertTrue(absent.getMessage().contains("cannot train on " + missing), absent.getMessage());
        assertEquals(List.of(Device.cpu(), missing), options.devices());
        assertEquals(Device.cpu(), options.device());
    }
}
