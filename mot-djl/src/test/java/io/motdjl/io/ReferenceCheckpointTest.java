package io.motdjl.io;

import static io.motdjl.io.CheckpointFixture.edited;
import static io.motdjl.io.CheckpointFixture.logits;
import static io.motdjl.io.CheckpointFixture.maxAbsDiff;
import static io.motdjl.io.CheckpointFixture.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import com.google.gson.JsonObject;

import io.motdjl.GoldenCase;
import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.MoTOutputs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Checkpoint directories: golden loads, round trips, mismatches named, all-or-nothing loading. */
class ReferenceCheckpointTest {

    private static final String CASE = "chameleon-post";

    @TempDir Path tmp;

    private NDManager manager;

    static List<String> cases() {
        return GoldenCase.NAMES;
    }

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private CheckpointException rejects(Path dir, String... fragments) {
        CheckpointException e =
                assertThrows(
                        CheckpointException.class, () -> ReferenceCheckpoint.load(dir, manager));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        }
        return e;
    }

    private Path goldenWith(String sub, Consumer<Map<String, NDArray>> edit) throws IOException {
        return CheckpointFixture.write(
                tmp, sub, CheckpointFixture.config(CASE), edited(weights(CASE, manager), edit));
    }

    private Path goldenWithConfig(String sub, Consumer<JsonObject> change) throws IOException {
        return CheckpointFixture.write(
                tmp, sub, CheckpointFixture.config(CASE, change), weights(CASE, manager));
    }

    // ------------------------------------------------------------------ golden and round trips

    @Test
    void nonFiniteWeightsAreRefusedNamingTheTensorUnlessAllowed() throws IOException {
        String name = "layers.0.feed_forward.local_experts.1.w3.weight";
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            Path dir =
                    goldenWith(
                            "nonfinite" + bad,
                            w -> {
                                float[] values = w.get(name).toFloatArray();
                                values[7] = bad;
                                w.put(name, manager.create(values, w.get(name).getShape()));
                            });
            int arraysBefore = manager.getManagedArrays().size();
            CheckpointException e =
                    assertThrows(
                            CheckpointException.class,
                            () -> ReferenceCheckpoint.load(dir, manager));
            assertTrue(
                    e.getMessage().contains("'" + name + "' holds 1 NaN or infinite"),
                    e.getMessage());
            assertEquals(arraysBefore, manager.getManagedArrays().size(), "nothing left behind");

            // loading into a live model changes nothing
            MoTModel live = ReferenceCheckpoint.load(GoldenCase.dir(CASE), manager);
            float[] before = logits(live, CASE, manager).toFloatArray();
            assertThrows(
                    CheckpointException.class,
                    () ->
                            ReferenceCheckpoint.loadWeights(
                                    live, dir.resolve(ReferenceCheckpoint.WEIGHTS_FILE)));
            assertArrayEquals(before, logits(live, CASE, manager).toFloatArray());

            // the explicit opt-out loads it, and the model then computes NaN
            MoTModel broken = ReferenceCheckpoint.load(dir, manager, FiniteValues.ALLOW);
            assertTrue(
                    Float.isNaN(logits(broken, CASE, manager).max().getFloat())
                            || Float.isNaN(logits(broken, CASE, manager).min().getFloat())
                            || !Float.isFinite(logits(broken, CASE, manager).sum().getFloat()));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void goldenCheckpointsLoadAndMatchTheReference(String name) throws IOException {
        MoTModel model = ReferenceCheckpoint.load(GoldenCase.dir(name), manager);
        NDArray want = GoldenCase.expected(name, manager).get("logits");
        assertTrue(maxAbsDiff(logits(model, name, manager), want) <= 1e-4f, name);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void saveThenLoadGivesBitIdenticalLogits(String name) throws IOException {
        MoTModel model = ReferenceCheckpoint.load(GoldenCase.dir(name), manager);
        Path dir = tmp.resolve(name);
        ReferenceCheckpoint.save(model, dir);
        MoTModel again = ReferenceCheckpoint.load(dir, manager);

        assertEquals(model.config(), again.config());
        assertArrayEquals(
                logits(model, name, manager).toFloatArray(),
                logits(again, name, manager).toFloatArray());
        Map<String, NDArray> golden = weights(name, manager);
        Map<String, NDArray> saved =
                SafetensorsFile.read(dir.resolve(ReferenceCheckpoint.WEIGHTS_FILE), manager);
        assertEquals(golden.keySet(), saved.keySet());
        golden.forEach((k, v) -> assertArrayEquals(v.toByteArray(), saved.get(k).toByteArray(), k));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(
                    List.of(ReferenceCheckpoint.CONFIG_FILE, ReferenceCheckpoint.WEIGHTS_FILE),
                    files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary files left");
        }
    }

    @Test
    void float64WeightsLoadIntoAFloat32ModelExactly() throws IOException {
        MoTModel f32 = ReferenceCheckpoint.load(GoldenCase.dir(CASE), manager);
        Path dir =
                goldenWith("f64", w -> w.replaceAll((k, v) -> v.toType(DataType.FLOAT64, false)));
        MoTModel f64 = ReferenceCheckpoint.load(dir, manager);
        for (ReferenceNames.Slot s : ReferenceNames.of(f64).values()) {
            Parameter p = s.parameter();
            assertEquals(DataType.FLOAT32, p.getArray().getDataType(), p.getName());
        }
        assertArrayEquals(
                logits(f32, CASE, manager).toFloatArray(),
                logits(f64, CASE, manager).toFloatArray());
    }

    @Test
    void float16WeightsLoadIntoAFloat32Model() throws IOException {
        Path halfDir =
                goldenWith("f16", w -> w.replaceAll((k, v) -> v.toType(DataType.FLOAT16, false)));
        // the same values, already widened back to float32: loading F16 must give exactly these
        Path roundedDir =
                goldenWith(
                        "f16-as-f32",
                        w ->
                                w.replaceAll(
                                        (k, v) ->
                                                v.toType(DataType.FLOAT16, false)
                                                        .toType(DataType.FLOAT32, false)));
        MoTModel half = ReferenceCheckpoint.load(halfDir, manager);
        MoTModel rounded = ReferenceCheckpoint.load(roundedDir, manager);
        NDArray logits = logits(half, CASE, manager);
        assertEquals(DataType.FLOAT32, logits.getDataType());
        assertArrayEquals(logits.toFloatArray(), logits(rounded, CASE, manager).toFloatArray());
        NDArray want = GoldenCase.expected(CASE, manager).get("logits");
        float err = maxAbsDiff(logits, want);
        assertTrue(err <= 1e-2f, "float16 weights: max |logits - expected| = " + err);
    }

    // ------------------------------------------------------------------ weights that do not fit

    @Test
    void aMissingTensorIsNamed() throws IOException {
        String name = "layers.1.feed_forward.local_experts.1.w2.weight";
        rejects(goldenWith("missing", w -> w.remove(name)), "missing tensor '" + name + "'");
    }

    @Test
    void anUnexpectedTensorIsNamed() throws IOException {
        String name = "layers.0.attention.local_experts_wq.7.weight";
        rejects(
                goldenWith("extra", w -> w.put(name, manager.zeros(new Shape(32, 32)))),
                "unexpected tensor '" + name + "'");
    }

    @Test
    void aWronglyShapedTensorIsNamed() throws IOException {
        String name = "norm.1.weight";
        rejects(
                goldenWith("shape", w -> w.put(name, manager.ones(new Shape(31)))),
                "'" + name + "'",
                "(31)",
                "(32)");
        String transposed = "layers.0.feed_forward.local_experts.0.w1.weight";
        rejects(
                goldenWith("transposed", w -> w.put(transposed, w.get(transposed).transpose())),
                "'" + transposed + "'",
                "(32, 40)");
    }

    @Test
    void anIntegerTensorAsAWeightIsNamed() throws IOException {
        String name = "norm.0.weight";
        rejects(
                goldenWith("int", w -> w.put(name, w.get(name).toType(DataType.INT64, false))),
                "'" + name + "'",
                "I64");
        rejects(
                goldenWith("bool", w -> w.put(name, w.get(name).toType(DataType.BOOLEAN, false))),
                "'" + name + "'",
                "BOOL");
    }

    @Test
    void moreModalitiesInTheConfigThanInTheWeights() throws IOException {
        rejects(
                goldenWithConfig("m3", c -> c.addProperty("n_modalities", 3)),
                "missing tensors",
                "'layers.0.attention.local_experts_wq.2.weight'",
                "n_modalities=3");
    }

    @Test
    void fewerModalitiesInTheConfigThanInTheWeights() throws IOException {
        rejects(
                goldenWithConfig("m1", c -> c.addProperty("n_modalities", 1)),
                "unexpected tensors",
                "local_experts",
                ".1.",
                "n_modalities=1");
    }

    @Test
    void fewerLayersInTheConfigThanInTheWeights() throws IOException {
        rejects(
                goldenWithConfig("l1", c -> c.addProperty("n_layers", 1)),
                "unexpected tensors 'layers.1.");
    }

    @Test
    void moreLayersInTheConfigThanInTheWeights() throws IOException {
        rejects(
                goldenWithConfig("l3", c -> c.addProperty("n_layers", 3)),
                "missing tensors 'layers.2.");
    }

    @Test
    void qkNormInTheConfigButNotInTheWeights() throws IOException {
        rejects(
                goldenWithConfig("qk", c -> c.addProperty("qk_norm", false)),
                "unexpected tensors",
                "'layers.0.attention.local_experts_k_normalization.0.weight'",
                "qk_norm=false");
        Path dir =
                CheckpointFixture.write(
                        tmp,
                        "qk-missing",
                        CheckpointFixture.config(
                                "pre-norm-three-modalities", c -> c.addProperty("qk_norm", true)),
                        weights("pre-norm-three-modalities", manager));
        rejects(dir, "missing tensors 'layers.0.attention.local_experts_q_normalization.0.weight'");
    }

    @Test
    void normOrderInTheConfigDiffersFromTheWeights() throws IOException {
        rejects(
                goldenWithConfig("pre", c -> c.addProperty("norm_order", "pre")),
                "missing tensors 'layers.0.attention_norm.0.weight'",
                "unexpected tensors",
                "local_experts_attention_norm",
                "norm_order=pre");
    }

    @Test
    void tiedComponentsInTheConfigButUntiedWeights() throws IOException {
        rejects(
                goldenWithConfig("tied", c -> c.getAsJsonObject("untie").addProperty("ffn", false)),
                "unexpected tensors 'layers.0.feed_forward.local_experts.1.w1.weight'");
    }

    @Test
    void aWiderConfigNamesTheFirstTensorThatDoesNotFit() throws IOException {
        rejects(
                goldenWithConfig("wide", c -> c.addProperty("vocab_size", 62)),
                "'tok_embeddings.weight'",
                "(61, 32)",
                "(62, 32)");
    }

    @Test
    void aMismatchAllocatesNothing() throws IOException {
        Path dir = goldenWithConfig("m3", c -> c.addProperty("n_modalities", 3));
        int before = manager.getManagedArrays().size();
        rejects(dir, "missing");
        assertEquals(before, manager.getManagedArrays().size());
    }

    // ------------------------------------------------------------------ files and config

    @Test
    void missingFilesAreNamed() throws IOException {
        Path noConfig = goldenWith("no-config", w -> {});
        Files.delete(noConfig.resolve(ReferenceCheckpoint.CONFIG_FILE));
        rejects(noConfig, "no config.json");

        Path noWeights = goldenWith("no-weights", w -> {});
        Files.delete(noWeights.resolve(ReferenceCheckpoint.WEIGHTS_FILE));
        rejects(noWeights, "no model.safetensors");

        rejects(tmp.resolve("does-not-exist"), "no config.json");
    }

    @Test
    void anInvalidConfigGivesAClearMessage() throws IOException {
        Path dir =
                goldenWithConfig(
                        "heads",
                        c -> {
                            c.addProperty("n_heads", 5);
                            c.remove("head_dim");
                        });
        rejects(dir, "config.json", "n_heads (5) must divide dim (32)");

        Path notJson = goldenWith("not-json", w -> {});
        Files.writeString(notJson.resolve(ReferenceCheckpoint.CONFIG_FILE), "{\"dim\": ");
        rejects(notJson, "config.json", "not valid JSON");

        rejects(
                goldenWithConfig("unknown", c -> c.addProperty("n_expert", 4)),
                "unknown key \"n_expert\"");
        rejects(
                goldenWithConfig("order", c -> c.addProperty("norm_order", "sandwich")),
                "norm_order");
    }

    @Test
    void aBadConfigNamesItsPathOnce() throws IOException {
        Path unknown = goldenWithConfig("unknown-once", c -> c.addProperty("n_expert", 4));
        String unknownConfig = unknown.resolve(ReferenceCheckpoint.CONFIG_FILE).toString();
        CheckpointException e = rejects(unknown, unknownConfig, "unknown key \"n_expert\"");
        assertEquals(1, occurrences(e.getMessage(), unknownConfig), e::getMessage);

        // a message of the config's validation, which does not name the file itself
        Path heads =
                goldenWithConfig(
                        "heads-once",
                        c -> {
                            c.addProperty("n_heads", 5);
                            c.remove("head_dim");
                        });
        String headsConfig = heads.resolve(ReferenceCheckpoint.CONFIG_FILE).toString();
        CheckpointException invalid = rejects(heads, headsConfig, "n_heads (5) must divide");
        assertEquals(1, occurrences(invalid.getMessage(), headsConfig), invalid::getMessage);
    }

    @Test
    void checkpointFilesThatAreDirectoriesAreSaidToBeDirectories() throws IOException {
        Path dir = goldenWith("weights-dir", w -> {});
        Path weights = dir.resolve(ReferenceCheckpoint.WEIGHTS_FILE);
        Files.delete(weights);
        Files.createDirectory(weights);
        CheckpointException e = rejects(dir, weights + " is a directory, not a regular file");
        assertFalse(
                e.getMessage().contains("no " + ReferenceCheckpoint.WEIGHTS_FILE), e::getMessage);

        Path index = Files.createDirectory(dir.resolve(ReferenceCheckpoint.INDEX_FILE));
        Files.delete(weights);
        rejects(dir, index + " is a directory, not a regular file");

        Path configDir = goldenWith("config-dir", w -> {});
        Path config = configDir.resolve(ReferenceCheckpoint.CONFIG_FILE);
        Files.delete(config);
        Files.createDirectory(config);
        rejects(configDir, config + " is a directory, not a regular file");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aSymlinkLoopForTheWeightsIsSaidToBeOne() throws IOException {
        Path dir = goldenWith("weights-loop", w -> {});
        Path weights = dir.resolve(ReferenceCheckpoint.WEIGHTS_FILE);
        Files.delete(weights);
        Files.createSymbolicLink(weights, Paths.get(ReferenceCheckpoint.WEIGHTS_FILE));
        CheckpointException e = rejects(dir, weights + " is a symlink loop, not a regular file");
        assertFalse(
                e.getMessage().contains("no " + ReferenceCheckpoint.WEIGHTS_FILE), e::getMessage);

        Path dangling = goldenWith("weights-dangling", w -> {});
        Path link = dangling.resolve(ReferenceCheckpoint.WEIGHTS_FILE);
        Files.delete(link);
        Files.createSymbolicLink(link, Paths.get("gone.safetensors"));
        rejects(dangling, link + " is a dangling symlink", "gone.safetensors");
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            count++;
        }
        return count;
    }

    @Test
    void aBrokenWeightsFileIsACheckpointException() throws IOException {
        Path dir = goldenWith("truncated", w -> {});
        Path weights = dir.resolve(ReferenceCheckpoint.WEIGHTS_FILE);
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(bytes, bytes.length - 3));
        rejects(dir, "truncated");
    }

    // ------------------------------------------------------------------ loading into a live model

    @Test
    void loadWeightsKeepsTypeDeviceManagerAndGradients() throws IOException {
        MoTModel model = new MoTModel(MoTConfig.read(GoldenCase.dir(CASE).resolve("config.json")));
        ReferenceCheckpoint.initialize(model, manager, DataType.FLOAT32);
        Map<String, ReferenceNames.Slot> params = ReferenceNames.of(model);
        Map<Parameter, NDArray> before = new IdentityHashMap<>();
        Map<Parameter, Device> devices = new IdentityHashMap<>();
        params.values().stream()
                .map(ReferenceNames.Slot::parameter)
                .forEach(
                        p -> {
                            before.put(p, p.getArray());
                            devices.put(p, p.getArray().getDevice());
                        });
        int arraysBefore = manager.getManagedArrays().size();

        ReferenceCheckpoint.loadWeights(model, GoldenCase.dir(CASE).resolve("model.safetensors"));

        assertEquals(arraysBefore, manager.getManagedArrays().size(), "no scratch array left over");
        Map<String, NDArray> golden = weights(CASE, manager);
        for (Map.Entry<String, ReferenceNames.Slot> e : params.entrySet()) {
            Parameter p = e.getValue().parameter();
            NDArray old = before.get(p);
            NDArray now = p.getArray();
            assertTrue(old.isReleased(), e.getKey() + ": the replaced array is closed");
            assertEquals(DataType.FLOAT32, now.getDataType(), e.getKey());
            assertEquals(devices.get(p), now.getDevice(), e.getKey());
            assertSame(manager, now.getManager(), e.getKey());
            assertEquals(p.getName(), now.getName(), e.getKey());
            assertTrue(now.hasGradient(), e.getKey() + " requires a gradient");
            assertArrayEquals(
                    golden.get(e.getKey()).toFloatArray(),
                    e.getValue().read().toFloatArray(),
                    e.getKey());
        }
        assertGradientsFlow(model);
    }

    /** A training step after loading reaches every parameter. */
    private void assertGradientsFlow(MoTModel model) throws IOException {
        Map<String, NDArray> input = GoldenCase.input(CASE, manager);
        NDList in = MoTInputs.of(input.get("tokens"), input.get("modalities")).toNDList();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray out =
                    MoTOutputs.of(model.forward(new ParameterStore(manager, false), in, true))
                            .logits();
            gc.backward(out.square().sum());
        }
        for (Map.Entry<String, ReferenceNames.Slot> e : ReferenceNames.of(model).entrySet()) {
            NDArray grad = e.getValue().gradient();
            assertNotNull(grad, e.getKey());
            assertTrue(grad.abs().sum().getFloat() > 0, e.getKey() + " gets a gradient");
        }
    }

    @Test
    void loadWeightsKeepsAFloat64Model() throws IOException {
        MoTModel model = new MoTModel(MoTConfig.read(GoldenCase.dir(CASE).resolve("config.json")));
        ReferenceCheckpoint.initialize(model, manager, DataType.FLOAT64);
        ReferenceCheckpoint.loadWeights(model, GoldenCase.dir(CASE).resolve("model.safetensors"));
        NDArray out = model.vocabularyHead().weight().getArray();
        assertEquals(DataType.FLOAT64, out.getDataType());
        NDArray golden = weights(CASE, manager).get("output.weight");
        assertArrayEquals(
                golden.toType(DataType.FLOAT64, false).toDoubleArray(), out.toDoubleArray());
    }

    @Test
    void loadWeightsNeedsAnInitialisedModel() throws IOException {
        MoTModel model = new MoTModel(MoTConfig.read(GoldenCase.dir(CASE).resolve("config.json")));
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                ReferenceCheckpoint.loadWeights(
                                        model, GoldenCase.dir(CASE).resolve("model.safetensors")));
        assertTrue(e.getMessage().contains("initialize"), e.getMessage());
    }

    @Test
    void aFailedLoadChangesNothing() throws IOException {
        MoTModel model = ReferenceCheckpoint.load(GoldenCase.dir(CASE), manager);
        Map<String, Parameter> params = new HashMap<>();
        ReferenceNames.of(model).forEach((k, s) -> params.put(k, s.parameter()));
        Map<String, NDArray> arrays = new HashMap<>();
        Map<String, byte[]> values = new HashMap<>();
        params.forEach(
                (k, p) -> {
                    arrays.put(k, p.getArray());
                    values.put(k, p.getArray().toByteArray());
                });
        float[] logitsBefore = logits(model, CASE, manager).toFloatArray();

        // every tensor differs from what is loaded, so a partial load would show
        Map<String, NDArray> doubled = weights(CASE, manager);
        doubled.replaceAll((k, v) -> v.mul(2));
        List<Map<String, NDArray>> bad =
                List.of(
                        edited(
                                doubled,
                                w -> w.put("output.weight", manager.zeros(new Shape(61, 31)))),
                        edited(
                                doubled,
                                w ->
                                        w.put(
                                                "output.weight",
                                                w.get("output.weight")
                                                        .toType(DataType.INT32, false))),
                        edited(doubled, w -> w.remove("output.weight")),
                        edited(doubled, w -> w.put("output.extra", manager.zeros(new Shape(1)))));
        int arraysBefore = manager.getManagedArrays().size();
        for (int i = 0; i < bad.size(); i++) {
            Path file = tmp.resolve("bad" + i + ".safetensors");
            SafetensorsFile.write(file, bad.get(i));
            assertThrows(
                    CheckpointException.class, () -> ReferenceCheckpoint.loadWeights(model, file));
        }
        // and a file that is broken below the header level
        Path truncated = tmp.resolve("truncated.safetensors");
        SafetensorsFile.write(truncated, doubled);
        byte[] bytes = Files.readAllBytes(truncated);
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 1));
        assertThrows(
                CheckpointException.class, () -> ReferenceCheckpoint.loadWeights(model, truncated));

        assertEquals(arraysBefore, manager.getManagedArrays().size(), "nothing leaked");
        params.forEach(
                (k, p) -> {
                    assertSame(arrays.get(k), p.getArray(), k);
                    assertArrayEquals(values.get(k), p.getArray().toByteArray(), k);
                });
        assertArrayEquals(logitsBefore, logits(model, CASE, manager).toFloatArray());
    }

    // ------------------------------------------------------------------ saving

    @Test
    void aFailedSaveLeavesThePreviousCheckpoint() throws IOException {
        MoTModel model = ReferenceCheckpoint.load(GoldenCase.dir(CASE), manager);
        Path dir = tmp.resolve("ckpt");
        ReferenceCheckpoint.save(model, dir);
        byte[] config = Files.readAllBytes(dir.resolve(ReferenceCheckpoint.CONFIG_FILE));
        // a directory where the weights go: the write must fail without touching config.json
        Files.delete(dir.resolve(ReferenceCheckpoint.WEIGHTS_FILE));
        Files.createDirectories(dir.resolve(ReferenceCheckpoint.WEIGHTS_FILE).resolve("x"));
        assertThrows(IOException.class, () -> ReferenceCheckpoint.save(model, dir));
        assertArrayEquals(config, Files.readAllBytes(dir.resolve(ReferenceCheckpoint.CONFIG_FILE)));
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(
                    files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")),
                    "no temporary files");
        }
    }

    @Test
    void savingAnUninitialisedModelIsRefused() throws IOException {
        MoTModel model = new MoTModel(MoTConfig.read(GoldenCase.dir(CASE).resolve("config.json")));
        assertThrows(
                IllegalStateException.class,
                () -> ReferenceCheckpoint.save(model, tmp.resolve("x")));
        assertFalse(Files.exists(tmp.resolve("x").resolve(ReferenceCheckpoint.WEIGHTS_FILE)));
    }

    @Test
    void savingAFloat64ModelWritesFloat32() throws IOException {
        MoTModel model = new MoTModel(MoTConfig.read(GoldenCase.dir(CASE).resolve("config.json")));
        ReferenceCheckpoint.initialize(model, manager, DataType.FLOAT64);
        ReferenceCheckpoint.loadWeights(model, GoldenCase.dir(CASE).resolve("model.safetensors"));
        int arrays = manager.getManagedArrays().size();
        ReferenceCheckpoint.save(model, tmp.resolve("f64"));
        assertEquals(arrays, manager.getManagedArrays().size(), "converted copies are closed");
        Path file = tmp.resolve("f64").resolve(ReferenceCheckpoint.WEIGHTS_FILE);
        Map<String, NDArray> saved = SafetensorsFile.read(file, manager);
        Map<String, NDArray> golden = weights(CASE, manager);
        saved.forEach(
                (k, v) -> {
                    assertEquals(DataType.FLOAT32, v.getDataType(), k);
                    assertArrayEquals(golden.get(k).toFloatArray(), v.toFloatArray(), k);
                });
    }
}
