package io.motdjl.examples.cli;

import ai.djl.ndarray.NDArray;

import io.motdjl.examples.ForwardPass;
import io.motdjl.io.SafetensorsFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A forward pass's output file: {@code logits}, {@code loss} and {@code loss_per_modality}. */
final class OutputFile {

    private OutputFile() {}

    /**
     * Writes the file atomically: a failure leaves no half-written file.
     *
     * @param file where to write
     * @param pass the results
     * @throws IOException if writing fails
     */
    static void write(Path file, ForwardPass pass) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put(ForwardPass.LOGITS, pass.logits());
        tensors.put(ForwardPass.LOSS, pass.loss());
        tensors.put(ForwardPass.LOSS_PER_MODALITY, pass.lossPerModality());
        SafetensorsFile.write(file, tensors);
    }
}
