package io.motdjl.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.Untie;
import io.motdjl.io.ReferenceCheckpoint;
import io.motdjl.io.ReferenceNames;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.nn.NoiseHead;
import io.motdjl.nn.PatchAdapter;
import io.motdjl.nn.TokenEmbedding;
import io.motdjl.objective.PreparedBatch;
import io.motdjl.train.FlopsAccounting;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

/** The config's {@code diffusion} builds the Transfusion model, names its tensors and reloads. */
class TransfusionCheckpointTest {

    @Test
    void configBuildsPatchAdapterAndNoiseHeadForTheImageModality() {
        MoTModel model = new MoTModel(TinyTransfusion.CONFIG);
        assertInstanceOf(TokenEmbedding.class, model.inputAdapter(0));
        assertInstanceOf(PatchAdapter.class, model.inputAdapter(1));
        assertInstanceOf(NoiseHead.class, model.outputHead(1));
        MoTConfig reread = MoTConfig.fromJson(TinyTransfusion.CONFIG.toJson());
        assertEquals(TinyTransfusion.CONFIG, reread);
        assertEquals(1000, reread.diffusion().timesteps());
        IllegalArgumentException bad =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                MoTConfig.fromJson(
                                        TinyTransfusion.CONFIG
                                                .toJson()
                                                .replace(
                                                        "\"patch_values\": 4",
                                                        "\"patch_values\": 0")));
        assertTrue(
                bad.getMessage().contains("diffusion.patch_values must be positive, got 0"),
                bad.getMessage());
        IllegalArgumentException outside =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                MoTConfig.fromJson(
                                        TinyTransfusion.CONFIG
                                                .toJson()
                                                .replace("\"modality\": 1", "\"modality\": 2")));
        assertTrue(outside.getMessage().contains("diffusion.modality is 2"), outside.getMessage());
        IllegalArgumentException unknown =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                MoTConfig.fromJson(
                                        TinyTransfusion.CONFIG
                                                .toJson()
                                                .replace("\"timesteps\"", "\"steps\"")));
        assertTrue(
                unknown.getMessage().contains("unknown key \"diffusion.steps\""),
                unknown.getMessage());
        assertThrows(IllegalStateException.class, TinyTransfusion.CONFIG::denseTwin);
    }

    @Test
    void newTensorsHaveReferenceNamesAndRoundTrip(@TempDir Path dir) throws Exception {
        for (Untie untie : new Untie[] {Untie.ALL, Untie.NONE}) {
            MoTConfig config = TinyTransfusion.CONFIG.toBuilder().untie(untie).build();
            try (NDManager manager = NDManager.newBaseManager()) {
                MoTModel model =
                        TinyModels.initialize(new MoTModel(config), manager, DataType.FLOAT32);
                long stored =
                        model.getParameters().stream()
                                .mapToLong(p -> p.getValue().getArray().size())
                                .sum();
                FlopsAccounting flops = FlopsAccounting.of(config);
                assertEquals(stored, flops.totalParameters(), "counted from the config alone");
                long d = TinyTransfusion.DIM;
                long p = TinyTransfusion.PATCH;
                assertEquals(2 * (p * d + 2 * d * d + d * p), flops.adapterAndHeadFlopsPerToken(1));
                assertEquals(2L * config.vocabSize() * d, flops.adapterAndHeadFlopsPerToken(0));
                Map<String, ReferenceNames.Slot> names = ReferenceNames.of(model);
                for (String name :
                        new String[] {
                            "tok_embeddings.weight",
                            "image_adapter.patch_projection.weight",
                            "image_adapter.patch_projection.bias",
                            "image_adapter.timestep_embedding.linear_1.weight",
                            "image_adapter.timestep_embedding.linear_2.bias",
                            "image_head.projection.weight",
                            "image_head.projection.bias",
                            "output.weight"
                        }) {
                    assertTrue(names.containsKey(name), name + " missing from " + names.keySet());
                }
                assertArrayEquals(
                        new long[] {TinyTransfusion.DIM, TinyTransfusion.PATCH},
                        names.get("image_adapter.patch_projection.weight").shape().getShape());
                Path saved = dir.resolve(untie == Untie.ALL ? "mot" : "dense");
                ReferenceCheckpoint.save(model, saved);
                MoTModel loaded = ReferenceCheckpoint.load(saved, manager);
                Batch batch = TinyTransfusion.create(4, 3, 4).getData(manager).iterator().next();
                PreparedBatch prepared =
                        TransfusionObjective.standard(2, 1)
                                .prepare(batch.getData(), batch.getLabels(), 9);
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
}
