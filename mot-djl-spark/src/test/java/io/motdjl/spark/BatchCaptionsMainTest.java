package io.motdjl.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The whole program, its own Spark session included: a run and a failed job. */
class BatchCaptionsMainTest {

    @TempDir Path tmp;

    private static int execute(ByteArrayOutputStream out, ByteArrayOutputStream err, String... a) {
        return BatchCaptions.execute(
                a,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void runsAndFailsClearly() throws Exception {
        Path input =
                Files.write(
                        tmp.resolve("in.txt"),
                        List.of(
                                "a photo of a bag",
                                "",
                                "a photo of a sandal",
                                "a photo of a coat"));
        Path out = tmp.resolve("out");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int status =
                execute(
                        stdout,
                        stderr,
                        "--input",
                        input.toString(),
                        "--out",
                        out.toString(),
                        "--master",
                        "local[2]",
                        "--architecture",
                        "dense");
        assertEquals(0, status, stderr.toString(StandardCharsets.UTF_8));
        String summary = stdout.toString(StandardCharsets.UTF_8);
        assertTrue(summary.startsWith("3 rows in 2 partitions"), summary);
        assertTrue(summary.contains("models loaded per JVM: 1"), summary);
        List<String> lines = Files.readAllLines(out.resolve(ResultsFile.NAME));
        assertEquals(3, lines.size());
        assertTrue(lines.get(1).startsWith("{\"index\":1,\"caption\":\"a photo of a sandal\""));
        assertTrue(Files.isRegularFile(out.resolve("images/000002.png")));

        // fits the file's limit, not the model's (43 bytes before an image): refused before the
        // job starts, naming the line
        Files.write(
                input,
                List.of("a photo of a bag", "a photo of a bag with a long strap and a buckle"));
        stderr.reset();
        status = execute(stdout, stderr, "--input", input.toString(), "--out", out.toString());
        String err = stderr.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, err);
        assertEquals(1, err.lines().count(), err);
        assertTrue(
                err.startsWith(
                        "mot-spark: error: "
                                + input
                                + ":2: caption of 47 bytes, but the model fits captions of at"
                                + " most 43 bytes"),
                err);

        // a task that cannot write its image fails the job, which ends as one line; the directory
        // standing where the image would go is left as it was
        Files.write(input, List.of("a photo of a bag"));
        Path blocked = out.resolve("images/000000.png");
        Files.delete(blocked); // the first run's image
        Files.createDirectory(blocked);
        stderr.reset();
        status = execute(stdout, stderr, "--input", input.toString(), "--out", out.toString());
        err = stderr.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, err);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("mot-spark: error: the job failed: "), err);
        assertTrue(err.contains("000000.png"), err);
        assertTrue(Files.isDirectory(blocked));
    }
}
