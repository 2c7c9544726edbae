package io.motdjl.examples.cli;

import static io.motdjl.examples.cli.InProcessCli.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.Untie;
import io.motdjl.examples.ReferenceCases;
import io.motdjl.examples.cli.InProcessCli.Run;
import io.motdjl.io.FileKind;
import io.motdjl.io.ReferenceCheckpoint;
import io.motdjl.io.SafetensorsFile;
import io.motdjl.io.SaveOptions;
import io.motdjl.nn.MemoryEstimate;
import io.motdjl.nn.MoTModel;
import io.motdjl.zoo.Checksums;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * {@code mot forward} loads checkpoints the way every other command does, writes its output into
 * devices and through symlinks without replacing them, and refuses absurd configs at once.
 */
class ForwardCommandTest {

    /** Small enough that a reference case's weights take several shards. */
    private static final long SHARD_BYTES = 16 * 1024;

    @Test
    void aChecksumManifestIsVerifiedAsGenerateAndDescribeDo(@TempDir Path tmp) throws Exception {
        String name = ReferenceCases.names().get(0);
        Path dir = ReferenceCases.extract(name, tmp);
        Path input = dir.resolve(ReferenceCases.INPUT);
        Path output = tmp.resolve("out.safetensors");
        String configDigest =
                java.util.HexFormat.of()
                        .formatHex(
                                java.security.MessageDigest.getInstance("SHA-256")
                                        .digest(Files.readAllBytes(dir.resolve("config.json"))));
        // the manifest covers both files; the weights' digest is wrong
        Files.writeString(
                dir.resolve("checksums.sha256"),
                configDigest + "  config.json\n" + "0".repeat(64) + "  model.safetensors\n");

        Run r =
                run(
                        "forward",
                        "--checkpoint",
                        dir.toString(),
                        "--input",
                        input.toString(),
                        "--output",
                        output.toString());
        assertEquals(ExitStatus.FAILURE, r.status(), r.out());
        assertTrue(r.err().contains("model.safetensors"), r.err());
        assertTrue(
                r.err().toLowerCase(java.util.Locale.ROOT).contains("checksum")
                        || r.err().contains("sha256"),
                r.err());
        assertFalse(Files.exists(output), "nothing written");

        Files.delete(dir.resolve("checksums.sha256"));
        Run ok =
                run(
                        "forward",
                        "--checkpoint",
                        dir.toString(),
                        "--input",
                        input.toString(),
                        "--output",
                        output.toString());
        assertEquals(0, ok.status(), ok.err());
    }

    @Test
    void aShardedCheckpointRunsLikeTheSingleFileOneAndIsVerifiedShardByShard(@TempDir Path tmp)
            throws Exception {
        Path dir = ReferenceCases.extract(ReferenceCases.names().get(0), tmp);
        Path sharded = tmp.resolve("sharded");
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = ReferenceCheckpoint.load(dir, manager);
            ReferenceCheckpoint.save(
                    model, sharded, SaveOptions.DEFAULT.withMaxShardBytes(SHARD_BYTES));
        }
        Checksums.writeManifest(sharded);
        List<Path> files = ReferenceCheckpoint.weightFiles(sharded);
        assertTrue(files.size() > 2, "an index and several shards: " + files);

        Path want = tmp.resolve("single-out.safetensors");
        Path got = tmp.resolve("sharded-out.safetensors");
        Run single = forward(dir, want);
        assertEquals(ExitStatus.OK, single.status(), single.err());
        Run r =
                run(
                        "forward",
                        "--checkpoint",
                        sharded.toString(),
                        "--input",
                        dir.resolve(ReferenceCases.INPUT).toString(),
                        "--output",
                        got.toString());
        assertEquals(ExitStatus.OK, r.status(), r.err());
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] a = SafetensorsFile.read(want, manager).get("logits").toFloatArray();
            float[] b = SafetensorsFile.read(got, manager).get("logits").toFloatArray();
            assertArrayEquals(a, b);
        }

        // a damaged shard is refused by its checksum, naming it
        Path shard = files.get(files.size() - 1);
        byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length - 1] ^= 0x01;
        Files.write(shard, bytes);
        Files.delete(got);
        Run tampered =
                run(
                        "forward",
                        "--checkpoint",
                        sharded.toString(),
                        "--input",
                        dir.resolve(ReferenceCases.INPUT).toString(),
                        "--output",
                        got.toString());
        assertEquals(ExitStatus.FAILURE, tampered.status(), tampered.out());
        assertTrue(tampered.err().contains(shard.toString()), tampered.err());
        assertTrue(tampered.err().contains("sha256"), tampered.err());
        assertFalse(Files.exists(got), "nothing written");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void outputToDevNullExitsZeroAndLeavesTheDevice(@TempDir Path tmp) throws Exception {
        Path dir = ReferenceCases.extract(ReferenceCases.names().get(0), tmp);
        Path devNull = Paths.get("/dev/null");
        assumeTrue(FileKind.of(devNull) == FileKind.CHARACTER_DEVICE, "/dev/null is a device");
        Run r = forward(dir, devNull);
        assertEquals(ExitStatus.OK, r.status(), r.err());
        assertTrue(r.out().contains("wrote              /dev/null"), r.out());
        assertEquals(FileKind.CHARACTER_DEVICE, FileKind.of(devNull));
        assertFalse(Files.isRegularFile(devNull));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void outputThroughASymlinkWritesItsTargetAndKeepsTheLink(@TempDir Path tmp) throws Exception {
        Path dir = ReferenceCases.extract(ReferenceCases.names().get(0), tmp);
        Path target = Files.writeString(tmp.resolve("target.safetensors"), "old");
        Path link = Files.createSymbolicLink(tmp.resolve("link.safetensors"), target);
        Run r = forward(dir, link);
        assertEquals(ExitStatus.OK, r.status(), r.err());
        assertTrue(Files.isSymbolicLink(link));
        try (NDManager manager = NDManager.newBaseManager()) {
            assertTrue(SafetensorsFile.read(target, manager).containsKey("logits"));
        }
    }

    @Test
    void absurdConfigsFailFastWithTheEstimate(@TempDir Path tmp) throws Exception {
        assumeTrue(MemoryEstimate.physicalMemory().isPresent(), "no /proc/meminfo");
        Path dir = ReferenceCases.extract(ReferenceCases.names().get(0), tmp);
        MoTConfig original = MoTConfig.read(dir.resolve("config.json"));
        // the engine starts once per JVM; what is timed is the command's own work
        NDManager.newBaseManager().close();
        for (MoTConfig absurd :
                List.of(
                        original.toBuilder().nLayers(1_000_000_000).build(),
                        original.toBuilder()
                                .dim(1024)
                                .nHeads(8)
                                .headDim(128)
                                .ffnHiddenDim(4096)
                                .nModalities(1_000_000)
                                .modalityTokenRanges(null)
                                .untie(Untie.ALL)
                                .build())) {
            absurd.write(dir.resolve("config.json"));
            long start = System.nanoTime();
            Run r = forward(dir, tmp.resolve("out.safetensors"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(ExitStatus.FAILURE, r.status(), r.out());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("mot: error: "), r.err());
            assertTrue(r.err().contains("model too large"), r.err());
            assertTrue(r.err().contains("n_layers " + absurd.nLayers()), r.err());
            assertTrue(r.err().contains("n_modalities " + absurd.nModalities()), r.err());
            assertTrue(millis < 1000, "refused after " + millis + " ms");
        }
    }

    private static Run forward(Path dir, Path output) {
        return run(
                "forward",
                "--checkpoint",
                dir.toString(),
                "--input",
                dir.resolve(ReferenceCases.INPUT).toString(),
                "--output",
                output.toString());
    }
}
