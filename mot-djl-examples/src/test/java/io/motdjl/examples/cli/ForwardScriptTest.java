package io.motdjl.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import io.motdjl.examples.ReferenceCases;
import io.motdjl.io.SafetensorsFile;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code bin/mot forward} on every bundled reference case reproduces the expected outputs. */
class ForwardScriptTest {

    private static final float TOLERANCE = 1e-4f;

    static List<String> cases() throws IOException {
        return ReferenceCases.names();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void forwardMatchesReference(String name, @TempDir Path tmp) throws Exception {
        Path dir = ReferenceCases.extract(name, tmp);
        Path output = tmp.resolve("output.safetensors");

        MotScript.Result result =
                MotScript.run(
                        tmp,
                        "forward",
                        "--checkpoint",
                        dir.toString(),
                        "--input",
                        dir.resolve(ReferenceCases.INPUT).toString(),
                        "--output",
                        output.toString());

        assertEquals(0, result.exitCode(), result::toString);
        assertFalse(result.stderr().contains("Exception"), () -> "no stack trace: " + result);
        assertTrue(result.stdout().contains("loss per modality"), result::toString);
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> got = SafetensorsFile.read(output, manager);
            Map<String, NDArray> want =
                    SafetensorsFile.read(dir.resolve(ReferenceCases.EXPECTED), manager);
            assertEquals(
                    List.of("logits", "loss", "loss_per_modality"),
                    got.keySet().stream().sorted().toList());
            for (String tensor : got.keySet()) {
                assertEquals(DataType.FLOAT32, got.get(tensor).getDataType(), tensor);
            }
            assertClose(name + " logits", want.get("logits"), got.get("logits"));
            assertClose(name + " loss", want.get("loss"), got.get("loss"));
            assertClose(
                    name + " loss_per_modality",
                    want.get("loss_per_modality"),
                    got.get("loss_per_modality"));
        }
    }

    /** Same shape, values within the tolerance, NaN exactly where the reference has NaN. */
    private static void assertClose(String what, NDArray want, NDArray got) {
        assertEquals(want.getShape(), got.getShape(), what + " shape");
        float[] w = want.toFloatArray();
        float[] g = got.toFloatArray();
        boolean[] wantNaN = new boolean[w.length];
        boolean[] gotNaN = new boolean[g.length];
        for (int i = 0; i < w.length; i++) {
            wantNaN[i] = Float.isNaN(w[i]);
            gotNaN[i] = Float.isNaN(g[i]);
            if (!wantNaN[i] && !gotNaN[i]) {
                assertEquals(w[i], g[i], TOLERANCE, what + " at flat index " + i);
            }
        }
        assertArrayEquals(wantNaN, gotNaN, what + ": NaN exactly where the reference has NaN");
    }
}
