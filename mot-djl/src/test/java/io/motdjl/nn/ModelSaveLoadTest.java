package io.motdjl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.NormOrder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

/** DJL's own format: Model.save then Model.load restores the exact outputs. */
class ModelSaveLoadTest {

    @Test
    void saveThenLoadGivesIdenticalOutputs(@TempDir Path dir) throws Exception {
        MoTConfig config = TinyModels.config(3).normOrder(NormOrder.PRE).build();
        NDArray before;
        NDArray tokens;
        NDArray modalities;
        try (NDManager manager = NDManager.newBaseManager();
                Model model = Model.newInstance("mot")) {
            MoTModel block = TinyModels.model(config, model.getNDManager(), DataType.FLOAT32);
            model.setBlock(block);
            Random random = new Random(2);
            tokens = TinyModels.ids(manager, random, 2, 7, config.vocabSize());
            modalities = TinyModels.ids(manager, random, 2, 7, 3);
            before = TinyModels.logits(block, manager, MoTInputs.of(tokens, modalities));
            model.save(dir, "mot");
            float[] want = before.toFloatArray();
            try (Model loaded = Model.newInstance("mot")) {
                MoTModel fresh = new MoTModel(config);
                loaded.setBlock(fresh);
                loaded.load(dir, "mot");
                NDArray after = TinyModels.logits(fresh, manager, MoTInputs.of(tokens, modalities));
                assertEquals(new Shape(2, 7, config.vocabSize()), after.getShape());
                float[] got = after.toFloatArray();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 0f, "logit " + i);
                }
            }
        }
    }

    @Test
    void loadingIntoADifferentConfigFailsClearly(@TempDir Path dir) throws Exception {
        MoTConfig config = TinyModels.config(2).build();
        try (Model model = Model.newInstance("mot")) {
            model.setBlock(TinyModels.model(config, model.getNDManager(), DataType.FLOAT32));
            model.save(dir, "mot");
        }
        MoTConfig other = config.toBuilder().qkNorm(false).build();
        try (Model loaded = Model.newInstance("mot")) {
            loaded.setBlock(new MoTModel(other));
            MalformedModelException e =
                    assertThrows(MalformedModelException.class, () -> loaded.load(dir, "mot"));
            // only what differs, not two whole configs
            assertTrue(
                    e.getMessage().endsWith("(saved vs this model's): qk_norm: true vs false"),
                    e.getMessage());
        }
    }
}
