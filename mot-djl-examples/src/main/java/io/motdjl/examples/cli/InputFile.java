package io.motdjl.examples.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import io.motdjl.io.SafetensorsFile;
import io.motdjl.nn.MoTInputs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * A forward pass's input file: safetensors with {@code tokens} and {@code modalities}, integer
 * {@code (B, T)}, and optionally {@code image_span_ids} of the same shape. Values are checked
 * against the model by the library when the forward pass runs.
 */
final class InputFile {

    private static final Set<String> NAMES =
            Set.of(MoTInputs.TOKENS, MoTInputs.MODALITIES, MoTInputs.IMAGE_SPAN_IDS);
    private static final String LAYOUT =
            "an input file holds tokens and modalities, and optionally image_span_ids,"
                    + " int64 (B, T)";

    private InputFile() {}

    /**
     * Reads the inputs.
     *
     * @param file the safetensors file
     * @param manager where the arrays are created
     * @return the inputs
     * @throws IOException if the file cannot be read
     * @throws io.motdjl.io.CheckpointException if it is not valid safetensors
     * @throws BadInputException if a tensor is missing or unexpected
     */
    static MoTInputs read(Path file, NDManager manager) throws IOException {
        Map<String, NDArray> tensors = SafetensorsFile.read(file, manager);
        for (String name : tensors.keySet()) {
            // a mislabelled tensor is an error, never silently ignored
            if (!NAMES.contains(name)) {
                throw new BadInputException(file + ": unexpected tensor '" + name + "'; " + LAYOUT);
            }
        }
        MoTInputs inputs =
                MoTInputs.of(
                        required(tensors, MoTInputs.TOKENS, file),
                        required(tensors, MoTInputs.MODALITIES, file));
        NDArray spans = tensors.get(MoTInputs.IMAGE_SPAN_IDS);
        return spans == null ? inputs : inputs.withImageSpanIds(spans);
    }

    private static NDArray required(Map<String, NDArray> tensors, String name, Path file) {
        NDArray array = tensors.get(name);
        if (array == null) {
            throw new BadInputException(file + ": no tensor '" + name + "'; " + LAYOUT);
        }
        return array;
    }
}
