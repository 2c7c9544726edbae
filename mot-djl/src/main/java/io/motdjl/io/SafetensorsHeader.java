package io.motdjl.io;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated header of a safetensors file. Parsing checks everything DJL's native decoder
 * would trust blindly — the header length, the dtype allow-list (no BF16: DJL aborts the JVM on
 * it), every tensor's offsets lying inside the file, not overlapping, and matching its shape and
 * dtype size — so that no malformed byte reaches native code.
 */
public final class SafetensorsHeader {

    /** Largest header accepted (the format's own reference reader uses the same bound). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final Map<String, Integer> DTYPE_BYTES =
            Map.of("F32", 4, "F64", 8, "F16", 2, "I64", 8, "I32", 4, "I8", 1, "U8", 1, "BOOL", 1);

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

        /** The DJL data type of this tensor. */
        public DataType dataType() {
            return DataType.fromSafetensors(dtype);
        }
    }

    private final Map<String, Entry> entries;
    private final long dataOffset;

    private SafetensorsHeader(Map<String, Entry> entries, long dataOffset) {
        this.entries = entries;
        this.dataOffset = dataOffset;
    }

    /**
     * Validates the header of {@code file}'s bytes.
     *
     * @param bytes the whole file
     * @param source the file's name, for messages
     * @return the parsed header
     * @throws CheckpointException naming the tensor or the field that is wrong
     */
    public static SafetensorsHeader parse(byte[] bytes, String source) {
        if (bytes.length < 8) {
            throw new CheckpointException(
                    source + ": not a safetensors file (" + bytes.length
                            + " bytes, shorter than the 8-byte header length)");
        }
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > bytes.length - 8L) {
            throw new CheckpointException(
                    source + ": invalid safetensors header length " + headerLength + " (file has "
                            + bytes.length + " bytes; at most " + MAX_HEADER_BYTES
                            + " are allowed) — the file is truncated or not safetensors");
        }
        if (bytes[8] != '{') {
            throw new CheckpointException(
                    source + ": safetensors header must be a JSON object starting with '{'");
        }
        String json = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        JsonObject root;
        try {
            JsonElement element = JsonParser.parseString(json);
            if (!element.isJsonObject()) {
                throw new CheckpointException(source + ": safetensors header is not a JSON object");
            }
            root = element.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new CheckpointException(
                    source + ": safetensors header is not valid JSON (" + e.getMessage() + ")", e);
        }
        long dataOffset = 8 + headerLength;
        long dataLength = bytes.length - dataOffset;
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : root.entrySet()) {
            if ("__metadata__".equals(e.getKey())) {
                continue;
            }
            Entry entry = parseEntry(e.getKey(), e.getValue(), source);
            if (entry.end() > dataLength) {
                throw new CheckpointException(
                        source + ": tensor '" + entry.name() + "' ends at byte " + entry.end()
                                + " of the data section, which has only " + dataLength
                                + " bytes — the file is truncated");
            }
            entries.put(entry.name(), entry);
        }
        checkNoOverlap(entries, source);
        return new SafetensorsHeader(Collections.unmodifiableMap(entries), dataOffset);
    }

    private static Entry parseEntry(String name, JsonElement value, String source) {
        String where = source + ": tensor '" + name + "'";
        if (!value.isJsonObject()) {
            throw new CheckpointException(where + " has no {dtype, shape, data_offsets} entry");
        }
        JsonObject o = value.getAsJsonObject();
        JsonElement dtypeElement = o.get("dtype");
        if (dtypeElement == null || !dtypeElement.isJsonPrimitive()) {
            throw new CheckpointException(where + " has no dtype");
        }
        String dtype = dtypeElement.getAsString();
        Integer size = DTYPE_BYTES.get(dtype);
        if (size == null) {
            throw new CheckpointException(
                    where + " has dtype " + dtype + ", which is not supported; expected one of "
                            + DTYPE_BYTES.keySet()
                            + ("BF16".equals(dtype) ? " (convert BF16 checkpoints to F32 first)" : ""));
        }
        long[] dims = longArray(o.get("shape"), where + " shape");
        long elements = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new CheckpointException(where + " has a negative dimension in its shape");
            }
            elements = Math.multiplyExact(elements, d);
        }
        long[] offsets = longArray(o.get("data_offsets"), where + " data_offsets");
        if (offsets.length != 2 || offsets[0] < 0 || offsets[1] < offsets[0]) {
            throw new CheckpointException(
                    where + " has invalid data_offsets; expected [begin, end] with 0 <= begin <= end");
        }
        long expectedBytes = Math.multiplyExact(elements, (long) size);
        if (offsets[1] - offsets[0] != expectedBytes) {
            throw new CheckpointException(
                    where + " spans " + (offsets[1] - offsets[0]) + " bytes but its shape "
                            + new Shape(dims) + " of " + dtype + " needs " + expectedBytes);
        }
        if (offsets[1] > Integer.MAX_VALUE) {
            throw new CheckpointException(where + " lies beyond 2 GiB, which DJL cannot decode");
        }
        return new Entry(name, dtype, new Shape(dims), offsets[0], offsets[1]);
    }

    private static long[] longArray(JsonElement element, String what) {
        if (element == null || !element.isJsonArray()) {
            throw new CheckpointException(what + " is missing or not a list");
        }
        JsonArray arr = element.getAsJsonArray();
        long[] values = new long[arr.size()];
        for (int i = 0; i < values.length; i++) {
            JsonElement v = arr.get(i);
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()
                    || v.getAsDouble() != Math.rint(v.getAsDouble())) {
                throw new CheckpointException(what + " must hold integers, got " + arr);
            }
            values[i] = v.getAsLong();
        }
        return values;
    }

    private static void checkNoOverlap(Map<String, Entry> entries, String source) {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() == e.end()) {
                continue;
            }
            if (previous != null && e.begin() < previous.end()) {
                throw new CheckpointException(
                        source + ": tensors '" + previous.name() + "' and '" + e.name()
                                + "' overlap in the data section");
            }
            previous = e;
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
