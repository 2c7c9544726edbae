package io.motdjl.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.examples.ReferenceCases;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** {@code bin/mot demo} and {@code bin/mot help}. */
class DemoScriptTest {

    @TempDir Path tmp;

    @Test
    void demoRunsEveryReferenceCase() throws Exception {
        // a few steps: the full demonstration trains for a few minutes
        MotScript.Result result =
                MotScript.run(tmp, "demo", "--steps", "2", "--out", tmp.resolve("out").toString());
        assertEquals(0, result.exitCode(), result::toString);
        assertFalse(result.stderr().contains("Exception"), () -> "no stack trace: " + result);
        // DJL's CUDA probe warns on every CPU-only start; the CLI's logging config quiets it
        assertFalse(result.stderr().contains("GPU count"), () -> "quiet CUDA probe: " + result);
        for (String name : ReferenceCases.names()) {
            assertTrue(result.stdout().contains(name), () -> name + " in: " + result);
        }
        assertTrue(
                result.stdout().contains("all " + ReferenceCases.names().size() + " cases match"),
                result::toString);
        // captions, images and (by default) prose, each held out and reported on its own
        for (String set : new String[] {"prose text  ", "caption text", "image       "}) {
            assertTrue(
                    result.stdout().contains(set + " dense final held-out loss"), result::toString);
        }
        assertTrue(
                java.nio.file.Files.exists(
                        tmp.resolve("out").resolve("heldout_loss_vs_flops.png")));
    }

    @Test
    void helpListsTheCommands() throws Exception {
        MotScript.Result result = MotScript.run(tmp, "--help");
        assertEquals(0, result.exitCode(), result::toString);
        for (String command : new String[] {"forward", "demo", "compare", "help"}) {
            assertTrue(
                    result.stdout().contains("mot " + command), () -> command + " in: " + result);
        }
    }
}
