package io.motdjl.io;

import static io.motdjl.io.SafetensorsBytes.entry;
import static io.motdjl.io.SafetensorsBytes.floats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Header validation alone, in pure Java: nothing here reaches the engine. */
class SafetensorsHeaderTest {

    private static final String SRC = "t.safetensors";

    @TempDir Path tmp;

    private static CheckpointException rejects(byte[] bytes, String... fragments) {
        CheckpointException e =
                assertThrows(CheckpointException.class, () -> SafetensorsHeader.parse(bytes, SRC));
        assertTrue(e.getMessage().startsWith(SRC), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        }
        return e;
    }

    private static byte[] one(String dtype, String shape, long begin, long end, byte[] data) {
        return SafetensorsBytes.of("{" + entry("w", dtype, shape, begin, end) + "}", data);
    }

    @Test
    void acceptsAWellFormedFile() {
        byte[] bytes =
                SafetensorsBytes.of(
                        "{"
                                + entry("a", "F32", "[2]", 0, 8)
                                + ","
                                + entry("b", "I64", "[1,1]", 8, 16)
                                + "}",
                        SafetensorsBytes.concat(floats(1, 2), SafetensorsBytes.longs(7)));
        SafetensorsHeader h = SafetensorsHeader.parse(bytes, SRC);
        assertEquals(List.of("a", "b"), List.copyOf(h.entries().keySet()));
        SafetensorsHeader.Entry b = h.entries().get("b");
        assertEquals(new Shape(1, 1), b.shape());
        assertEquals(DataType.INT64, b.dataType());
        assertEquals(8, b.begin());
        assertEquals(16, b.end());
        assertEquals(bytes.length - 16, h.dataOffset());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7})
    void rejectsFilesShorterThanTheLengthPrefix(int size) {
        rejects(new byte[size], "shorter than the 8-byte header length");
    }

    @Test
    void rejectsAHeaderLengthBeyondTheFile() {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        rejects(
                SafetensorsBytes.withLength(50, header, new byte[0]),
                "runs past the end",
                "truncated");
    }

    @ParameterizedTest
    @ValueSource(longs = {-1L, -8L, Long.MIN_VALUE, 0L, 1L})
    void rejectsNegativeOrTinyHeaderLengths(long length) {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = SafetensorsBytes.withLength(length, header, new byte[0]);
        rejects(bytes, "invalid safetensors header length");
    }

    @Test
    void rejectsAbsurdlyLargeHeaderLengths() {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        rejects(
                SafetensorsBytes.withLength(
                        SafetensorsHeader.MAX_HEADER_BYTES + 1, header, new byte[0]),
                "invalid safetensors header length " + (SafetensorsHeader.MAX_HEADER_BYTES + 1));
        rejects(SafetensorsBytes.withLength(Long.MAX_VALUE, header, new byte[0]), "invalid");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"{not json}", "{\"w\": }", "{\"w\": {\"dtype\": \"F32\"", "{} trailing"})
    void rejectsHeadersThatAreNotJson(String header) {
        rejects(SafetensorsBytes.of(header, new byte[0]), "not valid JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1, 2]", "\"text\"", "42", " {}"})
    void rejectsHeadersThatAreNotObjects(String header) {
        rejects(SafetensorsBytes.of(header, new byte[0]), "JSON object");
    }

    @Test
    void rejectsLenientJsonThatTheFormatForbids() {
        // Gson's default parser would take unquoted keys and comments
        rejects(SafetensorsBytes.of("{w: {}}", new byte[0]), "not valid JSON");
        rejects(SafetensorsBytes.of("{/* c */}", new byte[0]), "not valid JSON");
    }

    @Test
    void rejectsDuplicateTensorNames() {
        // with duplicates the last entry would silently win and the first one's bytes be lost
        String header =
                "{" + entry("w", "F32", "[1]", 0, 4) + "," + entry("w", "F32", "[1]", 4, 8) + "}";
        rejects(SafetensorsBytes.of(header, floats(1, 2)), "duplicate key \"w\"");
    }

    @Test
    void rejectsDuplicateFieldsInsideAnEntry() {
        String header =
                "{\"w\":{\"dtype\":\"BF16\",\"dtype\":\"F32\",\"shape\":[1],"
                        + "\"data_offsets\":[0,4]}}";
        rejects(SafetensorsBytes.of(header, floats(1)), "duplicate key \"dtype\"");
    }

    @Test
    void rejectsDeeplyNestedJson() {
        String header = "{\"w\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        rejects(SafetensorsBytes.of(header, new byte[0]), "not valid JSON");
    }

    @Test
    void rejectsEntriesMissingAField() {
        rejects(
                SafetensorsBytes.of("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1)),
                "'w'",
                "no dtype");
        rejects(
                SafetensorsBytes.of(
                        "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", floats(1)),
                "'w'",
                "shape is missing");
        rejects(
                SafetensorsBytes.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", floats(1)),
                "'w'",
                "data_offsets is missing");
        rejects(
                SafetensorsBytes.of("{\"w\":[1,2]}", floats(1)),
                "'w'",
                "{dtype, shape, data_offsets}");
        rejects(
                SafetensorsBytes.of(
                        "{\"w\":{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1)),
                "'w'",
                "no dtype");
    }

    @ParameterizedTest
    @ValueSource(strings = {"I16", "U16", "U32", "U64", "F8_E4M3", "C64", "f32", "float32", ""})
    void rejectsDtypesOutsideTheAllowList(String dtype) {
        rejects(
                one(dtype, "[2]", 0, 4, new byte[4]),
                "'w'",
                "dtype " + dtype + ",",
                "not supported");
    }

    @ParameterizedTest
    @ValueSource(strings = {"F32", "F64", "F16", "BF16", "I64", "I32", "I8", "U8", "BOOL"})
    void acceptsEveryAllowedDtype(String dtype) {
        int size =
                switch (dtype) {
                    case "F64", "I64" -> 8;
                    case "F32", "I32" -> 4;
                    case "F16", "BF16" -> 2;
                    default -> 1;
                };
        byte[] bytes = one(dtype, "[3]", 0, 3L * size, new byte[3 * size]);
        SafetensorsHeader h = SafetensorsHeader.parse(bytes, SRC);
        assertEquals(dtype, h.entries().get("w").dtype());
        assertTrue(SafetensorsHeader.isSupported(dtype));
    }

    @Test
    void bf16IsDeclaredAsSuchAndLoadedAsFloat32() {
        SafetensorsHeader.Entry e =
                SafetensorsHeader.parse(one("BF16", "[2]", 0, 4, new byte[4]), SRC)
                        .entries()
                        .get("w");
        assertEquals(DataType.BFLOAT16, e.dataType());
        assertEquals(DataType.FLOAT32, e.loadedType());
        assertEquals(2, e.elementBytes());
        assertEquals(2, e.elementCount());
    }

    @Test
    void readingFromAFileAgreesWithParsingTheBytes() throws IOException {
        byte[] bytes =
                SafetensorsBytes.of(
                        "{"
                                + entry("a", "F32", "[2]", 0, 8)
                                + ","
                                + entry("b", "F16", "[2]", 8, 12)
                                + "}",
                        new byte[12]);
        Path file = SafetensorsBytes.write(tmp, "ok.safetensors", bytes);
        SafetensorsHeader fromFile = SafetensorsHeader.read(file);
        SafetensorsHeader fromBytes = SafetensorsHeader.parse(bytes, SRC);
        assertEquals(fromBytes.entries(), fromFile.entries());
        assertEquals(fromBytes.dataOffset(), fromFile.dataOffset());

        for (int cut : new int[] {bytes.length - 1, 20, 7, 0}) {
            Path cutFile =
                    SafetensorsBytes.write(tmp, "cut.safetensors", Arrays.copyOf(bytes, cut));
            CheckpointException e =
                    assertThrows(CheckpointException.class, () -> SafetensorsHeader.read(cutFile));
            assertTrue(e.getMessage().startsWith(cutFile.toString()), e.getMessage());
        }
    }

    @Test
    void rejectsOffsetsBeyondTheData() {
        rejects(one("F32", "[4]", 0, 16, floats(1, 2)), "'w'", "ends at byte 16", "truncated");
    }

    @Test
    void rejectsOffsetsThatDoNotMatchTheShape() {
        rejects(one("F32", "[3]", 0, 8, floats(1, 2)), "'w'", "spans 8 bytes", "needs 12");
        rejects(one("F64", "[2]", 0, 8, floats(1, 2)), "'w'", "needs 16");
    }

    @Test
    void rejectsMalformedOffsets() {
        rejects(one("F32", "[0]", 8, 4, floats(1, 2)), "'w'", "invalid data_offsets");
        rejects(
                SafetensorsBytes.of(
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}",
                        floats(1)),
                "'w'",
                "invalid data_offsets");
        rejects(
                SafetensorsBytes.of(
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}",
                        floats(1)),
                "'w'",
                "must not be negative");
        rejects(
                SafetensorsBytes.of(
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,\"4\"]}}",
                        floats(1)),
                "'w'",
                "must hold integers");
    }

    @Test
    void rejectsOverlappingTensors() {
        String header =
                "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}";
        rejects(SafetensorsBytes.of(header, floats(1, 2, 3)), "'a' and 'b' overlap");
        String same =
                "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 0, 8) + "}";
        rejects(SafetensorsBytes.of(same, floats(1, 2)), "overlap");
    }

    @Test
    void rejectsHolesAndTrailingBytes() {
        String gap =
                "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}";
        rejects(SafetensorsBytes.of(gap, floats(1, 2, 3)), "bytes 4 to 8", "'b'");
        rejects(one("F32", "[1]", 0, 4, floats(1, 2)), "4 bytes after the last tensor 'w'");
        rejects(one("F32", "[1]", 4, 8, floats(1, 2)), "bytes 0 to 4");
    }

    @Test
    void rejectsNegativeDimensions() {
        rejects(one("F32", "[-1]", 0, 0, new byte[0]), "'w'", "shape must not be negative");
        rejects(one("F32", "[2,-2]", 0, 0, new byte[0]), "'w'", "shape must not be negative");
    }

    @Test
    void rejectsNonIntegerAndHugeDimensions() {
        rejects(one("F32", "[1.5]", 0, 4, floats(1)), "'w'", "64-bit integers");
        // 2^64 + 1 would wrap to 1 with Gson's getAsLong
        rejects(one("F32", "[18446744073709551617]", 0, 4, floats(1)), "'w'", "64-bit integers");
        rejects(one("F32", "[1e400]", 0, 4, floats(1)), "'w'", "64-bit integers");
        rejects(one("F32", "[\"1\"]", 0, 4, floats(1)), "'w'", "must hold integers");
        rejects(one("F32", "[4294967296, 4294967296]", 0, 4, floats(1)), "'w'", "too large");
    }

    @Test
    void acceptsIntegralNumbersWrittenAsDecimals() {
        // DJL's reader accepts 2.0 as 2, so the validator must agree with it
        SafetensorsHeader h = SafetensorsHeader.parse(one("F32", "[2.0]", 0, 8, floats(1, 2)), SRC);
        assertEquals(new Shape(2), h.entries().get("w").shape());
    }

    @Test
    void acceptsAndIgnoresMetadata() {
        String header =
                "{\"__metadata__\":{\"format\":\"pt\"}," + entry("w", "F32", "[1]", 0, 4) + "}";
        SafetensorsHeader h = SafetensorsHeader.parse(SafetensorsBytes.of(header, floats(1)), SRC);
        assertEquals(List.of("w"), List.copyOf(h.entries().keySet()));
        byte[] onlyMetadata = SafetensorsBytes.of("{\"__metadata__\":{}}", new byte[0]);
        SafetensorsHeader only = SafetensorsHeader.parse(onlyMetadata, SRC);
        assertTrue(only.entries().isEmpty());
    }

    @Test
    void acceptsZeroSizeTensors() {
        String header =
                "{"
                        + entry("empty", "F32", "[0,3]", 4, 4)
                        + ","
                        + entry("w", "F32", "[1]", 0, 4)
                        + ","
                        + entry("huge_but_empty", "F32", "[4294967296,4294967296,0]", 4, 4)
                        + "}";
        SafetensorsHeader h = SafetensorsHeader.parse(SafetensorsBytes.of(header, floats(1)), SRC);
        assertEquals(new Shape(0, 3), h.entries().get("empty").shape());
        assertEquals(3, h.entries().size());
    }

    @Test
    void acceptsAnEmptyFile() {
        byte[] bytes = SafetensorsBytes.of("{}", new byte[0]);
        assertTrue(SafetensorsHeader.parse(bytes, SRC).entries().isEmpty());
    }

    @Test
    void acceptsScalars() {
        SafetensorsHeader h = SafetensorsHeader.parse(one("F32", "[]", 0, 4, floats(1)), SRC);
        assertEquals(new Shape(), h.entries().get("w").shape());
    }

    @Test
    void acceptsHeadersPaddedWithSpaces() {
        byte[] bytes =
                SafetensorsBytes.padded("{" + entry("w", "F32", "[1]", 0, 4) + "}", 64, floats(1));
        SafetensorsHeader h = SafetensorsHeader.parse(bytes, SRC);
        assertEquals(8 + 64, h.dataOffset());
    }

    @Test
    void acceptsKeysInAnOrderOtherThanTheData() {
        String header =
                "{"
                        + entry("second", "F32", "[1]", 4, 8)
                        + ","
                        + entry("first", "F32", "[1]", 0, 4)
                        + "}";
        SafetensorsHeader h =
                SafetensorsHeader.parse(SafetensorsBytes.of(header, floats(1, 2)), SRC);
        assertEquals(List.of("second", "first"), List.copyOf(h.entries().keySet()));
    }

    @Test
    void rejectsHeadersNotStartingWithABrace() {
        rejects(SafetensorsBytes.of(" {}", new byte[0]), "starting with '{'");
    }
}
