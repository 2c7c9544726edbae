package io.motdjl.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;

import io.motdjl.TinyModels;
import io.motdjl.config.DiffusionConfig;
import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.nn.NoiseHead;
import io.motdjl.nn.PatchAdapter;
import io.motdjl.objective.LossValue;
import io.motdjl.objective.ModalityLosses;
import io.motdjl.objective.PreparedBatch;
import io.motdjl.train.RunOptions;
import io.motdjl.train.TrainingRun;
import io.motdjl.train.TrainingSettings;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

class TransfusionObjectiveTest {

    private static final TransfusionObjective OBJECTIVE = TransfusionObjective.standard(2, 1);
    private static final int B = 4;
    private static final int T = TinyTransfusion.LENGTH;
    private static final int P = TinyTransfusion.PATCH;

    /** The first batch of a fresh dataset, its arrays in {@code manager}. */
    private static Batch firstBatch(NDManager manager) throws Exception {
        return TinyTransfusion.create(B, 3, B).getData(manager).iterator().next();
    }

    private static MoTModel model(NDManager manager) {
        return TinyModels.initialize(
                new MoTModel(TinyTransfusion.CONFIG), manager, DataType.FLOAT32);
    }

    @Test
    void prepareNoisesEachImageAtOneSeededTimestep() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Batch batch = firstBatch(manager);
            float[] clean =
                    MoTInputs.from(batch.getData()).extra(PatchAdapter.PATCHES).toFloatArray();
            PreparedBatch a = OBJECTIVE.prepare(batch.getData(), batch.getLabels(), 11);
            PreparedBatch b = OBJECTIVE.prepare(batch.getData(), batch.getLabels(), 11);
            PreparedBatch c = OBJECTIVE.prepare(batch.getData(), batch.getLabels(), 12);
            MoTInputs in = MoTInputs.from(a.data());
            float[] noised = in.extra(PatchAdapter.PATCHES).toFloatArray();
            long[] steps = in.extra(PatchAdapter.TIMESTEPS).toLongArray();
            float[] noise = a.labels().get(3).toFloatArray();
            assertArrayEquals(
                    noised, MoTInputs.from(b.data()).extra(PatchAdapter.PATCHES).toFloatArray());
            assertFalse(
                    java.util.Arrays.equals(
                            noised,
                            MoTInputs.from(c.data()).extra(PatchAdapter.PATCHES).toFloatArray()),
                    "another seed draws other noise");
            long[] modalities = in.modalities().toLongArray();
            CosineSchedule schedule = OBJECTIVE.schedule();
            for (int r = 0; r < B; r++) {
                long imageStep = -1;
                for (int t = 0; t < T; t++) {
                    int i = r * T + t;
                    if (modalities[i] != 1) {
                        assertEquals(0, steps[i]);
                        for (int p = 0; p < P; p++) {
                            assertEquals(0f, noise[i * P + p], "no noise outside images");
                        }
                        continue;
                    }
                    if (imageStep < 0) {
                        imageStep = steps[i];
                    }
                    assertEquals(imageStep, steps[i], "one timestep per image");
                    int s = (int) steps[i];
                    for (int p = 0; p < P; p++) {
                        int k = i * P + p;
                        double want =
                                schedule.signalScale(s) * clean[k]
                                        + schedule.noiseScale(s) * noise[k];
                        assertEquals(want, noised[k], 1e-5);
                    }
                }
            }
            assertEquals(TransfusionObjective.NOISE, a.labels().get(3).getName());
        }
    }

    @Test
    void aTimestepLimitKeepsAnImageLightlyNoised() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Batch batch = firstBatch(manager);
            MoTInputs in = MoTInputs.from(batch.getData());
            // the first two sequences' images are limited to t < 3, the others are free
            long[] limit = new long[B * T];
            java.util.Arrays.fill(limit, 0, 2 * T, 3);
            NDList data =
                    in.withExtra(
                                    TransfusionObjective.TIMESTEP_LIMIT,
                                    manager.create(limit, in.tokens().getShape()))
                            .toNDList();
            int high = 0;
            for (long seed = 0; seed < 20; seed++) {
                long[] steps =
                        MoTInputs.from(OBJECTIVE.prepare(data, batch.getLabels(), seed).data())
                                .extra(PatchAdapter.TIMESTEPS)
                                .toLongArray();
                for (int i = 0; i < B * T; i++) {
                    if (i < 2 * T) {
                        assertTrue(steps[i] < 3, "limited image at t=" + steps[i]);
                    } else if (steps[i] >= 3) {
                        high++;
                    }
                }
            }
            assertTrue(high > 0, "the free images draw from the whole schedule");
        }
    }

    @Test
    void lossIsNextTokenOnTextPlusLambdaTimesTheMeanErrorPerImage() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = model(manager);
            Batch batch = firstBatch(manager);
            PreparedBatch prepared = OBJECTIVE.prepare(batch.getData(), batch.getLabels(), 5);
            MoTOutputs outputs =
                    MoTOutputs.of(
                            model.forward(
                                    new ParameterStore(manager, false), prepared.data(), false));
            LossValue value = OBJECTIVE.evaluate(outputs, prepared.labels());

            // the same on the host, in double precision
            float[] logits = outputs.logits().toFloatArray();
            float[] predicted = outputs.get(NoiseHead.OUTPUT).toFloatArray();
            float[] noise = prepared.labels().get(3).toFloatArray();
            long[] tokens = prepared.labels().get(0).toLongArray();
            long[] modalities = prepared.labels().get(1).toLongArray();
            int vocab = TinyTransfusion.CONFIG.vocabSize();
            double nll = 0;
            int pairs = 0;
            double imageError = 0;
            for (int r = 0; r < B; r++) {
                double error = 0;
                int rows = 0;
                for (int t = 0; t < T; t++) {
                    int i = r * T + t;
                    if (t + 1 < T && modalities[i] == 0 && modalities[i + 1] == 0) {
                        double max = Double.NEGATIVE_INFINITY;
                        for (int v = 0; v < vocab; v++) {
                            max = Math.max(max, logits[i * vocab + v]);
                        }
                        double sum = 0;
                        for (int v = 0; v < vocab; v++) {
                            sum += Math.exp(logits[i * vocab + v] - max);
                        }
                        nll -= logits[i * vocab + (int) tokens[i + 1]] - max - Math.log(sum);
                        pairs++;
                    }
                    if (modalities[i] == 1) {
                        for (int p = 0; p < P; p++) {
                            double d = predicted[i * P + p] - noise[i * P + p];
                            error += d * d / P;
                        }
                        rows++;
                    }
                }
                imageError += error / rows / B;
            }
            // per row: two caption pairs (the second predicting BOI) and EOI -> last token;
            // BOI -> image and image -> EOI do not count
            assertEquals(B * 3, pairs);
            double want = nll / pairs + TransfusionObjective.DEFAULT_LAMBDA * imageError;
            assertEquals(want, value.mean().getFloat(), 1e-5 * want);
            ModalityLosses losses = ModalityLosses.of(value);
            assertEquals(nll / pairs, losses.mean(0), 1e-5);
            assertEquals(
                    imageError, losses.mean(1), 1e-5, "equal-size images: per row = per image");
            assertEquals(B * TinyTransfusion.IMAGE_ROWS, losses.count(1));
        }
    }

    @Test
    void gradientsReachTheAdapterTheHeadAndTheTowers() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = model(manager);
            Batch batch = firstBatch(manager);
            PreparedBatch prepared = OBJECTIVE.prepare(batch.getData(), batch.getLabels(), 5);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                MoTOutputs outputs =
                        MoTOutputs.of(
                                model.forward(
                                        new ParameterStore(manager, false), prepared.data(), true));
                collector.backward(OBJECTIVE.evaluate(outputs, prepared.labels()).mean());
            }
            Map<String, Float> norms = new HashMap<>();
            model.getParameters()
                    .forEach(
                            p ->
                                    norms.put(
                                            p.getKey(),
                                            p.getValue()
                                                    .getArray()
                                                    .getGradient()
                                                    .abs()
                                                    .sum()
                                                    .getFloat()));
            for (Map.Entry<String, Float> e : norms.entrySet()) {
                if (e.getKey().contains("input_1")
                        || e.getKey().contains("head_1")
                        || e.getKey().contains("layers")) {
                    assertTrue(e.getValue() > 0, e.getKey() + " got no gradient: " + norms);
                }
            }
            assertTrue(norms.keySet().stream().anyMatch(k -> k.contains("timestep_embedding")));
        }
    }

    /**
     * The loss's scalar factors (λ, 1 / rows) are read again by backward: a collection and fresh
     * native allocations between forward and backward must not change the gradient (DJL's
     * mul(Number) freed them, so the gradient sometimes came out as NaN).
     */
    @Test
    void theGradientSurvivesACollectionBetweenForwardAndBackward() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = model(manager);
            Batch batch = firstBatch(manager);
            PreparedBatch prepared = OBJECTIVE.prepare(batch.getData(), batch.getLabels(), 5);
            Map<String, float[]> once = new HashMap<>();
            for (int run = 0; run < 2; run++) {
                List<java.nio.ByteBuffer> pollution = new ArrayList<>();
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    MoTOutputs outputs =
                            MoTOutputs.of(
                                    model.forward(
                                            new ParameterStore(manager, false),
                                            prepared.data(),
                                            true));
                    NDArray loss = OBJECTIVE.evaluate(outputs, prepared.labels()).mean();
                    if (run == 1) {
                        TinyModels.forceGarbageCollection();
                        // freed small buffers are handed out again: fill them with NaN
                        for (int i = 0; i < 20_000; i++) {
                            java.nio.ByteBuffer b =
                                    java.nio.ByteBuffer.allocateDirect(4)
                                            .order(java.nio.ByteOrder.nativeOrder());
                            b.putFloat(0, Float.NaN);
                            pollution.add(b);
                        }
                    }
                    collector.backward(loss);
                }
                for (var p : model.getParameters()) {
                    float[] gradient = p.getValue().getArray().getGradient().toFloatArray();
                    if (run == 0) {
                        once.put(p.getKey(), gradient);
                        continue;
                    }
                    // backward adds: the second run's total is twice the first
                    float[] first = once.get(p.getKey());
                    for (int i = 0; i < gradient.length; i++) {
                        assertEquals(
                                2 * first[i],
                                gradient[i],
                                1e-5 + 1e-4 * Math.abs(first[i]),
                                p.getKey() + "[" + i + "]");
                    }
                }
                pollution.clear();
            }
        }
    }

    @Test
    void badBatchesAreClearErrors() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = model(manager);
            Batch batch = firstBatch(manager);
            MoTInputs in = MoTInputs.from(batch.getData());
            // an image row outside any span
            NDList noSpans =
                    new MoTInputs(in.tokens(), in.modalities(), null, null, null, in.extras())
                            .toNDList();
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> OBJECTIVE.prepare(noSpans, batch.getLabels(), 1));
            assertTrue(e.getMessage().contains("outside any image span"), e.getMessage());
            // no clean patches
            NDList noPatches = in.withImageSpanIds(in.imageSpanIds()).toNDList();
            noPatches.removeIf(a -> PatchAdapter.PATCHES.equals(a.getName()));
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> OBJECTIVE.prepare(noPatches, batch.getLabels(), 1));
            assertTrue(e.getMessage().contains(PatchAdapter.PATCHES), e.getMessage());
            // labels that were not prepared
            PreparedBatch prepared = OBJECTIVE.prepare(batch.getData(), batch.getLabels(), 1);
            MoTOutputs outputs =
                    MoTOutputs.of(
                            model.forward(
                                    new ParameterStore(manager, false), prepared.data(), false));
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> OBJECTIVE.evaluate(outputs, batch.getLabels()));
            assertTrue(e.getMessage().contains("prepared batches"), e.getMessage());
            // the adapter refuses NaN patches and timesteps outside the schedule, by value
            MoTInputs ready = MoTInputs.from(prepared.data());
            NDArray nan = ready.extra(PatchAdapter.PATCHES).duplicate();
            nan.set(new ai.djl.ndarray.index.NDIndex(0, 4, 1), Float.NaN);
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    model.forward(
                                            new ParameterStore(manager, false),
                                            ready.withExtra(PatchAdapter.PATCHES, nan).toNDList(),
                                            false));
            assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
            NDArray late = ready.extra(PatchAdapter.TIMESTEPS).duplicate();
            late.set(new ai.djl.ndarray.index.NDIndex(1, 5), 1000L);
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    model.forward(
                                            new ParameterStore(manager, false),
                                            ready.withExtra(PatchAdapter.TIMESTEPS, late)
                                                    .toNDList(),
                                            false));
            assertTrue(
                    e.getMessage().contains("holds 1000 in an image row, outside"), e.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new TransfusionObjective(2, 2, CosineSchedule.standard(), 5));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new TransfusionObjective(2, 1, CosineSchedule.standard(), 0));
        }
    }

    @Test
    void theObjectiveNoisesOnTheModelsOwnSchedule() throws Exception {
        // a model whose sampler counts 500 timesteps is trained on 500, not on the paper's 1,000
        MoTConfig short500 =
                TinyTransfusion.CONFIG.toBuilder()
                        .diffusion(new DiffusionConfig(1, TinyTransfusion.PATCH, 500))
                        .build();
        TransfusionObjective fitted = TransfusionObjective.forConfig(short500);
        assertEquals(500, fitted.schedule().timesteps());
        fitted.requireFits(short500);
        IllegalArgumentException other =
                assertThrows(IllegalArgumentException.class, () -> OBJECTIVE.requireFits(short500));
        assertTrue(other.getMessage().contains("500 timesteps"), other.getMessage());
        IllegalArgumentException none =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> OBJECTIVE.requireFits(TinyModels.config(2).build()));
        assertTrue(none.getMessage().contains("has none"), none.getMessage());
        // the run checks it before building anything
        TrainingSettings settings =
                TrainingSettings.builder().seed(3).batchSize(4).totalSteps(2).build();
        TinyTransfusion train = TinyTransfusion.create(8, 1, 4);
        IllegalArgumentException refused =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                TrainingRun.start(
                                        short500, settings, train, TinyTransfusion.OPTIONS));
        assertTrue(refused.getMessage().contains("forConfig"), refused.getMessage());
        RunOptions own =
                RunOptions.builder()
                        .device(Device.cpu())
                        .progressBar(false)
                        .logEvery(0)
                        .objective(TransfusionObjective::forConfig)
                        .build();
        try (TrainingRun run = TrainingRun.start(short500, settings, train, own)) {
            assertEquals(2, run.train(2).size());
        }
    }

    @Test
    void trainingLowersTheDiffusionLossOnFixedHeldOutNoise() throws Exception {
        TinyTransfusion train = TinyTransfusion.create(64, 1, 8);
        TinyTransfusion heldOut = TinyTransfusion.create(16, 2, 8);
        TrainingSettings settings =
                TrainingSettings.builder()
                        .seed(3)
                        .batchSize(8)
                        .totalSteps(60)
                        .warmupSteps(5)
                        .peakLearningRate(1e-2)
                        .build();
        try (TrainingRun run =
                TrainingRun.start(
                        TinyTransfusion.CONFIG, settings, train, TinyTransfusion.OPTIONS)) {
            ModalityLosses before = run.evaluate(heldOut);
            // the held-out (timestep, noise) pairs are fixed: scoring again gives the same losses
            ModalityLosses again = run.evaluate(heldOut);
            assertEquals(before.mean(1), again.mean(1), 0.0);
            assertEquals(before.mean(0), again.mean(0), 0.0);
            run.trainToEnd();
            ModalityLosses after = run.evaluate(heldOut);
            assertTrue(
                    after.mean(1) < 0.7 * before.mean(1),
                    "diffusion loss " + before.mean(1) + " -> " + after.mean(1));
            assertTrue(
                    after.mean(0) < 0.5 * before.mean(0),
                    "text loss " + before.mean(0) + " -> " + after.mean(0));
            assertNotEquals(0, after.count(1));
        }
    }
}
