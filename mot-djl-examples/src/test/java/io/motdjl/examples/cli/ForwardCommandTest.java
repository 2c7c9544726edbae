package io.motdjl.examples.cli;

import static io.motdjl.examples.cli.InProcessCli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.examples.ReferenceCases;
import io.motdjl.examples.cli.InProcessCli.Run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code mot forward} loads checkpoints the way every other command does. */
class ForwardCommandTest {

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
}
