package io.motdjl.io;

import static io.motdjl.io.CheckpointFixture.edited;
import static io.motdjl.io.CheckpointFixture.logits;
import static io.motdjl.io.CheckpointFixture.maxAbsDiff;
import static io.motdjl.io.CheckpointFixture.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import io.motdjl.GoldenCase;
import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTModel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Weight types other than float32 (BF16, F16) and the windowed reading of checkpoints. */
class CheckpointFormatsTest {

    private static final String CASE = "chameleon-post";

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

    /** {@code values} rounded to bfloat16 in Java, as float32. */
    private NDArray roundedToBf16(NDArray values) {
        float[] v = values.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = Bfloat16.toFloat(Bfloat16.fromFloat(v[i]));
        }
        return manager.create(v, values.getShape());
    }

    @Test
    void aBf16CheckpointGivesTheLogitsOfTheModelWithItsWeightsRoundedToBf16() throws IOException {
        MoTModel golden = ReferenceCheckpoint.load(GoldenCase.dir(CASE), manager);
        Path bf16 = tmp.resolve("bf16");
        ReferenceCheckpoint.save(
                golden, bf16, SaveOptions.DEFAULT.withWeightType(DataType.BFLOAT16));
        SafetensorsHeader header =
                SafetensorsHeader.read(bf16.resolve(ReferenceCheckpoint.WEIGHTS_FILE));
        header.entries().values().forEach(e -> assertEquals("BF16", e.dtype(), e.name()));

        // the same weights rounded independently of the writer, stored as float32
        Path rounded =
                CheckpointFixture.write(
                        tmp,
                        "rounded",
                        CheckpointFixture.config(CASE),
                        edited(
                                weights(CASE, manager),
                                w -> w.replaceAll((k, v) -> roundedToBf16(v))));
        MoTModel fromBf16 = ReferenceCheckpoint.load(bf16, manager);
        MoTModel fromRounded = ReferenceCheckpoint.load(rounded, manager);
        for (Map.Entry<String, ReferenceNames.Slot> e : ReferenceNames.of(fromBf16).entrySet()) {
            assertEquals(DataType.FLOAT32, e.getValue().parameter().getArray().getDataType());
            assertArrayEquals(
                    ReferenceNames.of(fromRounded).get(e.getKey()).read().toFloatArray(),
                    e.getValue().read().toFloatArray(),
                    e.getKey());
        }
        NDArray got = logits(fromBf16, CASE, manager);
        NDArray want = logits(fromRounded, CASE, manager);
        assertTrue(maxAbsDiff(got, want) <= 1e-6f, "max |diff| = " + maxAbsDiff(got, want));
        // rounding to bf16 changes the model, though not by much
        float drift = maxAbsDiff(got, logits(golden, CASE, manager));
        assertTrue(drift > 0 && drift < 0.1f, "bf16 drift " + drift);
    }

    @Test
    void bf16WeightsLoadIntoALiveFloat64Model() throws IOException {
        Path bf16 = tmp.resolve("bf16");
        ReferenceCheckpoint.save(
                ReferenceCheckpoint.load(GoldenCase.dir(CASE), manager),
                bf16,
                SaveOptions.DEFAULT.withWeightType(DataType.BFLOAT16));
        MoTModel model = new MoTModel(MoTConfig.read(GoldenCase.dir(CASE).resolve("config.json")));
        ReferenceCheckpoint.initialize(model, manager, DataType.FLOAT64);
        ReferenceCheckpoint.loadWeights(model, bf16.resolve(ReferenceCheckpoint.WEIGHTS_FILE));
        NDArray out = model.vocabularyHead().weight().getArray();
        assertEquals(DataType.FLOAT64, out.getDataType());
        NDArray want = roundedToBf16(weights(CASE, manager).get("output.weight"));
        assertArrayEquals(
                want.toType(DataType.FLOAT64, false).toDoubleArray(), out.toDoubleArray());
    }

    @Test
    void aNonFiniteBf16WeightIsRefusedNamingTheTensor() throws IOException {
        String name = "layers.1.attention.local_experts_wk.0.weight";
        Path dir = tmp.resolve("nan");
        Map<String, NDArray> w = weights(CASE, manager);
        float[] values = w.get(name).toFloatArray();
        values[values.length - 1] = Float.NaN;
        values[0] = Float.NEGATIVE_INFINITY;
        w.put(name, manager.create(values, w.get(name).getShape()));
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.writeString(
                dir.resolve(ReferenceCheckpoint.CONFIG_FILE),
                CheckpointFixture.config(CASE).toString());
        SafetensorsFile.write(dir.resolve(ReferenceCheckpoint.WEIGHTS_FILE), w, DataType.BFLOAT16);
        int before = manager.getManagedArrays().size();
        CheckpointException e =
                assertThrows(
                        CheckpointException.class,
                        () -> ReferenceCheckpoint.load(dir, manager, FiniteValues.REQUIRE, 64));
        assertTrue(e.getMessage().contains("'" + name + "' holds 2 NaN"), e.getMessage());
        assertEquals(before, manager.getManagedArrays().size(), "nothing left behind");
    }

    @Test
    void float16CheckpointsAreWrittenAndLoadLikeTheEnginesRounding() throws IOException {
        MoTModel golden = ReferenceCheckpoint.load(GoldenCase.dir(CASE), manager);
        Path f16 = tmp.resolve("f16");
        ReferenceCheckpoint.save(golden, f16, SaveOptions.DEFAULT.withWeightType(DataType.FLOAT16));
        SafetensorsHeader.read(f16.resolve(ReferenceCheckpoint.WEIGHTS_FILE))
                .entries()
                .values()
                .forEach(e -> assertEquals("F16", e.dtype(), e.name()));
        Path rounded =
                CheckpointFixture.write(
                        tmp,
                        "f16-as-f32",
                        CheckpointFixture.config(CASE),
                        edited(
                                weights(CASE, manager),
                                w ->
                                        w.replaceAll(
                                                (k, v) ->
                                                        v.toType(DataType.FLOAT16, false)
                                                                .toType(DataType.FLOAT32, false))));
        assertArrayEquals(
                logits(ReferenceCheckpoint.load(rounded, manager), CASE, manager).toFloatArray(),
                logits(ReferenceCheckpoint.load(f16, manager), CASE, manager).toFloatArray());
    }

    @Test
    void tinyReadWindowsLoadTheSameModel() throws IOException {
        // 100-byte windows split nearly every tensor, and the stacked Q/K/V and W1/W3 parameters
        // are
        // filled window by window at their row offsets
        for (String name : GoldenCase.NAMES) {
            MoTModel whole = ReferenceCheckpoint.load(GoldenCase.dir(name), manager);
            MoTModel windowed =
                    ReferenceCheckpoint.load(
                            GoldenCase.dir(name), manager, FiniteValues.REQUIRE, 100);
            assertArrayEquals(
                    logits(whole, name, manager).toFloatArray(),
                    logits(windowed, name, manager).toFloatArray(),
                    name);
            NDArray want = GoldenCase.expected(name, manager).get("logits");
            assertTrue(maxAbsDiff(logits(windowed, name, manager), want) <= 1e-4f, name);
        }
    }

    @Test
    void loadingAllocatesTheModelOnceWithoutRandomInitialisation() throws IOException {
        // the parameters are read straight into their arrays: each is the checkpoint's value,
        // and the load leaves exactly one array per parameter in the manager
        try (NDManager owner = manager.newSubManager()) {
            MoTModel model = ReferenceCheckpoint.load(GoldenCase.dir(CASE), owner);
            assertEquals(model.getParameters().size(), owner.getManagedArrays().size());
            Map<String, NDArray> golden = weights(CASE, manager);
            ReferenceNames.of(model)
                    .forEach(
                            (k, slot) ->
                                    assertArrayEquals(
                                            golden.get(k).toFloatArray(),
                                            slot.read(manager).toFloatArray(),
                                            k));
            model.getParameters()
                    .forEach(
                            p ->
                                    assertEquals(
                                            p.getValue().getName(),
                                            p.getValue().getArray().getName()));
        }
    }
}
