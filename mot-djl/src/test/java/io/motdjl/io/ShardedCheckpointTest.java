package io.motdjl.io;

import static io.motdjl.io.CheckpointFixture.logits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.motdjl.GoldenCase;
import io.motdjl.nn.MoTModel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Sharded checkpoints: the index, its validation, writing with a shard limit, all-or-nothing. */
class ShardedCheckpointTest {

    private static final String CASE = "chameleon-post";

    /** Small enough that the golden model (about 144 kB) needs several shards. */
    private static final long SHARD_BYTES = 40_000;

    @TempDir Path tmp;

    private NDManager manager;
    private MoTModel golden;

    @BeforeEach
    void open() throws IOException {
        manager = NDManager.newBaseManager();
        golden = ReferenceCheckpoint.load(GoldenCase.dir(CASE), manager);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Path sharded(String name) throws IOException {
        Path dir = tmp.resolve(name);
        ReferenceCheckpoint.save(golden, dir, SaveOptions.DEFAULT.withMaxShardBytes(SHARD_BYTES));
        return dir;
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static JsonObject index(Path dir) throws IOException {
        return JsonParser.parseString(Files.readString(dir.resolve(ReferenceCheckpoint.INDEX_FILE)))
                .getAsJsonObject();
    }

    private static void writeIndex(Path dir, Consumer<JsonObject> edit) throws IOException {
        JsonObject index = index(dir);
        edit.accept(index);
        Files.writeString(dir.resolve(ReferenceCheckpoint.INDEX_FILE), index.toString());
    }

    private CheckpointException rejects(Path dir, String... fragments) {
        int before = manager.getManagedArrays().size();
        CheckpointException e =
                assertThrows(
                        CheckpointException.class, () -> ReferenceCheckpoint.load(dir, manager));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        }
        assertEquals(before, manager.getManagedArrays().size(), "nothing left allocated");
        return e;
    }

    @Test
    void aShardedSaveLoadsBackBitIdentical() throws IOException {
        Path dir = sharded("s");
        List<String> files = list(dir);
        assertFalse(files.contains(ReferenceCheckpoint.WEIGHTS_FILE), files.toString());
        List<String> shards = files.stream().filter(f -> f.startsWith("model-")).sorted().toList();
        assertTrue(shards.size() > 2, files.toString());
        for (int i = 0; i < shards.size(); i++) {
            assertEquals(ReferenceCheckpoint.shardName(i + 1, shards.size()), shards.get(i));
        }
        assertEquals(
                Stream.concat(
                                Stream.of(
                                        ReferenceCheckpoint.CONFIG_FILE,
                                        ReferenceCheckpoint.INDEX_FILE),
                                shards.stream())
                        .sorted()
                        .toList(),
                files,
                "no temporary files");

        // the index maps every tensor to the shard that holds it, and totals their bytes
        JsonObject index = index(dir);
        JsonObject map = index.getAsJsonObject("weight_map");
        assertEquals(ReferenceNames.of(golden).keySet(), map.keySet());
        long total = 0;
        for (String shard : shards) {
            SafetensorsHeader header = SafetensorsHeader.read(dir.resolve(shard));
            long bytes = 0;
            for (SafetensorsHeader.Entry e : header.entries().values()) {
                assertEquals(shard, map.get(e.name()).getAsString(), e.name());
                bytes += e.byteSize();
            }
            assertTrue(
                    bytes <= SHARD_BYTES || header.entries().size() == 1,
                    shard + " holds " + bytes + " bytes");
            total += bytes;
        }
        assertEquals(total, index.getAsJsonObject("metadata").get("total_size").getAsLong());

        MoTModel again = ReferenceCheckpoint.load(dir, manager);
        assertArrayEquals(
                logits(golden, CASE, manager).toFloatArray(),
                logits(again, CASE, manager).toFloatArray());
        List<Path> weightFiles = ReferenceCheckpoint.weightFiles(dir);
        assertEquals(dir.resolve(ReferenceCheckpoint.INDEX_FILE), weightFiles.get(0));
        assertEquals(
                shards,
                weightFiles.subList(1, weightFiles.size()).stream()
                        .map(p -> p.getFileName().toString())
                        .sorted()
                        .toList());
    }

    @Test
    void aTensorLargerThanTheLimitGetsAShardOfItsOwn() throws IOException {
        Path dir = tmp.resolve("tiny-limit");
        ReferenceCheckpoint.save(golden, dir, SaveOptions.DEFAULT.withMaxShardBytes(1));
        int tensors = ReferenceNames.of(golden).size();
        assertEquals(tensors, list(dir).stream().filter(f -> f.startsWith("model-")).count());
        assertArrayEquals(
                logits(golden, CASE, manager).toFloatArray(),
                logits(ReferenceCheckpoint.load(dir, manager), CASE, manager).toFloatArray());
    }

    @Test
    void aModelWithinTheLimitIsWrittenAsOneFile() throws IOException {
        Path dir = tmp.resolve("fits");
        ReferenceCheckpoint.save(golden, dir, SaveOptions.DEFAULT.withMaxShardBytes(1L << 30));
        assertEquals(
                List.of(ReferenceCheckpoint.CONFIG_FILE, ReferenceCheckpoint.WEIGHTS_FILE),
                list(dir));
    }

    @Test
    void bf16ShardsRoundTrip() throws IOException {
        Path dir = tmp.resolve("bf16");
        ReferenceCheckpoint.save(
                golden,
                dir,
                SaveOptions.DEFAULT
                        .withWeightType(DataType.BFLOAT16)
                        .withMaxShardBytes(SHARD_BYTES / 2));
        MoTModel sharded = ReferenceCheckpoint.load(dir, manager);
        Path single = tmp.resolve("bf16-single");
        ReferenceCheckpoint.save(
                golden, single, SaveOptions.DEFAULT.withWeightType(DataType.BFLOAT16));
        assertArrayEquals(
                logits(ReferenceCheckpoint.load(single, manager), CASE, manager).toFloatArray(),
                logits(sharded, CASE, manager).toFloatArray());
    }

    @Test
    void savingSwitchesBetweenLayoutsWithoutLeavingStaleFiles() throws IOException {
        Path dir = tmp.resolve("switch");
        ReferenceCheckpoint.save(golden, dir);
        ReferenceCheckpoint.save(golden, dir, SaveOptions.DEFAULT.withMaxShardBytes(SHARD_BYTES));
        List<String> many = list(dir);
        assertFalse(many.contains(ReferenceCheckpoint.WEIGHTS_FILE), many.toString());
        assertTrue(many.contains(ReferenceCheckpoint.INDEX_FILE));

        // fewer, larger shards: the old shards beyond them go
        ReferenceCheckpoint.save(
                golden, dir, SaveOptions.DEFAULT.withMaxShardBytes(3 * SHARD_BYTES));
        List<String> fewer = list(dir);
        long shards = fewer.stream().filter(f -> f.startsWith("model-")).count();
        assertEquals(
                index(dir).getAsJsonObject("weight_map").entrySet().stream()
                        .map(e -> e.getValue().getAsString())
                        .distinct()
                        .count(),
                shards,
                fewer.toString());
        assertTrue(shards < many.size() - 2);
        ReferenceCheckpoint.load(dir, manager);

        ReferenceCheckpoint.save(golden, dir);
        assertEquals(
                List.of(ReferenceCheckpoint.CONFIG_FILE, ReferenceCheckpoint.WEIGHTS_FILE),
                list(dir));
    }

    @Test
    void bothLayoutsInOneDirectoryIsAnErrorNamingBoth() throws IOException {
        Path dir = sharded("both");
        Files.copy(
                GoldenCase.dir(CASE).resolve(ReferenceCheckpoint.WEIGHTS_FILE),
                dir.resolve(ReferenceCheckpoint.WEIGHTS_FILE));
        rejects(dir, ReferenceCheckpoint.WEIGHTS_FILE, ReferenceCheckpoint.INDEX_FILE, "both");
        assertThrows(CheckpointException.class, () -> ReferenceCheckpoint.weightFiles(dir));
    }

    @Test
    void aShardTheIndexNamesMustExist() throws IOException {
        Path dir = sharded("missing");
        String shard = ReferenceCheckpoint.shardName(2, shardCount(dir));
        Files.delete(dir.resolve(shard));
        rejects(dir, ReferenceCheckpoint.INDEX_FILE, shard, "which is missing from");
    }

    @Test
    void shardNamesMustBePlainFileNamesInTheDirectory() throws IOException {
        Path dir = sharded("paths");
        // a real shard reachable through a path: still refused
        Files.createDirectories(dir.resolve("sub"));
        String first = ReferenceCheckpoint.shardName(1, shardCount(dir));
        Files.copy(dir.resolve(first), dir.resolve("sub").resolve(first));
        Files.copy(dir.resolve(first), tmp.resolve(first));
        Files.copy(dir.resolve(first), dir.resolve(".hidden.safetensors"));
        Files.copy(dir.resolve(first), dir.resolve("shard.bin"));
        for (String bad :
                new String[] {
                    "sub/" + first,
                    "../" + first,
                    "..",
                    ".hidden.safetensors",
                    "sub\\\\" + first,
                    tmp.resolve(first).toString(),
                    "shard.bin",
                    ""
                }) {
            writeIndex(
                    dir,
                    index -> {
                        JsonObject map = index.getAsJsonObject("weight_map");
                        for (String k : new ArrayList<>(map.keySet())) {
                            if (map.get(k).getAsString().equals(first)) {
                                map.addProperty(k, bad);
                            }
                        }
                    });
            rejects(dir, "plain", "\"" + bad + "\"");
            ReferenceCheckpoint.save(
                    golden, dir, SaveOptions.DEFAULT.withMaxShardBytes(SHARD_BYTES));
        }
    }

    @Test
    void theIndexAndTheShardsMustAgree() throws IOException {
        Path dir = sharded("agree");
        int count = shardCount(dir);
        String first = ReferenceCheckpoint.shardName(1, count);
        String second = ReferenceCheckpoint.shardName(2, count);
        String tensor = firstTensorOf(dir, first);

        // the map puts a tensor in a shard that does not hold it
        writeIndex(dir, i -> i.getAsJsonObject("weight_map").addProperty(tensor, second));
        rejects(dir, "shard " + first + " holds tensor '" + tensor + "'", "puts in " + second);

        // a shard holds a tensor the map does not list
        ReferenceCheckpoint.save(golden, dir, SaveOptions.DEFAULT.withMaxShardBytes(SHARD_BYTES));
        writeIndex(dir, i -> i.getAsJsonObject("weight_map").remove(tensor));
        rejects(dir, "'" + tensor + "'", "does not list");

        // the map lists a tensor no shard holds
        ReferenceCheckpoint.save(golden, dir, SaveOptions.DEFAULT.withMaxShardBytes(SHARD_BYTES));
        writeIndex(dir, i -> i.getAsJsonObject("weight_map").addProperty("extra.weight", first));
        rejects(dir, "'extra.weight'", "does not hold it");

        // one tensor in two shards: the second copy is not where the map says
        ReferenceCheckpoint.save(golden, dir, SaveOptions.DEFAULT.withMaxShardBytes(SHARD_BYTES));
        Map<String, NDArray> secondTensors =
                new LinkedHashMap<>(SafetensorsFile.read(dir.resolve(second), manager));
        secondTensors.put(tensor, SafetensorsFile.read(dir.resolve(first), manager).get(tensor));
        SafetensorsFile.write(dir.resolve(second), secondTensors);
        rejects(dir, "shard " + second + " holds tensor '" + tensor + "'", "puts in " + first);
    }

    @Test
    void malformedIndexesAreNamed() throws IOException {
        Path dir = sharded("json");
        Path index = dir.resolve(ReferenceCheckpoint.INDEX_FILE);
        String good = Files.readString(index);
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("{\"weight_map\": ", "not a valid JSON index");
        bad.put("[]", "not a JSON object");
        bad.put("{\"metadata\": {}}", "no \"weight_map\"");
        bad.put("{\"weight_map\": {\"a\": 1}}", "'a' maps to 1");
        bad.put("{\"weight_map\": {}, \"extra\": 1}", "unknown key \"extra\"");
        bad.put("{\"weight_map\": {}, \"metadata\": 3}", "\"metadata\" is not an object");
        bad.put(
                "{\"weight_map\": {\"a\": \"x.safetensors\", \"a\": \"y.safetensors\"}}",
                "duplicate key");
        bad.put("{\"weight_map\": {}}", "missing tensors");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Files.writeString(index, e.getKey());
            rejects(dir, ReferenceCheckpoint.INDEX_FILE, e.getValue());
        }
        Files.writeString(index, good);
        ReferenceCheckpoint.load(dir, manager);
    }

    @Test
    void aBrokenShardIsNamed() throws IOException {
        Path dir = sharded("broken");
        String last = ReferenceCheckpoint.shardName(shardCount(dir), shardCount(dir));
        Path shard = dir.resolve(last);
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, java.util.Arrays.copyOf(bytes, bytes.length - 2));
        rejects(dir, last, "truncated");
    }

    @Test
    void aShapeMismatchNamesTheShardTheTensorAndBothShapes() throws IOException {
        Path dir = sharded("shape");
        String second = ReferenceCheckpoint.shardName(2, shardCount(dir));
        String tensor = firstTensorOf(dir, second);
        Map<String, NDArray> tensors =
                new LinkedHashMap<>(SafetensorsFile.read(dir.resolve(second), manager));
        Shape real = tensors.get(tensor).getShape();
        tensors.put(tensor, manager.zeros(new Shape(real.get(0) + 1).addAll(real.slice(1))));
        SafetensorsFile.write(dir.resolve(second), tensors);
        rejects(dir, second, "tensor '" + tensor + "' has shape", "needs " + real);
    }

    @Test
    void aFailedShardedLoadLeavesALiveModelUnchanged() throws IOException {
        Path dir = sharded("live");
        int count = shardCount(dir);
        String last = ReferenceCheckpoint.shardName(count, count);
        // every earlier tensor differs from the model's, so a partial load would show
        Path doubled = tmp.resolve("doubled");
        Map<String, NDArray> w = CheckpointFixture.weights(CASE, manager);
        Files.createDirectories(doubled);
        for (int i = 1; i <= count; i++) {
            String shard = ReferenceCheckpoint.shardName(i, count);
            Map<String, NDArray> part = new LinkedHashMap<>();
            for (String name : SafetensorsHeader.read(dir.resolve(shard)).entries().keySet()) {
                NDArray value = w.get(name).mul(2);
                if (shard.equals(last)) {
                    float[] v = value.toFloatArray();
                    v[0] = Float.NaN;
                    value = manager.create(v, value.getShape());
                }
                part.put(name, value);
            }
            SafetensorsFile.write(dir.resolve(shard), part);
        }
        Map<Parameter, NDArray> arrays = new HashMap<>();
        Map<Parameter, byte[]> values = new HashMap<>();
        ReferenceNames.of(golden)
                .values()
                .forEach(
                        s -> {
                            arrays.put(s.parameter(), s.parameter().getArray());
                            values.put(s.parameter(), s.parameter().getArray().toByteArray());
                        });
        float[] before = logits(golden, CASE, manager).toFloatArray();
        int arraysBefore = manager.getManagedArrays().size();
        CheckpointException e =
                assertThrows(
                        CheckpointException.class,
                        () ->
                                ReferenceCheckpoint.loadWeights(
                                        golden, dir.resolve(ReferenceCheckpoint.INDEX_FILE)));
        assertTrue(e.getMessage().startsWith(dir.resolve(last).toString()), e.getMessage());
        assertEquals(arraysBefore, manager.getManagedArrays().size(), "nothing leaked");
        arrays.forEach((p, a) -> assertSame(a, p.getArray(), p.getName()));
        values.forEach((p, v) -> assertArrayEquals(v, p.getArray().toByteArray(), p.getName()));
        assertArrayEquals(before, logits(golden, CASE, manager).toFloatArray());

        // with the NaN allowed the same files load, into the live model
        ReferenceCheckpoint.loadWeights(
                golden, dir.resolve(ReferenceCheckpoint.INDEX_FILE), FiniteValues.ALLOW);
        String tok = "tok_embeddings.weight";
        assertArrayEquals(
                w.get(tok).mul(2).toFloatArray(),
                ReferenceNames.of(golden).get(tok).read().toFloatArray());
    }

    private static int shardCount(Path dir) throws IOException {
        return (int)
                index(dir).getAsJsonObject("weight_map").entrySet().stream()
                        .map(e -> e.getValue().getAsString())
                        .distinct()
                        .count();
    }

    private static String firstTensorOf(Path dir, String shard) throws IOException {
        return SafetensorsHeader.read(dir.resolve(shard)).entries().keySet().iterator().next();
    }
}
