package io.motdjl.io;

import static io.motdjl.io.SafetensorsBytes.entry;
import static io.motdjl.io.SafetensorsBytes.floats;
import static io.motdjl.io.SafetensorsBytes.longs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import static java.nio.charset.StandardCharsets.UTF_8;

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
import java.io.RandomAccessFile;
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
import java.util.Set;
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

    /** Little-endian bfloat16 bytes. */
    private static byte[] bf16(int... bits) {
        ByteBuffer b = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : bits) {
            b.putShort((short) v);
        }
        return b.array();
    }

    @Test
    void bf16IsWidenedToFloat32InJavaAndTheJvmSurvives() throws IOException {
        // DJL's native code aborts the process on a BF16 array: reaching the asserts proves none
        // was made
        int[] bits = {0x3F80, 0xC000, 0x7F80, 0xFF80, 0x0001, 0x8000, 0x4049, 0xFFC1};
        byte[] bytes =
                SafetensorsBytes.of("{" + entry("w", "BF16", "[2,4]", 0, 16) + "}", bf16(bits));
        Map<String, NDArray> back = read(bytes);
        NDArray w = back.get("w");
        assertEquals(DataType.FLOAT32, w.getDataType());
        assertEquals(new Shape(2, 4), w.getShape());
        float[] values = w.toFloatArray();
        for (int i = 0; i < bits.length; i++) {
            int want = bits[i] << 16;
            if (Float.isNaN(Float.intBitsToFloat(want))) {
                assertTrue(Float.isNaN(values[i]), "value " + i);
            } else {
                assertEquals(want, Float.floatToRawIntBits(values[i]), "value " + i);
            }
        }
        for (NDArray a : manager.getManagedArrays()) {
            assertNotEquals(DataType.BFLOAT16, a.getDataType());
        }
    }

    @Test
    void theOnlyPathFromFileBytesToAnArrayRefusesBf16() {
        ByteBuffer data = ByteBuffer.allocateDirect(4);
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () -> TensorReader.wrap(manager, data, 2, DataType.BFLOAT16));
        assertTrue(e.getMessage().contains("BF16"), e.getMessage());
        assertEquals(List.of(), manager.getManagedArrays());
    }

    @Test
    void floatsWrittenAsBf16RoundTripExactlyWhenRepresentable() throws IOException {
        float[] values = {
            1,
            -2,
            0.15625f,
            -0f,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.NaN,
            Bfloat16.toFloat((short) 0x7F7F),
            Bfloat16.toFloat((short) 0x0001),
            3.140625f
        };
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("w", manager.create(values, new Shape(2, 5)));
        tensors.put("ids", manager.create(new long[] {7, -1}));
        Path file = dir.resolve("bf16.safetensors");
        SafetensorsFile.write(file, tensors, DataType.BFLOAT16);

        SafetensorsHeader header = SafetensorsHeader.read(file);
        assertEquals("BF16", header.entries().get("w").dtype());
        assertEquals("I64", header.entries().get("ids").dtype(), "integers keep their type");
        assertEquals(20, header.entries().get("w").byteSize());
        Map<String, NDArray> back = SafetensorsFile.read(file, manager);
        float[] got = back.get("w").toFloatArray();
        for (int i = 0; i < values.length; i++) {
            if (Float.isNaN(values[i])) {
                assertTrue(Float.isNaN(got[i]), "NaN stays NaN");
            } else {
                assertEquals(
                        Float.floatToRawIntBits(values[i]),
                        Float.floatToRawIntBits(got[i]),
                        "" + i);
            }
        }
        assertArrayEquals(new long[] {7, -1}, back.get("ids").toLongArray());
    }

    @Test
    void writingBf16RoundsToNearestEven() throws IOException {
        int[] floatBits = {0x3F807FFF, 0x3F808001, 0x3F808000, 0x3F818000, 0xBF818000, 0x7F7FFFFF};
        int[] want = {0x3F80, 0x3F81, 0x3F80, 0x3F82, 0xBF82, 0x7F80};
        float[] values = new float[floatBits.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = Float.intBitsToFloat(floatBits[i]);
        }
        Path file = dir.resolve("ties.safetensors");
        SafetensorsFile.write(file, Map.of("w", manager.create(values)), DataType.BFLOAT16);
        byte[] bytes = Files.readAllBytes(file);
        int data = (int) SafetensorsHeader.read(file).dataOffset();
        assertArrayEquals(bf16(want), Arrays.copyOfRange(bytes, data, bytes.length));
    }

    @Test
    void floatsWrittenAsFloat16MatchTheEnginesConversion() throws IOException {
        NDArray w = manager.create(new float[] {1.0009765625f, 65504f, 1e-8f, -3.3333333f, 7e4f});
        Path file = dir.resolve("f16.safetensors");
        SafetensorsFile.write(file, Map.of("w", w), DataType.FLOAT16);
        assertEquals("F16", SafetensorsHeader.read(file).entries().get("w").dtype());
        NDArray back = SafetensorsFile.read(file, manager).get("w");
        assertEquals(DataType.FLOAT16, back.getDataType());
        assertArrayEquals(w.toType(DataType.FLOAT16, false).toByteArray(), back.toByteArray());
    }

    @Test
    void onlyFloatingTypesCanBeAskedForAsTheStoredType() {
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        SafetensorsFile.write(
                                dir.resolve("x.safetensors"),
                                Map.of("w", manager.ones(new Shape(1))),
                                DataType.INT32));
        assertFalse(Files.exists(dir.resolve("x.safetensors")));
    }

    @Test
    void writtenHeadersAreAlignedAndCarryTheFormatMetadata() throws IOException {
        Path file = dir.resolve("x.safetensors");
        SafetensorsFile.write(file, Map.of("a", manager.ones(new Shape(3))));
        SafetensorsHeader header = SafetensorsHeader.read(file);
        assertEquals(0, header.dataOffset() % 8, "the data starts 8-byte aligned");
        String json = new String(Files.readAllBytes(file), 8, (int) header.dataOffset() - 8, UTF_8);
        assertTrue(json.contains("\"__metadata__\":{\"format\":\"pt\"}"), json);
    }

    @Test
    void smallWindowsReadAndWriteTheSameBytes() throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("f32", manager.arange(23f).reshape(23).div(3));
        tensors.put("f64", manager.arange(9f).toType(DataType.FLOAT64, false).div(7));
        tensors.put("f16", manager.arange(11f).toType(DataType.FLOAT16, false));
        tensors.put("i64", manager.create(new long[] {1, -2, 3, Long.MAX_VALUE, 5}));
        tensors.put("bool", manager.create(new boolean[] {true, false, true, true, false}));
        tensors.put("scalar", manager.create(2.5f));
        tensors.put("empty", manager.zeros(new Shape(0, 4)));
        Path wide = dir.resolve("wide.safetensors");
        Path narrow = dir.resolve("narrow.safetensors");
        SafetensorsFile.write(wide, tensors);
        List<SafetensorsWriter.Tensor> list = new ArrayList<>();
        tensors.forEach((k, v) -> list.add(SafetensorsWriter.Tensor.of(k, v)));
        SafetensorsWriter writer = SafetensorsWriter.plan(list, null, "narrow", 12);
        try (var os = Files.newOutputStream(narrow)) {
            writer.writeTo(os);
        }
        assertArrayEquals(Files.readAllBytes(wide), Files.readAllBytes(narrow));

        try (TensorReader reader = TensorReader.open(narrow, 8)) {
            for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                NDArray got = reader.read(e.getKey(), manager);
                assertEquals(e.getValue().getShape(), got.getShape(), e.getKey());
                assertEquals(e.getValue().getDataType(), got.getDataType(), e.getKey());
                assertArrayEquals(e.getValue().toByteArray(), got.toByteArray(), e.getKey());
            }
        }

        // BF16 windows widen into twice their bytes: an odd count across small windows
        Path bf16 = dir.resolve("bf16.safetensors");
        NDArray odd = manager.arange(13f).div(8);
        SafetensorsFile.write(bf16, Map.of("w", odd), DataType.BFLOAT16);
        try (TensorReader reader = TensorReader.open(bf16, 8)) {
            assertArrayEquals(odd.toFloatArray(), reader.read("w", manager).toFloatArray());
        }
    }

    @Test
    void aFileThatShrinksAfterItsHeaderWasReadIsACheckpointException() throws IOException {
        Path file = dir.resolve("x.safetensors");
        SafetensorsFile.write(file, Map.of("w", manager.arange(64f)));
        try (TensorReader reader = TensorReader.open(file, 16)) {
            try (var channel =
                    java.nio.channels.FileChannel.open(
                            file, java.nio.file.StandardOpenOption.WRITE)) {
                channel.truncate(Files.size(file) - 10);
            }
            int before = manager.getManagedArrays().size();
            CheckpointException e =
                    assertThrows(CheckpointException.class, () -> reader.read("w", manager));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertEquals(
                    before, manager.getManagedArrays().size(), "the half-read array is closed");
        }
    }

    @Test
    void offsetsBeyondTwoGibibytesAreReadFromASparseFile() throws IOException {
        String store = Files.getFileStore(dir).type();
        assumeTrue(
                Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "zfs", "f2fs", "overlay")
                        .contains(store),
                "sparse files not known to work on " + store);
        long pad = (1L << 31) - 8; // 'w' then straddles byte 2^31 of the data section
        long pad2 = 1L << 31; // and 'far' lies beyond 4 GiB
        String header =
                "{"
                        + entry("pad", "U8", "[" + pad + "]", 0, pad)
                        + ","
                        + entry("w", "F32", "[4]", pad, pad + 16)
                        + ","
                        + entry("pad2", "U8", "[" + pad2 + "]", pad + 16, pad + 16 + pad2)
                        + ","
                        + entry("far", "BF16", "[3]", pad + 16 + pad2, pad + 22 + pad2)
                        + "}";
        byte[] json = header.getBytes(UTF_8);
        long data = 8 + json.length;
        Path file = dir.resolve("sparse.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(data + pad + 22 + pad2);
            raf.write(SafetensorsBytes.withLength(json.length, json, new byte[0]));
            raf.seek(data + pad);
            raf.write(floats(1.5f, -2, 3, 1e30f));
            raf.seek(data + pad + 16 + pad2);
            raf.write(bf16(0x3F80, 0xC040, 0x7F80));
        }
        try {
            SafetensorsHeader parsed = SafetensorsHeader.read(file);
            assertEquals(pad + 16 + pad2, parsed.entries().get("far").begin());
            try (TensorReader reader = TensorReader.open(file, 8)) {
                assertArrayEquals(
                        new float[] {1.5f, -2, 3, 1e30f}, reader.read("w", manager).toFloatArray());
                assertArrayEquals(
                        new float[] {1, -3, Float.POSITIVE_INFINITY},
                        reader.read("far", manager).toFloatArray());
            }
        } finally {
            Files.delete(file);
        }
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
