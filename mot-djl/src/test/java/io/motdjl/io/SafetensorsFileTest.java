package io.motdjl.io;

import static io.motdjl.io.SafetensorsBytes.entry;
import static io.motdjl.io.SafetensorsBytes.floats;
import static io.motdjl.io.SafetensorsBytes.longs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.motdjl.GoldenCase;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reading and writing through DJL's codec: what reaches native code, and what comes back. */
class SafetensorsFileTest {

    @TempDir Path dir;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Map<String, NDArray> read(byte[] bytes) throws IOException {
        return SafetensorsFile.read(SafetensorsBytes.write(dir, "t.safetensors", bytes), manager);
    }

    private CheckpointException rejects(byte[] bytes, String... fragments) {
        Path file = dir.resolve("bad.safetensors");
        CheckpointException e =
                assertThrows(
                        CheckpointException.class,
                        () -> SafetensorsFile.read(Files.write(file, bytes), manager));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        }
        // nothing was decoded, or what was is closed again
        assertEquals(List.of(), manager.getManagedArrays());
        return e;
    }

    @Test
    void bf16IsAClearErrorAndTheJvmSurvives() {
        // DJL's native decoder aborts the process on BF16: reaching the next line proves it did not
        // run
        byte[] bytes =
                SafetensorsBytes.of("{" + entry("w", "BF16", "[2]", 0, 4) + "}", new byte[4]);
        CheckpointException e = rejects(bytes, "'w'", "BF16");
        assertTrue(e.getMessage().contains("bad.safetensors"), e.getMessage());
    }

    @Test
    void int16IsAClearError() {
        rejects(
                SafetensorsBytes.of("{" + entry("w", "I16", "[2]", 0, 4) + "}", new byte[4]),
                "'w'",
                "I16");
    }

    @Test
    void float32AndInt64RoundTrip() throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("weights", manager.arange(12f).reshape(3, 4).div(7));
        tensors.put("ids", manager.create(new long[] {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE}));
        tensors.put("scalar", manager.create(3.5f));
        Path file = dir.resolve("x.safetensors");
        SafetensorsFile.write(file, tensors);

        Map<String, NDArray> back = SafetensorsFile.read(file, manager);
        assertEquals(tensors.keySet(), back.keySet());
        for (String name : tensors.keySet()) {
            NDArray want = tensors.get(name);
            NDArray got = back.get(name);
            assertEquals(want.getShape(), got.getShape(), name);
            assertEquals(want.getDataType(), got.getDataType(), name);
            assertArrayEquals(want.toByteArray(), got.toByteArray(), name);
            assertEquals(name, got.getName());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"FLOAT64", "FLOAT16", "INT32", "INT8", "UINT8", "BOOLEAN"})
    void everyAllowedTypeRoundTrips(String typeName) throws IOException {
        DataType type = DataType.valueOf(typeName);
        NDArray values =
                manager.create(new float[] {0, 1, 0, 1, 1, 0}, new Shape(2, 3)).toType(type, false);
        Path file = dir.resolve("x.safetensors");
        SafetensorsFile.write(file, Map.of("v", values));
        NDArray back = SafetensorsFile.read(file, manager).get("v");
        assertEquals(type, back.getDataType());
        assertEquals(new Shape(2, 3), back.getShape());
        assertArrayEquals(values.toByteArray(), back.toByteArray());
    }

    @Test
    void zeroSizeTensorsRoundTrip() throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("empty", manager.zeros(new Shape(0, 3)));
        tensors.put("w", manager.create(new float[] {1, 2}));
        Path file = dir.resolve("x.safetensors");
        SafetensorsFile.write(file, tensors);
        Map<String, NDArray> back = SafetensorsFile.read(file, manager);
        assertEquals(new Shape(0, 3), back.get("empty").getShape());
        assertArrayEquals(new float[] {1, 2}, back.get("w").toFloatArray());
    }

    @Test
    void handMadeZeroSizeTensorDecodes() throws IOException {
        String header =
                "{"
                        + entry("empty", "I64", "[2,0]", 8, 8)
                        + ","
                        + entry("w", "I64", "[1]", 0, 8)
                        + "}";
        Map<String, NDArray> back = read(SafetensorsBytes.of(header, longs(42)));
        assertEquals(new Shape(2, 0), back.get("empty").getShape());
        assertEquals(42L, back.get("w").getLong());
    }

    @Test
    void aFileOfOnlyEmptyTensorsDecodes() throws IOException {
        String header = "{" + entry("e", "F32", "[0]", 0, 0) + "}";
        Map<String, NDArray> back = read(SafetensorsBytes.of(header, new byte[0]));
        assertEquals(new Shape(0), back.get("e").getShape());
    }

    @Test
    void metadataIsIgnored() throws IOException {
        String header =
                "{\"__metadata__\":{\"format\":\"pt\"}," + entry("w", "F32", "[1]", 0, 4) + "}";
        Map<String, NDArray> back = read(SafetensorsBytes.of(header, floats(9)));
        assertEquals(List.of("w"), new ArrayList<>(back.keySet()));
        assertArrayEquals(new float[] {9}, back.get("w").toFloatArray());
    }

    @Test
    void anEmptyFileRoundTrips() throws IOException {
        Path file = dir.resolve("x.safetensors");
        SafetensorsFile.write(file, Map.of());
        assertTrue(SafetensorsFile.read(file, manager).isEmpty());
    }

    @Test
    void keysOrderedUnlikeTheDataDecodeToTheRightValues() throws IOException {
        String header =
                "{"
                        + entry("c", "F32", "[1]", 12, 16)
                        + ","
                        + entry("a", "F32", "[2]", 0, 8)
                        + ","
                        + entry("b", "I32", "[1]", 8, 12)
                        + "}";
        byte[] data =
                ByteBuffer.allocate(16)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putFloat(1)
                        .putFloat(2)
                        .putInt(-3)
                        .putFloat(4)
                        .array();
        Map<String, NDArray> back = read(SafetensorsBytes.of(header, data));
        assertEquals(List.of("c", "a", "b"), new ArrayList<>(back.keySet()), "header order kept");
        assertArrayEquals(new float[] {4}, back.get("c").toFloatArray());
        assertArrayEquals(new float[] {1, 2}, back.get("a").toFloatArray());
        assertArrayEquals(new int[] {-3}, back.get("b").toIntArray());
    }

    @Test
    void headersPaddedWithSpacesDecode() throws IOException {
        String header = "{" + entry("w", "F32", "[2]", 0, 8) + "}";
        Map<String, NDArray> back =
                read(SafetensorsBytes.padded(header, header.length() + 37, floats(5, 6)));
        assertArrayEquals(new float[] {5, 6}, back.get("w").toFloatArray());
    }

    @Test
    void aHeaderLengthThatLooksLikeAZipMagicStillDecodes() throws IOException {
        // 19280 = 0x4B50: the length's first two bytes read "PK", which DJL takes for an npz file
        String header = "{" + entry("w", "F32", "[2]", 0, 8) + "}";
        byte[] bytes = SafetensorsBytes.padded(header, 0x4B50, floats(5, 6));
        assertEquals('P', bytes[0]);
        assertEquals('K', bytes[1]);
        assertArrayEquals(new float[] {5, 6}, read(bytes).get("w").toFloatArray());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 100, 50_000, 144_127, 144_128, 144_140, 149_392, 149_399})
    void truncatedGoldenWeightsAreRejected(int cut) throws IOException {
        byte[] golden =
                Files.readAllBytes(GoldenCase.dir("chameleon-post").resolve("model.safetensors"));
        rejects(Arrays.copyOf(golden, golden.length - cut), "bad.safetensors");
    }

    @Test
    void truncationNamesTheTensorThatIsCut() throws IOException {
        byte[] golden =
                Files.readAllBytes(GoldenCase.dir("chameleon-post").resolve("model.safetensors"));
        rejects(Arrays.copyOf(golden, golden.length - 10), "'output.weight'", "truncated");
    }

    @Test
    void appendedBytesAreRejected() throws IOException {
        byte[] golden =
                Files.readAllBytes(GoldenCase.dir("chameleon-post").resolve("model.safetensors"));
        rejects(Arrays.copyOf(golden, golden.length + 4), "4 bytes after the last tensor");
    }

    @Test
    void goldenFilesDecodeCompletely() throws IOException {
        for (String name : GoldenCase.NAMES) {
            Map<String, NDArray> weights =
                    SafetensorsFile.read(
                            GoldenCase.dir(name).resolve("model.safetensors"), manager);
            assertTrue(weights.containsKey("output.weight"), name);
            weights.values().forEach(a -> assertEquals(DataType.FLOAT32, a.getDataType()));
        }
    }

    @Test
    void decodedArraysBelongToTheCallersManagerAndNothingElseIsLeft() throws IOException {
        Map<String, NDArray> weights;
        try (NDManager scope = manager.newSubManager()) {
            Path golden = GoldenCase.dir("chameleon-post").resolve("model.safetensors");
            weights = SafetensorsFile.read(golden, scope);
            assertEquals(weights.size(), scope.getManagedArrays().size());
            for (NDArray a : weights.values()) {
                assertSame(scope, a.getManager());
            }
        }
        assertEquals(List.of(), manager.getManagedArrays());
        assertTrue(weights.values().stream().allMatch(NDArray::isReleased));
    }

    @Test
    void writingLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("x.safetensors");
        SafetensorsFile.write(file, Map.of("w", manager.ones(new Shape(3))));
        SafetensorsFile.write(file, Map.of("v", manager.zeros(new Shape(2)))); // overwrite
        assertEquals(List.of(file), listDir());
        assertEquals(List.of("v"), new ArrayList<>(SafetensorsFile.read(file, manager).keySet()));
    }

    @Test
    void aFailedWriteLeavesNothingBehind() throws IOException {
        Path target = Files.createDirectories(dir.resolve("x.safetensors"));
        Files.writeString(target.resolve("keep"), "old");
        Map<String, NDArray> tensors = Map.of("w", manager.ones(new Shape(3)));
        assertThrows(IOException.class, () -> SafetensorsFile.write(target, tensors));
        assertEquals(List.of(target), listDir());
        assertEquals("old", Files.readString(target.resolve("keep")));

        Path empty = Files.createDirectories(dir.resolve("empty.safetensors"));
        assertThrows(IOException.class, () -> SafetensorsFile.write(empty, tensors));
        assertTrue(Files.isDirectory(empty));
        assertEquals(2, listDir().size());
    }

    @Test
    void aFailedWriteKeepsThePreviousFile() throws IOException {
        Path file = dir.resolve("x.safetensors");
        SafetensorsFile.write(file, Map.of("w", manager.ones(new Shape(3))));
        byte[] before = Files.readAllBytes(file);
        // (DJL's PyTorch engine aborts the JVM on creating BF16 or INT16 arrays, so complex64 it
        // is)
        NDArray complex = manager.ones(new Shape(2)).toType(DataType.COMPLEX64, false);
        CheckpointException e =
                assertThrows(
                        CheckpointException.class,
                        () -> SafetensorsFile.write(file, Map.of("bad", complex)));
        assertTrue(e.getMessage().contains("'bad'"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(file), listDir());
    }

    @Test
    void writingKeepsTheCallersArrayNames() throws IOException {
        NDArray w = manager.ones(new Shape(2));
        w.setName("mine");
        NDArray unnamed = manager.zeros(new Shape(1));
        SafetensorsFile.write(dir.resolve("x.safetensors"), Map.of("w", w, "u", unnamed));
        assertEquals("mine", w.getName());
        assertNull(unnamed.getName());
    }

    @Test
    void oneArrayUnderTwoNamesIsWrittenTwice() throws IOException {
        NDArray shared = manager.create(new float[] {1, 2, 3});
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("tok_embeddings.weight", shared);
        tensors.put("output.weight", shared);
        Path file = dir.resolve("x.safetensors");
        SafetensorsFile.write(file, tensors);
        Map<String, NDArray> back = SafetensorsFile.read(file, manager);
        assertArrayEquals(new float[] {1, 2, 3}, back.get("tok_embeddings.weight").toFloatArray());
        assertArrayEquals(new float[] {1, 2, 3}, back.get("output.weight").toFloatArray());
    }

    @Test
    void theMetadataKeyCannotBeATensorName() {
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        SafetensorsFile.write(
                                dir.resolve("x.safetensors"),
                                Map.of("__metadata__", manager.ones(new Shape(1)))));
        assertFalse(Files.exists(dir.resolve("x.safetensors")));
    }

    @Test
    void writtenFilesGetTheUsualPermissions() throws IOException {
        PosixFileAttributeView posix =
                Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        if (posix == null) {
            return;
        }
        Path plain = Files.writeString(dir.resolve("plain"), "x");
        Path file = dir.resolve("x.safetensors");
        SafetensorsFile.write(file, Map.of("w", manager.ones(new Shape(1))));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
