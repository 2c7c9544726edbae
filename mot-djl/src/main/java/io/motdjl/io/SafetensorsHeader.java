package io.motdjl.io;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated header of a safetensors file. Parsing checks everything a decoder would otherwise
 * trust blindly — the header length, strict JSON without duplicate keys, the dtype allow-list,
 * exact integer shapes and offsets (64-bit: files over 2 GiB are fine), every tensor's bytes lying
 * inside the file and matching its shape and dtype size, and the tensors tiling the data section
 * without overlaps, holes or trailing bytes — so that no malformed byte reaches native code. BF16
 * is allowed here; readers widen it to float32 in Java, since DJL's native code aborts the JVM on
 * any BF16 array.
 */
public final class SafetensorsHeader {

    /** Largest header accepted (the format's own reference reader uses the same bound). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    /** The header key that holds free-form metadata rather than a tensor. */
    public static final String METADATA_KEY = "__metadata__";

    private static final Map<String, Integer> DTYPE_BYTES =
            Map.of(
                    "F32", 4, "F64", 8, "F16", 2, "BF16", 2, "I64", 8, "I32", 4, "I8", 1, "U8", 1,
                    "BOOL", 1);

    /** Printed in messages in a fixed order (the map's own order is unspecified). */
    private static final List<String> DTYPE_NAMES =
            List.of("F32", "F64", "F16", "BF16", "I64", "I32", "I8", "U8", "BOOL");

    /**
     * One tensor's entry.
     *
     * @param name tensor name
     * @param dtype safetensors dtype string
     * @param shape shape
     * @param begin first byte in the data section
     * @param end one past the last byte in the data section
     */
    public record Entry(String name, String dtype, Shape shape, long begin, long end) {

        /**
         * The DJL data type the file declares. For BF16 this is {@link DataType#BFLOAT16}, a type
         * no array may have (DJL's native code aborts on it); see {@link #loadedType}.
         */
        public DataType dataType() {
            return DataType.fromSafetensors(dtype);
        }

        /** The type of the array this tensor is read into: float32 for BF16, else its own type. */
        public DataType loadedType() {
            DataType declared = dataType();
            return declared == DataType.BFLOAT16 ? DataType.FLOAT32 : declared;
        }

        /** Number of elements. */
        public long elementCount() {
            return shape.size();
        }

        /** Bytes per element in the file. */
        public int elementBytes() {
            return DTYPE_BYTES.get(dtype);
        }

        /** Number of bytes the tensor occupies. */
        public long byteSize() {
            return end - begin;
        }
    }

    private final Map<String, Entry> entries;
    private final long dataOffset;

    private SafetensorsHeader(Map<String, Entry> entries, long dataOffset) {
        this.entries = entries;
        this.dataOffset = dataOffset;
    }

    /** Whether files may hold tensors of this safetensors dtype (e.g. {@code "F32"}). */
    public static boolean isSupported(String dtype) {
        return DTYPE_BYTES.containsKey(dtype);
    }

    /**
     * Validates the header of a safetensors file held in memory.
     *
     * @param bytes the whole file
     * @param source the file's name, for messages
     * @return the parsed header
     * @throws CheckpointException naming the tensor or the field that is wrong
     */
    public static SafetensorsHeader parse(byte[] bytes, String source) {
        if (bytes.length < 8) {
            throw tooShort(bytes.length, source);
        }
        long headerLength = headerLength(ByteBuffer.wrap(bytes, 0, 8), bytes.length, source);
        return parseHeader(ByteBuffer.wrap(bytes, 8, (int) headerLength), bytes.length, source);
    }

    /**
     * Reads and validates the header of a safetensors file without reading its tensors.
     *
     * @param file the file
     * @return the parsed header
     * @throws IOException if the file cannot be read
     * @throws CheckpointException naming the tensor or the field that is wrong
     */
    public static SafetensorsHeader read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(channel, file.toString());
        }
    }

    /** Reads and validates the header at the start of {@code channel}. */
    static SafetensorsHeader read(FileChannel channel, String source) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw tooShort(fileSize, source);
        }
        ByteBuffer prefix = ByteBuffer.allocate(8);
        readFully(channel, prefix, 0, source);
        long headerLength = headerLength(prefix.flip(), fileSize, source);
        ByteBuffer json = ByteBuffer.allocate((int) headerLength);
        readFully(channel, json, 8, source);
        return parseHeader(json.flip(), fileSize, source);
    }

    private static void readFully(FileChannel channel, ByteBuffer dst, long position, String source)
            throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                throw new CheckpointException(
                        source + ": the file ended while reading its header — it is truncated");
            }
            at += n;
        }
    }

    /** Parses the JSON header {@code json} (its remaining bytes) of a file of {@code fileSize}. */
    private static SafetensorsHeader parseHeader(ByteBuffer json, long fileSize, String source) {
        long headerLength = json.remaining();
        JsonObject root = parseJson(json, source);
        long dataOffset = 8 + headerLength;
        long dataLength = fileSize - dataOffset;
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : root.entrySet()) {
            if (METADATA_KEY.equals(e.getKey())) {
                continue;
            }
            Entry entry = parseEntry(e.getKey(), e.getValue(), source);
            if (entry.end() > dataLength) {
                throw new CheckpointException(
                        source
                                + ": tensor '"
                                + entry.name()
                                + "' ends at byte "
                                + entry.end()
                                + " of the data section, which has only "
                                + dataLength
                                + " bytes — the file is truncated");
            }
            entries.put(entry.name(), entry);
        }
        checkLayout(entries.values(), dataLength, source);
        return new SafetensorsHeader(Collections.unmodifiableMap(entries), dataOffset);
    }

    private static CheckpointException tooShort(long size, String source) {
        return new CheckpointException(
                source
                        + ": not a safetensors file ("
                        + size
                        + " bytes, shorter than the 8-byte header length)");
    }

    private static long headerLength(ByteBuffer prefix, long fileSize, String source) {
        long length = prefix.order(ByteOrder.LITTLE_ENDIAN).getLong(prefix.position());
        if (length < 2 || length > MAX_HEADER_BYTES) {
            // read as unsigned like the format does, so that huge values are not shown negative
            throw new CheckpointException(
                    source
                            + ": invalid safetensors header length "
                            + Long.toUnsignedString(length)
                            + "; expected 2 to "
                            + MAX_HEADER_BYTES
                            + " bytes — the file is corrupt or not safetensors");
        }
        if (length > fileSize - 8L) {
            throw new CheckpointException(
                    source
                            + ": safetensors header length "
                            + length
                            + " runs past the end of the"
                            + " file ("
                            + fileSize
                            + " bytes) — the file is truncated");
        }
        return length;
    }

    private static JsonObject parseJson(ByteBuffer bytes, String source) {
        if (bytes.get(bytes.position()) != '{') {
            throw new CheckpointException(
                    source + ": safetensors header must be a JSON object starting with '{'");
        }
        String json = StandardCharsets.UTF_8.decode(bytes.duplicate()).toString();
        JsonElement element;
        try {
            element = StrictJson.parse(json);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(
                    source + ": safetensors header is not valid JSON (" + e.getMessage() + ")", e);
        }
        if (!element.isJsonObject()) {
            throw new CheckpointException(source + ": safetensors header is not a JSON object");
        }
        return element.getAsJsonObject();
    }

    private static Entry parseEntry(String name, JsonElement value, String source) {
        String where = source + ": tensor '" + name + "'";
        if (!value.isJsonObject()) {
            throw new CheckpointException(
                    where + " has no {dtype, shape, data_offsets} object, got " + value);
        }
        JsonObject o = value.getAsJsonObject();
        JsonElement dtypeElement = o.get("dtype");
        if (dtypeElement == null
                || !dtypeElement.isJsonPrimitive()
                || !dtypeElement.getAsJsonPrimitive().isString()) {
            throw new CheckpointException(where + " has no dtype string");
        }
        String dtype = dtypeElement.getAsString();
        Integer size = DTYPE_BYTES.get(dtype);
        if (size == null) {
            throw new CheckpointException(
                    where
                            + " has dtype "
                            + dtype
                            + ", which is not supported; expected one of "
                            + DTYPE_NAMES);
        }
        long[] dims = longArray(o.get("shape"), where + " shape");
        long elements = elementCount(dims, where);
        long[] offsets = longArray(o.get("data_offsets"), where + " data_offsets");
        if (offsets.length != 2 || offsets[1] < offsets[0]) {
            throw new CheckpointException(
                    where
                            + " has invalid data_offsets; expected [begin, end] with"
                            + " 0 <= begin <= end");
        }
        long expectedBytes;
        try {
            expectedBytes = Math.multiplyExact(elements, (long) size);
        } catch (ArithmeticException e) {
            throw new CheckpointException(where + " has a shape too large to address", e);
        }
        if (offsets[1] - offsets[0] != expectedBytes) {
            throw new CheckpointException(
                    where
                            + " spans "
                            + (offsets[1] - offsets[0])
                            + " bytes but its shape "
                            + new Shape(dims)
                            + " of "
                            + dtype
                            + " needs "
                            + expectedBytes);
        }
        return new Entry(name, dtype, new Shape(dims), offsets[0], offsets[1]);
    }

    private static long elementCount(long[] dims, String where) {
        for (long d : dims) {
            if (d == 0) {
                return 0; // even if the other dimensions would overflow when multiplied
            }
        }
        long elements = 1;
        try {
            for (long d : dims) {
                elements = Math.multiplyExact(elements, d);
            }
        } catch (ArithmeticException e) {
            throw new CheckpointException(where + " has a shape too large to address", e);
        }
        return elements;
    }

    /** Non-negative exact integers; {@code 2.0} is accepted (DJL's reader accepts it too). */
    private static long[] longArray(JsonElement element, String what) {
        if (element == null || !element.isJsonArray()) {
            throw new CheckpointException(what + " is missing or not a list");
        }
        JsonArray arr = element.getAsJsonArray();
        long[] values = new long[arr.size()];
        for (int i = 0; i < values.length; i++) {
            JsonElement v = arr.get(i);
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
                throw new CheckpointException(what + " must hold integers, got " + arr);
            }
            values[i] = exactLong(v.getAsJsonPrimitive(), what, arr);
        }
        return values;
    }

    private static long exactLong(JsonPrimitive p, String what, JsonArray arr) {
        BigDecimal value = p.getAsBigDecimal();
        if (value.signum() < 0) {
            throw new CheckpointException(what + " must not be negative, got " + arr);
        }
        try {
            // fails fast on fractions and on values beyond 64 bits, without expanding them
            return value.longValueExact();
        } catch (ArithmeticException e) {
            throw new CheckpointException(what + " must hold 64-bit integers, got " + arr, e);
        }
    }

    /**
     * The non-empty tensors must tile the data section exactly, as the format requires: an overlap
     * means two tensors share bytes, a hole or trailing bytes mean an offset is wrong.
     */
    private static void checkLayout(Collection<Entry> entries, long dataLength, String source) {
        List<Entry> sorted = new ArrayList<>();
        for (Entry e : entries) {
            if (e.byteSize() > 0) {
                sorted.add(e);
            }
        }
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        Entry previous = null;
        long position = 0;
        for (Entry e : sorted) {
            if (e.begin() < position) {
                throw new CheckpointException(
                        source
                                + ": tensors '"
                                + previous.name()
                                + "' and '"
                                + e.name()
                                + "' overlap in the data section");
            }
            if (e.begin() > position) {
                throw new CheckpointException(
                        source
                                + ": bytes "
                                + position
                                + " to "
                                + e.begin()
                                + " of the data section"
                                + " belong to no tensor (before tensor '"
                                + e.name()
                                + "') — an offset is wrong");
            }
            position = e.end();
            previous = e;
        }
        if (position != dataLength) {
            throw new CheckpointException(
                    source
                            + ": the data section has "
                            + (dataLength - position)
                            + " bytes after the last tensor"
                            + (previous == null ? "" : " '" + previous.name() + "'")
                            + " — an offset is wrong or the file was appended to");
        }
    }

    /** Entries by name, in header order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** Byte offset of the data section in the file. */
    public long dataOffset() {
        return dataOffset;
    }
}
