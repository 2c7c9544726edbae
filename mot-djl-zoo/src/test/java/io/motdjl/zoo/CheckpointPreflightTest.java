package io.motdjl.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.ModelNotFoundException;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.Untie;
import io.motdjl.io.CheckpointException;
import io.motdjl.nn.MemoryEstimate;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * What loading a checkpoint directory refuses before building anything, and how it says so: a
 * config too large for the machine or for its weights file, a checkpoint file that is a directory
 * or a symlink loop, a bad config (its path said once), an unknown zoo artifact.
 */
class CheckpointPreflightTest {

    @TempDir Path tmp;
    private Path dir;

    @BeforeEach
    void writeCheckpoint() throws Exception {
        dir = tmp.resolve("ckpt");
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTCheckpointWriter.of(Tiny.model(Tiny.config(), manager))
                    .format(WeightsFormat.SAFETENSORS)
                    .write(dir);
        }
        // edited configs below are not in the manifest; the checks under test come after it
        Files.delete(dir.resolve(MoTCheckpoint.CHECKSUMS_FILE));
    }

    @Test
    void aBillionLayersAreRefusedBeforeBuilding() throws Exception {
        assumeTrue(MemoryEstimate.physicalMemory().isPresent(), "no /proc/meminfo");
        writeConfig(Tiny.config().toBuilder().nLayers(1_000_000_000).build());
        CheckpointException e = refusedQuickly();
        assertMentions(
                e,
                dir.resolve("config.json").toString(),
                "model too large",
                "n_layers 1000000000",
                "as float32",
                "physical memory");
    }

    @Test
    void aMillionModalitiesAreRefusedBeforeBuilding() throws Exception {
        assumeTrue(MemoryEstimate.physicalMemory().isPresent(), "no /proc/meminfo");
        MoTConfig config =
                Tiny.config().toBuilder()
                        .dim(1024)
                        .nHeads(8)
                        .headDim(128)
                        .ffnHiddenDim(4096)
                        .nModalities(1_000_000)
                        .modalityTokenRanges(null)
                        .untie(Untie.ALL)
                        .build();
        writeConfig(config);
        assertMentions(refusedQuickly(), "model too large", "n_modalities 1000000");
    }

    @Test
    void aConfigFarLargerThanItsWeightsIsRefusedBeforeBuilding() throws Exception {
        // fits in memory (about 1.8 GiB as float32) but would take minutes to build
        writeConfig(Tiny.config().toBuilder().nLayers(100_000).build());
        CheckpointException e = refusedQuickly();
        assertMentions(
                e,
                "config.json describes a model of",
                "n_layers 100000",
                "more than twice the",
                "model.safetensors holds",
                "does not belong to these weights");
    }

    @Test
    void aFolderNamedModelSafetensorsIsSaidToBeADirectory() throws Exception {
        Path weights = dir.resolve(MoTCheckpoint.SAFETENSORS_FILE);
        Files.delete(weights);
        Files.createDirectory(weights);
        assertMentions(loadFails(), weights.toString(), "is a directory", "not a regular file");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aSymlinkLoopIsSaidToBeOne() throws Exception {
        Path weights = dir.resolve(MoTCheckpoint.SAFETENSORS_FILE);
        Files.delete(weights);
        Files.createSymbolicLink(weights, Paths.get(MoTCheckpoint.SAFETENSORS_FILE));
        assertMentions(loadFails(), weights.toString(), "is a symlink loop");

        Path loop = Files.createSymbolicLink(tmp.resolve("loop"), Paths.get("loop"));
        CheckpointException e =
                assertThrows(CheckpointException.class, () -> MoTCheckpoint.inspect(loop));
        assertMentions(e, loop.toString(), "is a symlink loop, not a directory");
    }

    @Test
    void aFolderNamedConfigJsonOrChecksumsIsNotReadAsMissing() throws Exception {
        Path manifest = Files.createDirectory(dir.resolve(MoTCheckpoint.CHECKSUMS_FILE));
        // a manifest that is a directory must not mean "no manifest, load unverified"
        assertMentions(loadFails(), manifest.toString(), "is a directory");
        Files.delete(manifest);

        Path config = dir.resolve(MoTCheckpoint.CONFIG_FILE);
        Files.delete(config);
        Files.createDirectory(config);
        assertMentions(loadFails(), config.toString(), "is a directory");
    }

    @Test
    void aBadConfigNamesItsPathOnce() throws Exception {
        Path config = dir.resolve(MoTCheckpoint.CONFIG_FILE);
        Files.writeString(config, Files.readString(config).replace("\"n_layers\"", "\"n_layerz\""));
        CheckpointException unknownKey = loadFails();
        assertMentions(unknownKey, "unknown key \"n_layerz\"");
        assertEquals(
                1, occurrences(unknownKey.getMessage(), config.toString()), unknownKey::getMessage);

        writeConfig(null);
        Files.writeString(
                config, Files.readString(config).replace("\"n_layers\": 2", "\"n_layers\": -1"));
        CheckpointException invalid = loadFails();
        assertMentions(invalid, "n_layers must be positive");
        assertEquals(1, occurrences(invalid.getMessage(), config.toString()), invalid::getMessage);
    }

    @Test
    void anUnknownArtifactListsTheKnownOnes() throws Exception {
        ModelNotFoundException e =
                assertThrows(
                        ModelNotFoundException.class, () -> MoTModelZoo.requireArtifact("nosuch"));
        assertMentions(
                e, "no artifact 'nosuch'", MoTModelZoo.GROUP_ID, MoTModelZoo.CHAMELEON_FMNIST);
        MoTModelZoo.requireArtifact(MoTModelZoo.CHAMELEON_FMNIST);
    }

    /** Writes {@code config}, or the original config when null. */
    private void writeConfig(MoTConfig config) throws Exception {
        MoTConfig written = config == null ? Tiny.config() : config;
        Files.writeString(dir.resolve(MoTCheckpoint.CONFIG_FILE), written.toJson() + "\n");
    }

    private CheckpointException refusedQuickly() {
        long start = System.nanoTime();
        CheckpointException e = loadFails();
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 1000, "refused after " + millis + " ms");
        return e;
    }

    private CheckpointException loadFails() {
        try (NDManager manager = NDManager.newBaseManager()) {
            return assertThrows(CheckpointException.class, () -> MoTCheckpoint.load(dir, manager));
        }
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            count++;
        }
        return count;
    }

    private static void assertMentions(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "'" + part + "' in: " + e.getMessage());
        }
    }
}
