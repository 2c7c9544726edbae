package io.motdjl.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the tensors of one safetensors file window by window: each window of at most {@link
 * #DEFAULT_WINDOW_BYTES} is read with a positional read into a reused direct buffer, turned into a
 * small array and copied into its place in the destination array. No step holds more than one
 * window besides the destination, offsets are 64-bit (files over 2 GiB load), and BF16 windows are
 * widened to float32 in Java, so that no BF16 array ever reaches DJL's native code (which aborts
 * the JVM on one).
 *
 * <p>Positional reads rather than memory mapping: Java 17 cannot unmap a mapping before the garbage
 * collector finds it, and DJL's CPU arrays borrow a direct buffer instead of copying it, so mapped
 * windows would stay mapped (and count as resident) for an unknown time after loading.
 */
final class TensorReader implements AutoCloseable {

    /** Window size: large enough that per-window overhead is negligible, small beside a model. */
    static final int DEFAULT_WINDOW_BYTES = 16 << 20;

    /** Reads bytes at a position; the file's or an in-memory copy's. */
    private interface Source extends AutoCloseable {
        /** Fills {@code dst} (position to limit) from byte {@code position} of the file. */
        void read(ByteBuffer dst, long position) throws IOException;

        @Override
        void close() throws IOException;
    }

    private final Source source;
    private final SafetensorsHeader header;
    private final String name;
    private final int windowBytes;
    private final int bufferBytes;
    private ByteBuffer raw;
    private ByteBuffer widened;

    private TensorReader(Source source, SafetensorsHeader header, String name, int windowBytes) {
        if (windowBytes < 8) {
            throw new IllegalArgumentException("window of " + windowBytes + " bytes; at least 8");
        }
        this.source = source;
        this.header = header;
        this.name = name;
        this.windowBytes = windowBytes;
        long largest = 0;
        for (SafetensorsHeader.Entry e : header.entries().values()) {
            largest = Math.max(largest, e.byteSize());
        }
        // buffers are allocated once at the size the file needs (BF16 widens to twice its bytes)
        this.bufferBytes = (int) Math.min(windowBytes, 2 * largest);
    }

    /** Opens a file and validates its header; the caller closes the reader. */
    static TensorReader open(Path file, int windowBytes) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            String name = file.toString();
            SafetensorsHeader header = SafetensorsHeader.read(channel, name);
            return new TensorReader(fileSource(channel, name), header, name, windowBytes);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A reader over a whole file held in memory. */
    static TensorReader of(byte[] bytes, String name) {
        SafetensorsHeader header = SafetensorsHeader.parse(bytes, name);
        Source source =
                new Source() {
                    @Override
                    public void read(ByteBuffer dst, long position) {
                        dst.put(bytes, Math.toIntExact(position), dst.remaining());
                    }

                    @Override
                    public void close() {}
                };
        return new TensorReader(source, header, name, DEFAULT_WINDOW_BYTES);
    }

    private static Source fileSource(FileChannel channel, String name) {
        return new Source() {
            @Override
            public void read(ByteBuffer dst, long position) throws IOException {
                long at = position;
                while (dst.hasRemaining()) {
                    int n = channel.read(dst, at);
                    if (n < 0) {
                        throw new CheckpointException(
                                name
                                        + ": the file ended at byte "
                                        + at
                                        + " while reading a tensor — it was truncated after its"
                                        + " header was read");
                    }
                    at += n;
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    /** The validated header. */
    SafetensorsHeader header() {
        return header;
    }

    /** The file's name, for messages. */
    String name() {
        return name;
    }

    /**
     * Reads every tensor into new arrays owned by {@code manager}, in header order. On failure no
     * array is left behind in {@code manager}.
     */
    Map<String, NDArray> readAll(NDManager manager) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        // read into a scope of our own: if anything fails, closing it frees every array
        try (NDManager reading = manager.newSubManager()) {
            for (String tensor : header.entries().keySet()) {
                tensors.put(tensor, read(tensor, reading));
            }
            for (NDArray array : tensors.values()) {
                array.attach(manager);
            }
        }
        return tensors;
    }

    /**
     * Reads one tensor into a new array of its {@linkplain SafetensorsHeader.Entry#loadedType
     * loaded type}, named after it and owned by {@code manager}.
     */
    NDArray read(String tensor, NDManager manager) throws IOException {
        SafetensorsHeader.Entry entry = entry(tensor);
        NDArray array = manager.create(entry.shape(), entry.loadedType());
        try {
            if (entry.elementCount() > 0) {
                try (NDManager scratch = manager.newSubManager()) {
                    NDArray flat = array.reshape(-1);
                    flat.attach(scratch);
                    copyInto(tensor, flat, 0, FiniteValues.ALLOW);
                }
            }
        } catch (IOException | RuntimeException e) {
            array.close();
            throw e;
        }
        array.setName(tensor);
        return array;
    }

    /**
     * Copies a tensor's values into elements {@code [offset, offset + size)} of {@code flat}, a
     * one-dimensional array (typically a view of a larger one), converting them to its data type.
     *
     * @param tensor the tensor's name
     * @param flat the destination, written in place
     * @param offset the first element written
     * @param finite whether to count NaN and infinite values (in the loaded type) on the way
     * @return how many values are NaN or infinite (0 under {@link FiniteValues#ALLOW})
     * @throws IOException if the file cannot be read
     * @throws CheckpointException if the file ends early or the engine refuses a window
     */
    long copyInto(String tensor, NDArray flat, long offset, FiniteValues finite)
            throws IOException {
        SafetensorsHeader.Entry entry = entry(tensor);
        DataType loaded = entry.loadedType();
        boolean bf16 = entry.dataType() == DataType.BFLOAT16;
        int fileBytes = entry.elementBytes();
        long perWindow = Math.max(1, windowBytes / Math.max(fileBytes, loaded.getNumOfBytes()));
        long count = entry.elementCount();
        long nonFinite = 0;
        for (long done = 0; done < count; ) {
            int n = (int) Math.min(perWindow, count - done);
            ByteBuffer bytes = readRange(entry, done * fileBytes, n * fileBytes);
            if (bf16) {
                widened = capacity(widened, n * Float.BYTES);
                Bfloat16.widen(bytes, widened, n);
                bytes = widened.slice(0, n * Float.BYTES);
            }
            nonFinite += finite.count(bytes, loaded, n);
            try (NDManager window = flat.getManager().newSubManager()) {
                NDArray piece = wrap(window, bytes, n, loaded);
                NDArray converted = piece.toType(flat.getDataType(), false);
                flat.set(new NDIndex().addSliceDim(offset + done, offset + done + n), converted);
            } catch (RuntimeException e) {
                throw new CheckpointException(
                        name
                                + ": tensor '"
                                + tensor
                                + "' could not be read as "
                                + entry.dtype()
                                + " "
                                + entry.shape()
                                + " ("
                                + e.getMessage()
                                + ")",
                        e);
            }
            done += n;
        }
        return nonFinite;
    }

    /**
     * The only place this reader creates arrays from file bytes: refusing BF16 here keeps a future
     * change from aborting the JVM.
     */
    static NDArray wrap(NDManager manager, ByteBuffer data, long count, DataType type) {
        if (type == DataType.BFLOAT16) {
            throw new IllegalStateException(
                    "a BF16 array would abort DJL's native code; widen to float32 in Java first");
        }
        return manager.create(data, new Shape(count), type);
    }

    /** Bytes {@code [from, from + length)} of the tensor, in a buffer that starts at them. */
    private ByteBuffer readRange(SafetensorsHeader.Entry entry, long from, int length)
            throws IOException {
        raw = capacity(raw, length);
        ByteBuffer window = raw.clear().limit(length);
        source.read(window, header.dataOffset() + entry.begin() + from);
        return raw.slice(0, length);
    }

    private ByteBuffer capacity(ByteBuffer buffer, int bytes) {
        if (buffer != null && buffer.capacity() >= bytes) {
            return buffer;
        }
        return ByteBuffer.allocateDirect(Math.max(bytes, bufferBytes))
                .order(ByteOrder.nativeOrder());
    }

    private SafetensorsHeader.Entry entry(String tensor) {
        SafetensorsHeader.Entry entry = header.entries().get(tensor);
        if (entry == null) {
            throw new IllegalArgumentException(name + " has no tensor '" + tensor + "'");
        }
        return entry;
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
