package io.motdjl.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes safetensors files through DJL's own codec ({@link NDList#decode} / {@link
 * NDList#encode}), after validating the header in Java ({@link SafetensorsHeader}). Files are
 * limited to 2 GiB, DJL's limit.
 */
public final class SafetensorsFile {

    private SafetensorsFile() {}

    /**
     * Reads every tensor of a safetensors file.
     *
     * @param file the file
     * @param manager where the arrays are created
     * @return the tensors by name, in header order
     * @throws IOException if the file cannot be read
     * @throws CheckpointException if it is not a valid safetensors file
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 64) {
            throw new CheckpointException(
                    file + ": " + size + " bytes; files over 2 GiB are not supported");
        }
        byte[] bytes = Files.readAllBytes(file);
        return decode(bytes, file.toString(), manager);
    }

    /**
     * Decodes safetensors bytes after validating their header.
     *
     * @param bytes the whole file
     * @param source a name for messages
     * @param manager where the arrays are created
     * @return the tensors by name, in header order
     */
    public static Map<String, NDArray> decode(byte[] bytes, String source, NDManager manager) {
        SafetensorsHeader header = SafetensorsHeader.parse(bytes, source);
        Map<String, NDArray> byName = new LinkedHashMap<>();
        if (header.entries().isEmpty()) {
            return byName;
        }
        NDList decoded = NDList.decode(manager, bytes);
        for (NDArray array : decoded) {
            byName.put(array.getName(), array);
        }
        for (Map.Entry<String, SafetensorsHeader.Entry> e : header.entries().entrySet()) {
            NDArray array = byName.get(e.getKey());
            if (array == null || !array.getShape().equals(e.getValue().shape())) {
                decoded.close();
                throw new CheckpointException(
                        source + ": tensor '" + e.getKey() + "' could not be decoded as declared");
            }
        }
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        for (String name : header.entries().keySet()) {
            ordered.put(name, byName.get(name));
        }
        return ordered;
    }

    /**
     * Writes tensors to a safetensors file, through a temporary file in the same directory so
     * that a failure never leaves a half-written file behind.
     *
     * @param file the destination
     * @param tensors the tensors by name (each array is renamed to its key)
     * @throws IOException if writing fails
     */
    public static void write(Path file, Map<String, NDArray> tensors) throws IOException {
        NDList list = new NDList(tensors.size());
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            // DJL's encoder takes each tensor's name from the array itself
            e.getValue().setName(e.getKey());
            list.add(e.getValue());
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                list.encode(os, NDList.Encoding.SAFETENSORS);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
