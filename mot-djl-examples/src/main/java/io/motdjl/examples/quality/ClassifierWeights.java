package io.motdjl.examples.quality;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import io.motdjl.io.CheckpointException;
import io.motdjl.io.SafetensorsFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Saves and restores a {@link FashionCnn}'s parameters as a safetensors file, one float32 tensor
 * per DJL parameter under the name DJL gives it ({@code 01conv1_weight}, {@code 01conv1_bias}, ...,
 * {@code 04head_bias}: the child's position and name, then the parameter's).
 */
final class ClassifierWeights {

    private ClassifierWeights() {}

    /** Writes the parameters of an initialised block to {@code file}. */
    static void write(Path file, Block block) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            tensors.put(p.getKey(), p.getValue().getArray());
        }
        SafetensorsFile.write(file, tensors);
    }

    /**
     * Copies the tensors of a safetensors file into an initialised block's parameters; the file
     * must hold exactly the block's parameters, with their shapes, as finite float32 values.
     *
     * @param bytes the whole file
     * @param source a name for messages
     * @param block the block, initialised
     * @param manager where the file is decoded (the decoded arrays are closed before returning)
     * @throws CheckpointException if the file is not valid safetensors or does not fit the block
     */
    static void read(byte[] bytes, String source, Block block, NDManager manager) {
        try (NDManager scratch = manager.newSubManager()) {
            Map<String, NDArray> tensors = SafetensorsFile.decode(bytes, source, scratch);
            TreeSet<String> unused = new TreeSet<>(tensors.keySet());
            for (Pair<String, Parameter> p : block.getParameters()) {
                String name = p.getKey();
                NDArray target = p.getValue().getArray();
                NDArray tensor = tensors.get(name);
                if (tensor == null) {
                    throw new CheckpointException(
                            source
                                    + ": no tensor '"
                                    + name
                                    + "'; the file holds "
                                    + tensors.keySet()
                                    + ", not the weights of "
                                    + block);
                }
                if (tensor.getDataType() != DataType.FLOAT32
                        || !tensor.getShape().equals(target.getShape())) {
                    throw new CheckpointException(
                            source
                                    + ": tensor '"
                                    + name
                                    + "' is "
                                    + tensor.getDataType()
                                    + " "
                                    + tensor.getShape()
                                    + ", expected float32 "
                                    + target.getShape());
                }
                float[] values = tensor.toFloatArray();
                for (int i = 0; i < values.length; i++) {
                    if (!Float.isFinite(values[i])) {
                        throw new CheckpointException(
                                source
                                        + ": tensor '"
                                        + name
                                        + "' holds "
                                        + values[i]
                                        + " at flat index "
                                        + i);
                    }
                }
                target.set(values);
                unused.remove(name);
            }
            if (!unused.isEmpty()) {
                throw new CheckpointException(
                        source + ": tensors " + unused + " are not parameters of " + block);
            }
        }
    }
}
