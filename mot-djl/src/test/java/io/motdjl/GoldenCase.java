package io.motdjl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import io.motdjl.io.SafetensorsFile;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

/** A reference case copied from shared/golden into the test resources. */
public final class GoldenCase {

    public static final List<String> NAMES =
            List.of(
                    "chameleon-post",
                    "pre-norm-three-modalities",
                    "transfusion-spans",
                    "moe-token-choice",
                    "hybrid-expert-choice");

    private GoldenCase() {}

    /** The case's directory. */
    public static Path dir(String name) {
        try {
            return Paths.get(
                            GoldenCase.class
                                    .getResource("/golden/" + name + "/config.json")
                                    .toURI())
                    .getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Map<String, NDArray> input(String name, NDManager manager) throws IOException {
        return SafetensorsFile.read(dir(name).resolve("input.safetensors"), manager);
    }

    public static Map<String, NDArray> expected(String name, NDManager manager) throws IOException {
        return SafetensorsFile.read(dir(name).resolve("expected.safetensors"), manager);
    }
}
