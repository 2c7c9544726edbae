package io.motdjl.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.util.Pair;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.Untie;
import io.motdjl.io.ReferenceCheckpoint;
import io.motdjl.io.ReferenceNames;
import io.motdjl.nn.ConvNoiseHead;
import io.motdjl.nn.ConvPatchAdapter;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.nn.NoiseHead;
import io.motdjl.nn.TokenEmbedding;
import io.motdjl.objective.ModalityLosses;
import io.motdjl.objective.PreparedBatch;
import io.motdjl.train.FlopsAccounting;
import io.motdjl.train.TrainingRun;
import io.motdjl.train.TrainingSettings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Transfusion model with the conv patch encoder ({@code diffusion.patch_encoder: "conv"}): built
 * from the config, counted, named, saved and reloaded, differentiable into every convolution, and
 * trainable.
 */
class ConvTransfusionTest {

    private static final MoTConfig CONFIG = TinyTransfusion.CONV_CONFIG;
    private static final TransfusionObjective OBJECTIVE = TransfusionObjective.standard(2, 1);

    @Test
    void configBuildsTheConvBlocksAndCountsTheirParameters() {
        for (Untie untie : new Untie[] {Untie.ALL, Untie.NONE}) {
            MoTConfig config = CONFIG.toBuilder().untie(untie).build();
            try (NDManager manager = NDManager.newBaseManager()) {
                MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
                assertInstanceOf(TokenEmbedding.class, model.inputAdapter(0));
                assertInstanceOf(ConvPatchAdapter.class, model.inputAdapter(1));
                assertInstanceOf(ConvNoiseHead.class, model.outputHead(1));
                long stored =
                        model.getParameters().stream()
                                .mapToLong(p -> p.getValue().getArray().size())
                                .sum();
                assertEquals(
                        stored,
                        FlopsAccounting.of(config).totalParameters(),
                        "counted from the config alone (" + untie + ")");
            }
        }
    }

    @Test
    void convTensorsHaveReferenceNamesAndShapes() {
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(CONFIG, manager, DataType.FLOAT32);
            Map<String, ReferenceNames.Slot> names = ReferenceNames.of(model);
            long d = CONFIG.dim();
            long c = TinyTransfusion.CONV_CHANNELS;
            long p = TinyTransfusion.CONV_PATCH_SIDE;
            Map<String, long[]> expected =
                    Map.ofEntries(
                            Map.entry("image_adapter.conv_in.weight", new long[] {c, 1, 3, 3}),
                            Map.entry("image_adapter.conv_in.bias", new long[] {c}),
                            Map.entry("image_adapter.conv_mid.weight", new long[] {c, c, 3, 3}),
                            Map.entry("image_adapter.conv_mid.bias", new long[] {c}),
                            Map.entry("image_adapter.patchify.weight", new long[] {d, c, p, p}),
                            Map.entry("image_adapter.patchify.bias", new long[] {d}),
                            Map.entry(
                                    "image_adapter.timestep_embedding.linear_1.weight",
                                    new long[] {d, d}),
                            Map.entry(
                                    "image_adapter.timestep_embedding.linear_2.bias",
                                    new long[] {d}),
                            Map.entry("image_head.unpatchify.weight", new long[] {d, c, p, p}),
                            Map.entry("image_head.unpatchify.bias", new long[] {c}),
                            Map.entry("image_head.conv_mid.weight", new long[] {c, c, 3, 3}),
                            Map.entry("image_head.conv_mid.bias", new long[] {c}),
                            Map.entry("image_head.conv_out.weight", new long[] {1, c, 3, 3}),
                            Map.entry("image_head.conv_out.bias", new long[] {1}));
            expected.forEach(
                    (name, shape) -> {
                        assertTrue(names.containsKey(name), name + " missing: " + names.keySet());
                        assertArrayEquals(shape, names.get(name).shape().getShape(), name);
                        assertArrayEquals(
                                shape,
                                names.get(name).parameter().getArray().getShape().getShape(),
                                name + " as stored");
                    });
            assertTrue(!names.containsKey("image_adapter.patch_projection.weight"));
            // every parameter of the model has exactly one name
            long named =
                    names.values().stream().map(ReferenceNames.Slot::parameter).distinct().count();
            assertEquals(model.getParameters().size(), named);
        }
    }

    @Test
    void saveAndLoadGiveIdenticalOutputs(@TempDir Path dir) throws Exception {
        for (Untie untie : new Untie[] {Untie.ALL, Untie.NONE}) {
            MoTConfig config = CONFIG.toBuilder().untie(untie).build();
            try (NDManager manager = NDManager.newBaseManager()) {
                MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
                Path saved = dir.resolve(untie == Untie.ALL ? "mot" : "dense");
                ReferenceCheckpoint.save(model, saved);
                MoTModel loaded = ReferenceCheckpoint.load(saved, manager);
                assertEquals(config, loaded.config());
                assertInstanceOf(ConvPatchAdapter.class, loaded.inputAdapter(1));
                PreparedBatch prepared = preparedBatch(manager, 4, 9);
                ParameterStore ps = new ParameterStore(manager, false);
                for (String output : new String[] {"logits", NoiseHead.OUTPUT}) {
                    assertArrayEquals(
                            MoTOutputs.of(model.forward(ps, prepared.data(), false))
                                    .get(output)
                                    .toFloatArray(),
                            MoTOutputs.of(loaded.forward(ps, prepared.data(), false))
                                    .get(output)
                                    .toFloatArray(),
                            output + " after reloading (" + untie + ")");
                }
            }
        }
    }

    @Test
    void djlsOwnParameterFilesRoundTripToo(@TempDir Path dir) throws Exception {
        try (NDManager manager = NDManager.newBaseManager();
                Model model = Model.newInstance("conv")) {
            MoTModel block = TinyModels.model(CONFIG, model.getNDManager(), DataType.FLOAT32);
            model.setBlock(block);
            PreparedBatch prepared = preparedBatch(manager, 4, 7);
            ParameterStore ps = new ParameterStore(manager, false);
            float[] before =
                    MoTOutputs.of(block.forward(ps, prepared.data(), false))
                            .get(NoiseHead.OUTPUT)
                            .toFloatArray();
            model.save(dir, "conv");
            try (Model loaded = Model.newInstance("conv")) {
                MoTModel fresh = new MoTModel(CONFIG);
                loaded.setBlock(fresh);
                loaded.load(dir, "conv");
                float[] after =
                        MoTOutputs.of(fresh.forward(ps, prepared.data(), false))
                                .get(NoiseHead.OUTPUT)
                                .toFloatArray();
                assertArrayEquals(before, after);
            }
        }
    }

    @Test
    void mixedBatchIsFiniteAndEveryConvolutionGetsAGradient() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(CONFIG, manager, DataType.FLOAT32);
            PreparedBatch prepared = preparedBatch(manager, 4, 5);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                MoTOutputs outputs =
                        MoTOutputs.of(
                                model.forward(
                                        new ParameterStore(manager, false), prepared.data(), true));
                for (String output : new String[] {"logits", NoiseHead.OUTPUT}) {
                    NDArray values = outputs.get(output);
                    assertTrue(
                            !values.isNaN().any().getBoolean()
                                    && !values.isInfinite().any().getBoolean(),
                            output + " is not finite");
                }
                NDArray loss = OBJECTIVE.evaluate(outputs, prepared.labels()).mean();
                TinyModels.forceGarbageCollection();
                collector.backward(loss);
            }
            List<Parameter> convolutions = new java.util.ArrayList<>();
            for (Pair<String, Parameter> p : model.inputAdapter(1).getParameters()) {
                convolutions.add(p.getValue());
            }
            for (Pair<String, Parameter> p : model.outputHead(1).getParameters()) {
                convolutions.add(p.getValue());
            }
            assertEquals(16, convolutions.size(), "3 + 3 convolutions and the timestep MLP");
            for (Parameter p : convolutions) {
                NDArray gradient = p.getArray().getGradient();
                double largest = gradient.abs().max().getFloat();
                assertTrue(
                        largest > 0 && Double.isFinite(largest),
                        p.getName() + " " + p.getShape() + " gets gradient " + largest);
            }
        }
    }

    @Test
    void trainingLowersTheDiffusionLoss() throws Exception {
        TinyTransfusion train = TinyTransfusion.createConv(64, 1, 8);
        TinyTransfusion heldOut = TinyTransfusion.createConv(16, 2, 8);
        TrainingSettings settings =
                TrainingSettings.builder()
                        .seed(3)
                        .batchSize(8)
                        .totalSteps(40)
                        .warmupSteps(5)
                        .peakLearningRate(1e-2)
                        .build();
        try (TrainingRun run =
                TrainingRun.start(CONFIG, settings, train, TinyTransfusion.OPTIONS)) {
            ModalityLosses before = run.evaluate(heldOut);
            run.trainToEnd();
            ModalityLosses after = run.evaluate(heldOut);
            assertTrue(
                    after.mean(1) < 0.7 * before.mean(1),
                    "diffusion loss " + before.mean(1) + " -> " + after.mean(1));
            assertNotEquals(0, after.count(1));
        }
    }

    @Test
    void samplerAndGeneratorRefuseImagesOfAnotherSize() {
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(CONFIG, manager, DataType.FLOAT32);
            ImageSampler sampler =
                    new ImageSampler(model, CosineSchedule.standard(), 0, 1, TinyTransfusion.PATCH);
            IllegalArgumentException rows =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    sampler.sample(
                                            new long[] {1, TinyTransfusion.BOI},
                                            new long[] {1, TinyTransfusion.BOI},
                                            TinyTransfusion.CONV_IMAGE_ROWS + 1,
                                            SamplingSettings.ddim(2, 0, 0),
                                            manager));
            assertTrue(
                    rows.getMessage().contains("whole images of 4 patch rows"), rows.getMessage());
            IllegalArgumentException geometry =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    new TransfusionGenerator(
                                            model, manager, new ImagePatches(8, 8, 2)));
            assertTrue(
                    geometry.getMessage().contains("configured for 4x4 images in 2x2 patches"),
                    geometry.getMessage());
        }
    }

    /** A batch of the conv task, noised by the objective with {@code seed}. */
    private static PreparedBatch preparedBatch(NDManager manager, int size, long seed)
            throws Exception {
        Batch batch = TinyTransfusion.createConv(size, 3, size).getData(manager).iterator().next();
        return OBJECTIVE.prepare(batch.getData(), batch.getLabels(), seed);
    }
}
