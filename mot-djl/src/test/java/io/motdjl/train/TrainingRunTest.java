package io.motdjl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.training.listener.DivergenceCheckTrainingListener;
import ai.djl.training.listener.EpochTrainingListener;
import ai.djl.training.listener.EvaluatorTrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.util.Pair;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.MoeConfig;
import io.motdjl.config.MoeRouting;
import io.motdjl.config.Untie;
import io.motdjl.io.CheckpointException;
import io.motdjl.io.ReferenceCheckpoint;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.objective.ModalityLosses;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The training driver end to end on a tiny MoT and a learnable synthetic task. */
class TrainingRunTest {

    private static final MoTConfig MOT = TinyModels.config(2).build();
    private static final RunOptions QUIET =
            RunOptions.builder().device(Device.cpu()).progressBar(false).logEvery(0).build();

    private static TrainingSettings.Builder settings() {
        return TrainingSettings.builder()
                .seed(7)
                .batchSize(8)
                .totalSteps(40)
                .warmupSteps(4)
                .peakLearningRate(1e-2)
                .weightDecay(0.01)
                .maxGradNorm(1.0);
    }

    @Test
    void trainingLowersTheLossOfEveryModality() throws Exception {
        SyntheticSequences train = SyntheticSequences.create(64, 1);
        SyntheticSequences heldOut = SyntheticSequences.create(32, 2);
        TrainingSettings s = settings().totalSteps(150).warmupSteps(10).build();
        RunOptions logged =
                RunOptions.builder()
                        .device(Device.cpu())
                        .progressBar(false)
                        .logEvery(50)
                        .modalityNames(List.of("text", "image"))
                        .build();
        try (TrainingRun run = TrainingRun.start(MOT, s, train, logged)) {
            ModalityLosses before = run.evaluate(heldOut);
            List<StepReport> reports = run.trainToEnd();
            ModalityLosses after = run.evaluate(heldOut);

            assertEquals(150, reports.size());
            assertEquals(150, run.step());
            float first =
                    (reports.get(0).loss() + reports.get(1).loss() + reports.get(2).loss()) / 3;
            float last =
                    (reports.get(147).loss() + reports.get(148).loss() + reports.get(149).loss())
                            / 3;
            assertTrue(last < 0.5f * first, "training loss " + first + " -> " + last);
            for (int m = 0; m < 2; m++) {
                assertTrue(
                        after.mean(m) < 0.6 * before.mean(m),
                        "held-out loss of modality " + m + ": " + before + " -> " + after);
            }
            // every image token follows from the one before (or from the last text token)
            assertTrue(after.mean(1) < 1.0, "image loss " + after);
        }
    }

    @Test
    void aHybridMixtureTrainsWithItsAuxiliaryLossesWeighed() throws Exception {
        MoTConfig hybrid =
                TinyModels.config(2)
                        .moe(new MoeConfig(3, MoeRouting.TOKEN_CHOICE, 1, 1.0, List.of(0)))
                        .build();
        SyntheticSequences train = SyntheticSequences.create(32, 9);
        SyntheticSequences heldOut = SyntheticSequences.create(16, 10);
        try (TrainingRun run =
                TrainingRun.start(hybrid, settings().totalSteps(60).build(), train, QUIET)) {
            String objective = run.loss().objective().toString();
            assertTrue(objective.contains("load_balance"), objective);
            ModalityLosses before = run.evaluate(heldOut);
            List<StepReport> reports = run.trainToEnd();
            ModalityLosses after = run.evaluate(heldOut);
            for (int m = 0; m < 2; m++) {
                assertTrue(after.mean(m) < before.mean(m), before + " -> " + after);
            }
            // a text token costs more than an image token (a router), so FLOPs are per modality
            double perToken = reports.get(59).totalTrainingFlops() / reports.get(59).totalTokens();
            // tower 0 of both layers is a mixture: two auxiliary losses and a share each
            StepReport lastStep = reports.get(59);
            assertEquals(
                    List.of(
                            "layers.0.feed_forward.0.load_balance",
                            "layers.0.feed_forward.0.router_z",
                            "layers.1.feed_forward.0.load_balance",
                            "layers.1.feed_forward.0.router_z"),
                    lastStep.auxiliaryLosses().keySet().stream().sorted().toList());
            float[] share = lastStep.statistics().get("layers.1.feed_forward.0.expert_share");
            assertEquals(1.0, share[0] + share[1] + share[2], 1e-5);
            FlopsAccounting f = run.flops();
            int length = SyntheticSequences.LENGTH;
            assertTrue(perToken > 3.0 * f.forwardFlopsPerToken(1, length), "" + perToken);
            assertTrue(perToken < 3.0 * f.forwardFlopsPerToken(0, length), "" + perToken);
        }
    }

    @Test
    void theRunTrainsTheModelAndObjectiveItIsGiven() throws Exception {
        SyntheticSequences train = SyntheticSequences.create(24, 5);
        java.util.function.Function<MoTConfig, io.motdjl.nn.MoTModel> penalisedText =
                config ->
                        io.motdjl.nn.MoTModel.builder(config)
                                .optFeedForwardFactory(
                                        (c, layer, tower) ->
                                                tower == 0
                                                        ? new TinyModels.PenalisedSwiGlu(c)
                                                        : io.motdjl.nn.FeedForwardFactory.SWIGLU
                                                                .create(c, layer, tower))
                                .build();
        float[] firstLoss = new float[2];
        double[] weights = {0.0, 100.0};
        for (int i = 0; i < 2; i++) {
            double weight = weights[i];
            RunOptions options =
                    RunOptions.builder()
                            .device(Device.cpu())
                            .progressBar(false)
                            .logEvery(0)
                            .model(penalisedText)
                            .objective(
                                    config ->
                                            new io.motdjl.objective.WithAuxiliaryLosses(
                                                    new io.motdjl.objective.NextTokenObjective(
                                                            config.nModalities()),
                                                    Map.of("l2", weight)))
                            .build();
            try (TrainingRun run = TrainingRun.start(MOT, settings().build(), train, options)) {
                assertTrue(
                        run.model().layers().get(0).feedForward().experts().tower(0)
                                instanceof TinyModels.PenalisedSwiGlu);
                firstLoss[i] = run.train(1).get(0).loss();
                ModalityLosses heldOut = run.evaluate(train);
                assertTrue(Double.isFinite(heldOut.mean(0)), heldOut.toString());
            }
        }
        // the same first batch and weights: only the weighted auxiliary term differs
        assertTrue(firstLoss[1] > firstLoss[0] + 1e-3, firstLoss[0] + " vs " + firstLoss[1]);

        RunOptions wrong =
                RunOptions.builder()
                        .device(Device.cpu())
                        .progressBar(false)
                        .objective(config -> new io.motdjl.objective.NextTokenObjective(3))
                        .build();
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TrainingRun.start(MOT, settings().build(), train, wrong));
        assertTrue(e.getMessage().contains("3 modalities"), e.getMessage());
    }

    @Test
    void theSameSeedGivesTheSameRunBitForBit() throws Exception {
        SyntheticSequences train = SyntheticSequences.create(40, 3);
        SyntheticSequences heldOut = SyntheticSequences.create(8, 4);
        List<StepReport> first;
        Map<String, float[]> firstWeights;
        try (TrainingRun run = TrainingRun.start(MOT, settings().build(), train, QUIET)) {
            first = run.train(12);
            firstWeights = weights(run.model());
        }
        List<StepReport> second;
        Map<String, float[]> secondWeights;
        try (TrainingRun run = TrainingRun.start(MOT, settings().build(), train, QUIET)) {
            // held-out evaluations in between must not change the trajectory
            run.every(3, (r, report) -> r.evaluate(heldOut));
            second = run.train(12);
            secondWeights = weights(run.model());
        }
        assertSameLosses(first, second);
        assertSameWeights(firstWeights, secondWeights);

        try (TrainingRun run = TrainingRun.start(MOT, settings().seed(8).build(), train, QUIET)) {
            List<StepReport> other = run.train(2);
            assertNotEquals(first.get(0).loss(), other.get(0).loss(), "another seed, another run");
        }
    }

    @Test
    void resumingContinuesExactlyAsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        // 40 rows in batches of 8: 5 batches an epoch, so 14 steps wrap twice; the checkpoint at
        // step 7 falls in the middle of epoch 1, with warmup done and clipping active
        SyntheticSequences train = SyntheticSequences.create(40, 5);
        TrainingSettings s = settings().maxGradNorm(0.5).build();
        List<StepReport> straight;
        Map<String, float[]> straightWeights;
        try (TrainingRun run = TrainingRun.start(MOT, s, train, QUIET)) {
            straight = run.train(14);
            straightWeights = weights(run.model());
        }
        assertTrue(straight.stream().anyMatch(StepReport::clipped), "clipping should happen");

        List<StepReport> resumed = new ArrayList<>();
        Path checkpoint = dir.resolve("checkpoint");
        try (TrainingRun run = TrainingRun.start(MOT, s, train, QUIET)) {
            resumed.addAll(run.train(7));
            run.saveCheckpoint(checkpoint);
            assertEquals(new DataPosition(1, 2), run.dataPosition());
        }
        Map<String, float[]> resumedWeights;
        try (TrainingRun run = TrainingRun.resume(checkpoint, train, QUIET)) {
            assertEquals(7, run.step());
            assertEquals(s, run.settings());
            resumed.addAll(run.train(7));
            resumedWeights = weights(run.model());
            assertEquals(straight.get(13).totalTokens(), run.totalTokens());
            assertEquals(straight.get(13).totalTrainingFlops(), run.totalTrainingFlops());
        }
        assertSameLosses(straight, resumed);
        assertSameWeights(straightWeights, resumedWeights);
    }

    @Test
    void aCheckpointIsAlsoAReferenceCheckpoint(@TempDir Path parent) throws Exception {
        Path dir = parent.resolve("checkpoint");
        SyntheticSequences train = SyntheticSequences.create(16, 6);
        try (TrainingRun run = TrainingRun.start(MOT, settings().build(), train, QUIET);
                NDManager manager = NDManager.newBaseManager()) {
            run.train(2);
            run.saveCheckpoint(dir);
            run.train(1);
            run.saveCheckpoint(dir); // replaces the older one
            MoTModel loaded = ReferenceCheckpoint.load(dir, manager);
            assertSameWeights(weights(run.model()), weights(loaded));
            assertTrue(Files.isRegularFile(dir.resolve(TrainingCheckpoint.OPTIMIZER_FILE)));
            try (var files = Files.list(parent)) {
                assertEquals(
                        List.of("checkpoint"),
                        files.map(p -> p.getFileName().toString()).toList(),
                        "no staging directories are left behind");
            }
        }
        Files.delete(dir.resolve(TrainingCheckpoint.OPTIMIZER_FILE));
        CheckpointException e =
                assertThrows(
                        CheckpointException.class, () -> TrainingRun.resume(dir, train, QUIET));
        assertTrue(e.getMessage().contains(TrainingCheckpoint.OPTIMIZER_FILE), e.getMessage());
    }

    @Test
    void liveArraysStayFlatOverFiftySteps() throws Exception {
        SyntheticSequences train = SyntheticSequences.create(24, 7);
        SyntheticSequences heldOut = SyntheticSequences.create(8, 8);
        List<Integer> counts = new ArrayList<>();
        try (TrainingRun run =
                TrainingRun.start(MOT, settings().totalSteps(50).build(), train, QUIET)) {
            run.every(1, (r, report) -> counts.add(r.liveArrayCount()));
            run.every(10, (r, report) -> r.evaluate(heldOut));
            run.train(50);
        }
        // step 1 creates the optimizer state (and DJL's one-off gradient check); then nothing grows
        for (int i = 1; i < counts.size(); i++) {
            assertEquals(
                    counts.get(1),
                    counts.get(i),
                    "live arrays after step " + (i + 1) + ": " + counts);
        }
    }

    @Test
    void callbacksRunEveryKStepsAndFlopsAccumulate() throws Exception {
        SyntheticSequences train = SyntheticSequences.create(24, 9);
        List<Integer> steps = new ArrayList<>();
        try (TrainingRun run = TrainingRun.start(MOT, settings().build(), train, QUIET)) {
            run.every(4, (r, report) -> steps.add(report.step()));
            List<StepReport> reports = run.train(10);
            long tokens = 0;
            double flops = 0;
            FlopsAccounting accounting = FlopsAccounting.of(MOT);
            for (StepReport r : reports) {
                assertEquals(SyntheticSequences.LENGTH, r.sequenceLength());
                assertTrue(r.tokens() <= 8L * SyntheticSequences.LENGTH);
                tokens += r.tokens();
                flops +=
                        (double) r.tokens()
                                * accounting.trainingFlopsPerToken(SyntheticSequences.LENGTH);
                assertEquals(tokens, r.totalTokens());
                assertEquals(flops, r.totalTrainingFlops(), 1e-9 * flops);
                assertEquals(run.schedule().getNewValue(r.step()), r.learningRate(), 0.0);
                assertTrue(r.gradNorm() > 0);
            }
            assertTrue(tokens < 10L * 8 * SyntheticSequences.LENGTH, "padding is not counted");
        }
        assertEquals(List.of(4, 8), steps);
    }

    @Test
    void heldOutLossIsAMeanOverTokensNotOverBatches() throws Exception {
        SyntheticSequences train = SyntheticSequences.create(16, 10);
        SyntheticSequences heldOut = SyntheticSequences.create(13, 11);
        try (TrainingRun run = TrainingRun.start(MOT, settings().build(), train, QUIET)) {
            run.train(3);
            ModalityLosses whole = run.evaluate(heldOut, 13);
            ModalityLosses inSmallBatches = run.evaluate(heldOut, 3);
            ModalityLosses oneByOne = run.evaluate(heldOut, 1);
            for (ModalityLosses other : List.of(inSmallBatches, oneByOne)) {
                assertEquals(whole.count(), other.count());
                assertEquals(whole.mean(), other.mean(), 1e-5);
                for (int m = 0; m < 2; m++) {
                    assertEquals(whole.count(m), other.count(m));
                    assertEquals(whole.mean(m), other.mean(m), 1e-5);
                }
            }
            // 13 rows of 11 predictions minus padding
            assertTrue(whole.count() < 13 * 11 && whole.count() > 13 * 7, whole.toString());
        }
    }

    @Test
    void moTAndTheDenseBaselineSeeTheSameBatches() throws Exception {
        SyntheticSequences train = SyntheticSequences.create(24, 12);
        List<List<?>> motOrder = batchOrder(MOT, train);
        // the dense baseline keeps the modality ids (for per-modality losses) and ties everything
        List<List<?>> denseOrder = batchOrder(MOT.toBuilder().untie(Untie.NONE).build(), train);
        assertEquals(motOrder, denseOrder);
        assertEquals(8, motOrder.size());
    }

    private static List<List<?>> batchOrder(MoTConfig config, SyntheticSequences train)
            throws Exception {
        List<List<?>> order = new ArrayList<>();
        RunOptions recording =
                RunOptions.builder()
                        .device(Device.cpu())
                        .progressBar(false)
                        .logEvery(0)
                        .addListeners(
                                new TrainingListenerAdapter() {
                                    @Override
                                    public void onTrainingBatch(Trainer trainer, BatchData data) {
                                        order.add(List.copyOf(data.getBatch().getIndices()));
                                    }
                                })
                        .build();
        try (TrainingRun run = TrainingRun.start(config, settings().build(), train, recording)) {
            run.train(8);
        }
        return order;
    }

    @Test
    void djlsDefaultListenersSeeEpochsAndTokenWeightedLosses() throws Exception {
        // 40 rows in batches of 8: the 6th and 11th steps start epochs 1 and 2
        SyntheticSequences train = SyntheticSequences.create(40, 13);
        EpochTrainingListener epochs = new EpochTrainingListener();
        EvaluatorTrainingListener evaluators = new EvaluatorTrainingListener();
        RunOptions options =
                RunOptions.builder()
                        .device(Device.cpu())
                        .progressBar(false)
                        .logEvery(4)
                        .addListeners(epochs, evaluators, new DivergenceCheckTrainingListener())
                        .build();
        try (TrainingRun run = TrainingRun.start(MOT, settings().build(), train, options)) {
            List<StepReport> reports = run.train(12);
            assertEquals(2, epochs.getNumEpochs());
            assertEquals(2, reports.get(11).epoch());
            ModalityLosses lastStep =
                    run.loss().getModalityAccumulator(EvaluatorTrainingListener.TRAIN_ALL);
            assertEquals(reports.get(11).losses().count(), lastStep.count());
            assertEquals(reports.get(11).loss(), lastStep.mean(), 1e-5);
            // the epoch accumulator restarted at the wrap: steps 11 and 12 only
            ModalityLosses epoch =
                    run.loss().getModalityAccumulator(EvaluatorTrainingListener.TRAIN_EPOCH);
            assertEquals(
                    reports.get(10).losses().plus(reports.get(11).losses()).mean(),
                    epoch.mean(),
                    1e-9);
            assertTrue(evaluators.getLatestEvaluations().containsKey("train_loss"));
        }
    }

    @Test
    void unnamedOptionalInputsAreRejected() throws Exception {
        ai.djl.training.dataset.ArrayDataset unnamed;
        try (NDManager manager = NDManager.newBaseManager()) {
            var tokens =
                    manager.zeros(
                            new ai.djl.ndarray.types.Shape(8, 6),
                            ai.djl.ndarray.types.DataType.INT64);
            var mask =
                    manager.ones(
                            new ai.djl.ndarray.types.Shape(8, 6),
                            ai.djl.ndarray.types.DataType.INT64);
            unnamed =
                    new ai.djl.training.dataset.ArrayDataset.Builder()
                            .setData(tokens, tokens.duplicate(), mask)
                            .optLabels(tokens.duplicate(), tokens.duplicate(), mask.duplicate())
                            .setSampling(4, false)
                            .build();
            try (TrainingRun run =
                    TrainingRun.start(MOT, settings().batchSize(4).build(), unnamed, QUIET)) {
                IllegalArgumentException e =
                        assertThrows(IllegalArgumentException.class, () -> run.train(1));
                assertTrue(e.getMessage().contains(MoTInputs.VALID_TOKENS), e.getMessage());
            }
        }
    }

    @Test
    void nextTokenTrainingRefusesBidirectionalImageSpans() {
        try (NDManager manager = NDManager.newBaseManager()) {
            var shape = new ai.djl.ndarray.types.Shape(2, 6);
            var tokens = manager.zeros(shape, ai.djl.ndarray.types.DataType.INT64);
            var spans = manager.create(new long[] {0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0}, shape);
            var noSpans = manager.zeros(shape, ai.djl.ndarray.types.DataType.INT64);
            NDList labels = new NDList(tokens, tokens);
            NDList data = MoTInputs.of(tokens, tokens).withImageSpanIds(spans).toNDList();
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class, () -> BatchLayout.check(data, labels));
            assertTrue(e.getMessage().contains("would then see its own targets"), e.getMessage());
            // all-zero span ids are plain causal attention: accepted
            BatchLayout.check(
                    MoTInputs.of(tokens, tokens).withImageSpanIds(noSpans).toNDList(), labels);
        }
    }

    // ---------------------------------------------------------------- helpers

    static Map<String, float[]> weights(MoTModel model) {
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : model.getParameters()) {
            weights.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return weights;
    }

    static void assertSameWeights(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name), actual.get(name), 0f, name);
        }
    }

    static void assertSameLosses(List<StepReport> expected, List<StepReport> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            StepReport e = expected.get(i);
            StepReport a = actual.get(i);
            assertEquals(e.step(), a.step());
            assertEquals(
                    Float.floatToIntBits(e.loss()),
                    Float.floatToIntBits(a.loss()),
                    "loss of step " + e.step());
            assertEquals(e.gradNorm(), a.gradNorm(), 0.0, "grad norm of step " + e.step());
            assertArrayEquals(e.losses().means(), a.losses().means(), 0.0, "step " + e.step());
        }
    }
}
