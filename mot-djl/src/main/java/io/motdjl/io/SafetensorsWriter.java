package io.motdjl.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Writes a safetensors file as a stream: the header is computed from the tensors' shapes and stored
 * types, then each tensor's bytes follow window by window (at most {@link
 * TensorReader#DEFAULT_WINDOW_BYTES} converted at a time), so writing never holds the file in
 * memory. Floating-point tensors can be stored in another floating type, BF16 included (narrowed in
 * Java, rounding to nearest even).
 */
final class SafetensorsWriter {

    /** Free-form metadata Hugging Face's loaders expect ({@code "format": "pt"}). */
    private static final String FORMAT_KEY = "format";

    private static final String FORMAT = "pt";

    /** Bytes copied from native memory to the stream at a time. */
    private static final int CHUNK_BYTES = 1 << 20;

    /**
     * One tensor to write.
     *
     * @param name the name in the file
     * @param shape its shape
     * @param type the data type of the array {@code open} gives
     * @param open gives the array when its turn comes; arrays it creates should be owned by the
     *     manager it is passed, which is closed once the tensor is written
     */
    record Tensor(String name, Shape shape, DataType type, Function<NDManager, NDArray> open) {

        /** A tensor whose array exists already (and is not closed by the writer). */
        static Tensor of(String name, NDArray array) {
            return new Tensor(name, array.getShape(), array.getDataType(), m -> array);
        }
    }

    /** A tensor with its place in the file. */
    private record Planned(Tensor tensor, DataType stored, String dtype, long begin, long end) {}

    private final List<Planned> planned;
    private final long dataBytes;
    private final int windowBytes;

    private SafetensorsWriter(List<Planned> planned, long dataBytes, int windowBytes) {
        this.planned = planned;
        this.dataBytes = dataBytes;
        this.windowBytes = windowBytes;
    }

    /**
     * Checks every tensor and lays out the file before anything is written.
     *
     * @param tensors the tensors, in file order
     * @param floatType the type floating-point tensors are stored as, or null to keep each type
     * @param target a name for messages
     * @throws IllegalArgumentException if a name is null or the metadata key
     * @throws CheckpointException if a tensor's type cannot be stored
     */
    static SafetensorsWriter plan(List<Tensor> tensors, DataType floatType, String target) {
        return plan(tensors, floatType, target, TensorReader.DEFAULT_WINDOW_BYTES);
    }

    /** {@link #plan(List, DataType, String)} converting {@code windowBytes} at a time. */
    static SafetensorsWriter plan(
            List<Tensor> tensors, DataType floatType, String target, int windowBytes) {
        List<Planned> planned = new ArrayList<>(tensors.size());
        long offset = 0;
        for (Tensor t : tensors) {
            String name = t.name();
            if (name == null || SafetensorsHeader.METADATA_KEY.equals(name)) {
                throw new IllegalArgumentException(
                        target
                                + ": cannot write tensor '"
                                + name
                                + "': the name must not be null or "
                                + SafetensorsHeader.METADATA_KEY);
            }
            DataType stored = storedType(t.type(), floatType);
            String dtype = safetensorsType(stored);
            if (dtype == null || !SafetensorsHeader.isSupported(dtype)) {
                throw new CheckpointException(
                        target
                                + ": cannot write tensor '"
                                + name
                                + "' of type "
                                + t.type()
                                + "; convert it to float32 (or another type"
                                + " this reader accepts) first");
            }
            long bytes = Math.multiplyExact(t.shape().size(), (long) stored.getNumOfBytes());
            planned.add(new Planned(t, stored, dtype, offset, offset + bytes));
            offset += bytes;
        }
        return new SafetensorsWriter(planned, offset, windowBytes);
    }

    /** The type a tensor of {@code type} is stored as. */
    static DataType storedType(DataType type, DataType floatType) {
        return floatType != null && type.isFloating() ? floatType : type;
    }

    /** Bytes of tensor data (the file less its header). */
    long dataBytes() {
        return dataBytes;
    }

    private static String safetensorsType(DataType type) {
        try {
            return type.asSafetensors();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Writes the whole file to {@code os}. */
    void writeTo(OutputStream os) throws IOException {
        os.write(header());
        byte[] chunk = new byte[CHUNK_BYTES];
        for (Planned p : planned) {
            long count = p.tensor().shape().size();
            if (count == 0) {
                continue;
            }
            int widest = Math.max(p.stored().getNumOfBytes(), p.tensor().type().getNumOfBytes());
            // BF16 goes through float32, hence at least 4 bytes per element
            long perWindow = Math.max(1, windowBytes / Math.max(widest, Float.BYTES));
            try (NDManager scope = NDManager.newBaseManager()) {
                NDArray array = p.tensor().open().apply(scope);
                NDArray flat = owned(array.reshape(-1), scope);
                for (long done = 0; done < count; done += perWindow) {
                    long n = Math.min(perWindow, count - done);
                    try (NDManager window = scope.newSubManager()) {
                        NDArray piece =
                                owned(flat.get(new NDIndex().addSliceDim(done, done + n)), window);
                        writeWindow(piece, p.stored(), window, os, chunk);
                    }
                }
            }
        }
    }

    /**
     * Writes one window stored as {@code stored}. The window's bytes are read through a direct
     * buffer over the array's own memory and copied out a chunk at a time: DJL's {@code byte[]}
     * copy of an array crashes the JVM (instead of throwing) when the heap cannot hold it.
     */
    private static void writeWindow(
            NDArray piece, DataType stored, NDManager window, OutputStream os, byte[] chunk)
            throws IOException {
        if (stored != DataType.BFLOAT16) {
            ByteBuffer bytes = owned(piece.toType(stored, false), window).toByteBuffer(true);
            while (bytes.hasRemaining()) {
                int n = Math.min(chunk.length, bytes.remaining());
                bytes.get(chunk, 0, n);
                os.write(chunk, 0, n);
            }
            return;
        }
        ByteBuffer floats = owned(piece.toType(DataType.FLOAT32, false), window).toByteBuffer(true);
        int count = (int) piece.size();
        int perChunk = chunk.length / Bfloat16.BYTES;
        ByteBuffer out = ByteBuffer.wrap(chunk);
        for (int done = 0; done < count; done += perChunk) {
            int n = Math.min(perChunk, count - done);
            Bfloat16.narrow(floats.slice(done * Float.BYTES, n * Float.BYTES), out, n);
            os.write(chunk, 0, n * Bfloat16.BYTES);
        }
    }

    /** Moves an array this writer created into {@code scope}, so that closing it frees it. */
    private static NDArray owned(NDArray array, NDManager scope) {
        array.attach(scope);
        return array;
    }

    /** The JSON header, padded with spaces so that the data starts 8-byte aligned. */
    private byte[] header() {
        JsonObject root = new JsonObject();
        JsonObject metadata = new JsonObject();
        metadata.addProperty(FORMAT_KEY, FORMAT);
        root.add(SafetensorsHeader.METADATA_KEY, metadata);
        for (Planned p : planned) {
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", p.dtype());
            JsonArray shape = new JsonArray();
            for (long d : p.tensor().shape().getShape()) {
                shape.add(d);
            }
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(p.begin());
            offsets.add(p.end());
            entry.add("data_offsets", offsets);
            root.add(p.tensor().name(), entry);
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(json);
        while (b.hasRemaining()) {
            b.put((byte) ' ');
        }
        return b.array();
    }
}
