package io.motdjl.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes safetensors files through DJL's own codec ({@link NDList#decode} / {@link
 * NDList#encode}), after validating the header in Java ({@link SafetensorsHeader}). Files are
 * limited to 2 GiB, DJL's limit.
 */
public final class SafetensorsFile {

    /** Largest file read: DJL decodes from one {@code byte[]} with {@code int} offsets. */
    static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;

    private static final byte[] HEADER_PADDING = "        ".getBytes(StandardCharsets.US_ASCII);

    private SafetensorsFile() {}

    /**
     * Reads every tensor of a safetensors file.
     *
     * @param file the file
     * @param manager where the arrays are created (the caller closes them with it)
     * @return the tensors by name, in header order
     * @throws IOException if the file cannot be read
     * @throws CheckpointException if it is not a valid safetensors file
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        return decode(readBytes(file), file.toString(), manager);
    }

    /** The whole file, refusing files too large for DJL's decoder. */
    static byte[] readBytes(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new CheckpointException(
                    file + ": " + size + " bytes; files over 2 GiB are not supported");
        }
        return Files.readAllBytes(file);
    }

    /**
     * Decodes safetensors bytes after validating their header. On failure no array is left behind
     * in {@code manager}.
     *
     * @param bytes the whole file
     * @param source a name for messages
     * @param manager where the arrays are created
     * @return the tensors by name, in header order
     * @throws CheckpointException if the bytes are not a valid safetensors file
     */
    public static Map<String, NDArray> decode(byte[] bytes, String source, NDManager manager) {
        return decode(bytes, SafetensorsHeader.parse(bytes, source), source, manager);
    }

    /** Decodes bytes whose header has already been validated as {@code header}. */
    static Map<String, NDArray> decode(
            byte[] bytes, SafetensorsHeader header, String source, NDManager manager) {
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        if (header.entries().isEmpty()) {
            return ordered;
        }
        // decode into a scope of our own: if anything fails, closing it frees every array
        try (NDManager decoding = manager.newSubManager()) {
            NDList decoded;
            try {
                decoded = NDList.decode(decoding, withoutMagicClash(bytes, header));
            } catch (RuntimeException e) {
                throw new CheckpointException(
                        source + ": DJL could not decode the tensors (" + e.getMessage() + ")", e);
            }
            Map<String, NDArray> byName = new LinkedHashMap<>();
            for (NDArray array : decoded) {
                byName.put(array.getName(), array);
            }
            for (SafetensorsHeader.Entry entry : header.entries().values()) {
                NDArray array = byName.get(entry.name());
                if (array == null
                        || !array.getShape().equals(entry.shape())
                        || array.getDataType() != entry.dataType()) {
                    throw new CheckpointException(
                            source
                                    + ": tensor '"
                                    + entry.name()
                                    + "' could not be decoded as"
                                    + " declared ("
                                    + entry.dtype()
                                    + " "
                                    + entry.shape()
                                    + ")");
                }
                ordered.put(entry.name(), array);
            }
            for (NDArray array : ordered.values()) {
                array.attach(manager);
            }
        }
        return ordered;
    }

    /**
     * DJL picks the format from the first bytes and tests for npz ({@code PK}) before safetensors,
     * so a header whose length happens to start with those bytes (19280 bytes, for one) would be
     * misread. Such a header is padded with spaces, which the format allows.
     */
    private static byte[] withoutMagicClash(byte[] bytes, SafetensorsHeader header) {
        boolean npz = bytes[0] == 'P' && bytes[1] == 'K';
        boolean npy =
                bytes[0] == (byte) 0x93 && bytes[1] == 'N' && bytes[2] == 'U' && bytes[3] == 'M';
        if (!npz && !npy) {
            return bytes;
        }
        int headerEnd = (int) header.dataOffset();
        ByteBuffer padded = ByteBuffer.allocate(bytes.length + HEADER_PADDING.length);
        padded.order(ByteOrder.LITTLE_ENDIAN).putLong(headerEnd - 8L + HEADER_PADDING.length);
        padded.put(bytes, 8, headerEnd - 8).put(HEADER_PADDING);
        padded.put(bytes, headerEnd, bytes.length - headerEnd);
        return padded.array();
    }

    /**
     * Writes tensors to a safetensors file, through a temporary file in the same directory so that
     * a failure never leaves a half-written file behind.
     *
     * @param file the destination
     * @param tensors the tensors by name; their own names are left as they were
     * @throws IOException if writing fails
     * @throws CheckpointException if a tensor has a type the format (as read here) does not allow
     */
    public static void write(Path file, Map<String, NDArray> tensors) throws IOException {
        checkWritable(tensors, file.toString());
        AtomicFiles.write(file, os -> encode(tensors, os));
    }

    /** Checks names, types and total size before anything is written. */
    static void checkWritable(Map<String, NDArray> tensors, String target) {
        long total = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            String name = e.getKey();
            NDArray array = e.getValue();
            if (name == null || SafetensorsHeader.METADATA_KEY.equals(name) || array == null) {
                throw new IllegalArgumentException(
                        target
                                + ": cannot write tensor '"
                                + name
                                + "': the name must not be null"
                                + " or "
                                + SafetensorsHeader.METADATA_KEY
                                + " and the array must"
                                + " not be null");
            }
            String dtype = safetensorsType(array.getDataType());
            if (dtype == null || !SafetensorsHeader.isSupported(dtype)) {
                throw new CheckpointException(
                        target
                                + ": cannot write tensor '"
                                + name
                                + "' of type "
                                + array.getDataType()
                                + "; convert it to float32 (or another type"
                                + " this reader accepts) first");
            }
            total += array.size() * array.getDataType().getNumOfBytes();
        }
        if (total > MAX_FILE_BYTES) {
            throw new CheckpointException(
                    target
                            + ": "
                            + total
                            + " bytes of tensors; files over 2 GiB are not supported");
        }
    }

    private static String safetensorsType(DataType type) {
        try {
            return type.asSafetensors();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Encodes tensors with DJL's writer, which takes each tensor's name from the array. */
    static void encode(Map<String, NDArray> tensors, OutputStream os) throws IOException {
        Map<NDArray, String> originalNames = new IdentityHashMap<>();
        NDManager copies = null;
        try {
            NDList list = new NDList(tensors.size());
            for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                NDArray array = e.getValue();
                if (originalNames.containsKey(array)) {
                    // one array under two names: it can carry only one name, so write a copy
                    if (copies == null) {
                        copies = array.getManager().newSubManager();
                    }
                    array = array.duplicate();
                    array.attach(copies);
                } else {
                    originalNames.put(array, array.getName());
                }
                array.setName(e.getKey());
                list.add(array);
            }
            list.encode(os, NDList.Encoding.SAFETENSORS);
        } finally {
            originalNames.forEach(NDArray::setName);
            if (copies != null) {
                copies.close();
            }
        }
    }
}
