package io.motdjl.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes safetensors files, validating the header in Java ({@link SafetensorsHeader})
 * before any byte reaches native code.
 *
 * <p>Reading goes tensor by tensor through bounded windows of the file, and writing streams tensor
 * by tensor, so neither holds the whole file in memory and files over 2 GiB work (DJL's own codec
 * decodes from one {@code byte[]} and cannot). BF16 tensors are widened to float32 in Java while
 * reading — DJL's native code aborts the JVM on any BF16 array — and can be written from float
 * arrays with {@link #write(Path, Map, DataType)}.
 */
public final class SafetensorsFile {

    /** Floating types a file can store floating-point tensors as. */
    private static final Set<DataType> FLOAT_TYPES =
            Set.of(DataType.FLOAT32, DataType.FLOAT64, DataType.FLOAT16, DataType.BFLOAT16);

    private SafetensorsFile() {}

    /**
     * Reads every tensor of a safetensors file. Each array has the file's type, except BF16
     * tensors, which come back as float32 (exactly: a bfloat16 is the top half of a float32).
     *
     * @param file the file
     * @param manager where the arrays are created (the caller closes them with it)
     * @return the tensors by name, in header order
     * @throws IOException if the file cannot be read
     * @throws CheckpointException if it is not a valid safetensors file
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        try (TensorReader reader = TensorReader.open(file, TensorReader.DEFAULT_WINDOW_BYTES)) {
            return reader.readAll(manager);
        }
    }

    /**
     * Decodes safetensors bytes held in memory after validating their header, as {@link #read}
     * does. On failure no array is left behind in {@code manager}.
     *
     * @param bytes the whole file
     * @param source a name for messages
     * @param manager where the arrays are created
     * @return the tensors by name, in header order
     * @throws CheckpointException if the bytes are not a valid safetensors file
     */
    public static Map<String, NDArray> decode(byte[] bytes, String source, NDManager manager) {
        try (TensorReader reader = TensorReader.of(bytes, source)) {
            return reader.readAll(manager);
        } catch (IOException e) {
            // an in-memory source does no I/O
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes tensors to a safetensors file, each in its own type, through a temporary file in the
     * same directory so that a failure never leaves a half-written file behind. The file is written
     * tensor by tensor; it is never held in memory.
     *
     * @param file the destination
     * @param tensors the tensors by name, in file order; their own names are left as they were
     * @throws IOException if writing fails
     * @throws CheckpointException if a tensor has a type the format (as read here) does not allow
     */
    public static void write(Path file, Map<String, NDArray> tensors) throws IOException {
        write(file, tensors, (DataType) null);
    }

    /**
     * Writes tensors as {@link #write(Path, Map)} does, storing every floating-point tensor as
     * {@code floatType}: {@link DataType#BFLOAT16} narrows float32 in Java, rounding to nearest
     * even (a NaN stays a NaN, values beyond the bfloat16 range become infinities); {@link
     * DataType#FLOAT16} narrows through the engine. Integer and boolean tensors keep their type.
     *
     * @param file the destination
     * @param tensors the tensors by name, in file order
     * @param floatType FLOAT32, FLOAT64, FLOAT16 or BFLOAT16
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if {@code floatType} is not one of those
     * @throws CheckpointException if a tensor has a type the format does not allow
     */
    public static void write(Path file, Map<String, NDArray> tensors, DataType floatType)
            throws IOException {
        if (floatType != null && !FLOAT_TYPES.contains(floatType)) {
            throw new IllegalArgumentException(
                    "cannot store floating-point tensors as "
                            + floatType
                            + "; expected one of float32, float64, float16, bfloat16");
        }
        List<SafetensorsWriter.Tensor> list = new ArrayList<>(tensors.size());
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            if (e.getValue() == null) {
                throw new IllegalArgumentException(
                        file + ": cannot write tensor '" + e.getKey() + "': the array is null");
            }
            list.add(SafetensorsWriter.Tensor.of(e.getKey(), e.getValue()));
        }
        SafetensorsWriter writer = SafetensorsWriter.plan(list, floatType, file.toString());
        AtomicFiles.write(file, writer::writeTo);
    }
}
