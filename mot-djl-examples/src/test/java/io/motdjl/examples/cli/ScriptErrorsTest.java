package io.motdjl.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.Untie;
import io.motdjl.examples.ReferenceCases;
import io.motdjl.io.SafetensorsFile;
import io.motdjl.nn.MemoryEstimate;
import io.motdjl.zoo.MoTModelZoo;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Bad command lines and bad data through {@code bin/mot}: a non-zero exit status and exactly one
 * line on stderr that names the problem, never a stack trace.
 */
class ScriptErrorsTest {

    private static final String CASE = "chameleon-post";

    @TempDir Path tmp;
    private Path checkpoint;
    private Path output;

    @BeforeEach
    void extractCase() throws Exception {
        checkpoint = ReferenceCases.extract(CASE, tmp);
        output = tmp.resolve("output.safetensors");
    }

    @Test
    void nonexistentCheckpointDirectory() throws Exception {
        Path missing = tmp.resolve("no-such-checkpoint");
        MotScript.Result result = forward(missing, checkpoint.resolve(ReferenceCases.INPUT));
        assertOneLineError(result, 1, "checkpoint directory not found", missing.toString());
    }

    @Test
    void modalityIdOutOfRange() throws Exception {
        Path input = tmp.resolve("bad-modality.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors =
                    SafetensorsFile.read(checkpoint.resolve(ReferenceCases.INPUT), manager);
            NDArray modalities = tensors.get("modalities");
            long[] ids = modalities.toLongArray();
            ids[3] = 7; // the case has 2 modalities
            Map<String, NDArray> bad = new LinkedHashMap<>(tensors);
            bad.put("modalities", manager.create(ids, modalities.getShape()));
            SafetensorsFile.write(input, bad);
        }
        MotScript.Result result = forward(checkpoint, input);
        assertOneLineError(result, 1, "modality id 7", "outside [0, 2)");
        assertFalse(Files.exists(output), "no output is written for bad input");
    }

    @Test
    void truncatedInputFile() throws Exception {
        byte[] whole = Files.readAllBytes(checkpoint.resolve(ReferenceCases.INPUT));
        Path input = tmp.resolve("truncated.safetensors");
        Files.write(input, java.util.Arrays.copyOf(whole, whole.length - 100));
        MotScript.Result result = forward(checkpoint, input);
        assertOneLineError(result, 1, "truncated.safetensors", "truncated");
    }

    @Test
    void missingOptionIsAUsageError() throws Exception {
        MotScript.Result result =
                MotScript.run(tmp, "forward", "--checkpoint", checkpoint.toString());
        assertOneLineError(result, 2, "missing option --input");
    }

    @Test
    void unknownCommandIsAUsageError() throws Exception {
        MotScript.Result result = MotScript.run(tmp, "frobnicate");
        assertOneLineError(result, 2, "unknown command 'frobnicate'");
    }

    @Test
    void aBillionLayersAreRefusedWithTheEstimate() throws Exception {
        assumeTrue(MemoryEstimate.physicalMemory().isPresent(), "no /proc/meminfo");
        editConfig(c -> c.toBuilder().nLayers(1_000_000_000).build());
        MotScript.Result result = forward(checkpoint, checkpoint.resolve(ReferenceCases.INPUT));
        assertOneLineError(result, 1, "model too large", "n_layers 1000000000", "physical memory");
    }

    @Test
    void aMillionModalitiesAreRefusedWithTheEstimate() throws Exception {
        assumeTrue(MemoryEstimate.physicalMemory().isPresent(), "no /proc/meminfo");
        editConfig(
                c ->
                        c.toBuilder()
                                .dim(1024)
                                .nHeads(8)
                                .headDim(128)
                                .ffnHiddenDim(4096)
                                .nModalities(1_000_000)
                                .modalityTokenRanges(null)
                                .untie(Untie.ALL)
                                .build());
        MotScript.Result result = forward(checkpoint, checkpoint.resolve(ReferenceCases.INPUT));
        assertOneLineError(result, 1, "model too large", "n_modalities 1000000");
    }

    @Test
    void aFolderNamedModelSafetensorsIsSaidToBeADirectory() throws Exception {
        Path weights = checkpoint.resolve("model.safetensors");
        Files.delete(weights);
        Files.createDirectory(weights);
        MotScript.Result result = forward(checkpoint, checkpoint.resolve(ReferenceCases.INPUT));
        assertOneLineError(result, 1, weights.toString(), "is a directory");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aSymlinkLoopIsSaidToBeOne() throws Exception {
        Path weights = checkpoint.resolve("model.safetensors");
        Files.delete(weights);
        Files.createSymbolicLink(weights, Paths.get("model.safetensors"));
        MotScript.Result result = forward(checkpoint, checkpoint.resolve(ReferenceCases.INPUT));
        assertOneLineError(result, 1, weights.toString(), "is a symlink loop");
    }

    @Test
    void aBadConfigNamesItsPathOnce() throws Exception {
        Path config = checkpoint.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"n_layers\"", "\"n_layerz\""));
        MotScript.Result result = forward(checkpoint, checkpoint.resolve(ReferenceCases.INPUT));
        assertOneLineError(result, 1, "unknown key \"n_layerz\"");
        String line = result.stderrLines().get(0);
        assertEquals(line.indexOf(config.toString()), line.lastIndexOf(config.toString()), line);
        assertTrue(line.contains(config.toString()), line);
    }

    @Test
    void anUnknownZooArtifactListsTheKnownOnes() throws Exception {
        MotScript.Result result = MotScript.run(tmp, "describe", "--model", "nosuch");
        assertOneLineError(result, 1, "no artifact 'nosuch'", MoTModelZoo.CHAMELEON_FMNIST);
    }

    private void editConfig(UnaryOperator<MoTConfig> edit) throws Exception {
        Path config = checkpoint.resolve("config.json");
        edit.apply(MoTConfig.read(config)).write(config);
    }

    private MotScript.Result forward(Path checkpointDir, Path input) throws Exception {
        return MotScript.run(
                tmp,
                "forward",
                "--checkpoint",
                checkpointDir.toString(),
                "--input",
                input.toString(),
                "--output",
                output.toString());
    }

    private static void assertOneLineError(
            MotScript.Result result, int exitCode, String... mentions) {
        assertEquals(exitCode, result.exitCode(), result::toString);
        List<String> lines = result.stderrLines();
        assertEquals(1, lines.size(), () -> "one line on stderr: " + result);
        String line = lines.get(0);
        assertTrue(line.startsWith("mot: error: "), line);
        for (String mention : mentions) {
            assertTrue(line.contains(mention), () -> "'" + mention + "' in: " + line);
        }
    }
}
