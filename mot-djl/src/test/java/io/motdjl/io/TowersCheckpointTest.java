package io.motdjl.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/** Reference checkpoints of models whose modalities share towers: names are tower indices. */
class TowersCheckpointTest {

    @TempDir Path tmp;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private MoTModel saved(MoTConfig config, String sub) throws IOException {
        MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
        ReferenceCheckpoint.save(model, tmp.resolve(sub));
        return model;
    }

    private MoTInputs inputs(MoTConfig config) {
        Random random = new Random(5);
        return MoTInputs.of(
                TinyModels.ids(manager, random, 2, 9, config.vocabSize()),
                TinyModels.ids(manager, random, 2, 9, config.nModalities()));
    }

    @Test
    void saveThenLoadGivesIdenticalOutputsAndNamesTowers() throws IOException {
        MoTConfig config = TinyModels.config(3).towers(0, 1, 1).build();
        MoTModel model = saved(config, "towers");
        Path dir = tmp.resolve("towers");
        MoTModel again = ReferenceCheckpoint.load(dir, manager);
        assertEquals(config, again.config());
        assertArrayEquals(new int[] {0, 1, 1}, again.config().towers());
        MoTInputs in = inputs(config);
        assertArrayEquals(
                TinyModels.logits(model, manager, in).toFloatArray(),
                TinyModels.logits(again, manager, in).toFloatArray());
        Map<String, NDArray> tensors =
                SafetensorsFile.read(dir.resolve(ReferenceCheckpoint.WEIGHTS_FILE), manager);
        assertTrue(tensors.containsKey("layers.0.attention.local_experts_wq.1.weight"));
        assertTrue(tensors.containsKey("norm.1.weight"));
        assertFalse(tensors.containsKey("norm.2.weight"), "two towers, named 0 and 1");
        assertEquals(ReferenceNames.of(model).keySet(), tensors.keySet());
    }

    @Test
    void weightsOfTwoTowersAreRefusedForThreeTowers() throws IOException {
        MoTConfig config = TinyModels.config(3).towers(0, 1, 1).build();
        saved(config, "two");
        // the same weights with the towers key gone: the config asks for one tower per modality
        TinyModels.config(3).build().write(tmp.resolve("two").resolve("config.json"));
        CheckpointException e =
                assertThrows(
                        CheckpointException.class,
                        () -> ReferenceCheckpoint.load(tmp.resolve("two"), manager));
        assertTrue(e.getMessage().contains("missing tensors"), e.getMessage());
        assertTrue(
                e.getMessage().contains("'layers.0.attention.local_experts_wq.2.weight'"),
                e.getMessage());
        assertTrue(e.getMessage().contains("n_modalities=3"), e.getMessage());
    }

    @Test
    void weightsOfThreeTowersAreRefusedForTwo() throws IOException {
        saved(TinyModels.config(3).build(), "three");
        TinyModels.config(3).towers(0, 1, 1).build().write(tmp.resolve("three/config.json"));
        CheckpointException e =
                assertThrows(
                        CheckpointException.class,
                        () -> ReferenceCheckpoint.load(tmp.resolve("three"), manager));
        assertTrue(e.getMessage().contains("unexpected tensors"), e.getMessage());
        assertTrue(e.getMessage().contains(".2."), e.getMessage());
        assertTrue(e.getMessage().contains("towers=[0, 1, 1]"), e.getMessage());
    }

    @Test
    void aDifferentMappingOfAsManyTowersLoadsTheSameSets() throws IOException {
        // names carry tower indices only: which modality uses a set is the config's to say
        MoTConfig config = TinyModels.config(3).towers(0, 1, 1).build();
        MoTModel model = saved(config, "remapped");
        MoTConfig other = TinyModels.config(3).towers(0, 0, 1).build();
        other.write(tmp.resolve("remapped/config.json"));
        MoTModel again = ReferenceCheckpoint.load(tmp.resolve("remapped"), manager);
        assertEquals(other, again.config());
        MoTInputs textOnly =
                MoTInputs.of(
                        TinyModels.ids(manager, new Random(1), 1, 6, config.vocabSize()),
                        manager.zeros(new ai.djl.ndarray.types.Shape(1, 6), DataType.INT64));
        assertArrayEquals(
                TinyModels.logits(model, manager, textOnly).toFloatArray(),
                TinyModels.logits(again, manager, textOnly).toFloatArray(),
                "modality 0 uses tower 0 in both");
    }
}
