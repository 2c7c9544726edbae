package io.motdjl.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Refusals of the command line and the input, all before Spark starts. */
class BatchCaptionsInputTest {

    @TempDir Path tmp;

    private record Outcome(int status, String err) {}

    private static Outcome execute(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status =
                BatchCaptions.execute(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, err.toString(StandardCharsets.UTF_8));
    }

    private void assertRefused(Outcome o, int status, String message) {
        assertEquals(status, o.status(), o.err());
        String first = o.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("mot-spark: error: "), o.err());
        assertTrue(first.contains(message), o.err());
    }

    @Test
    void missingFile() {
        Path missing = tmp.resolve("nope.txt");
        assertRefused(
                execute("--input", missing.toString(), "--out", tmp.resolve("out").toString()),
                1,
                "input file not found: " + missing);
    }

    @Test
    void emptyFile() throws IOException {
        Path empty = Files.writeString(tmp.resolve("empty.txt"), "\n   \n\n");
        assertRefused(
                execute("--input", empty.toString(), "--out", tmp.resolve("out").toString()),
                1,
                "no captions in " + empty);
    }

    @Test
    void overLongLine() throws IOException {
        Path file =
                Files.write(
                        tmp.resolve("long.txt"),
                        List.of("a photo of a bag", "", "x".repeat(201), "a photo of a coat"));
        assertRefused(
                execute("--input", file.toString(), "--out", tmp.resolve("out").toString()),
                1,
                file + ":3: caption of 201 characters, longer than 200");
    }

    @Test
    void captionTooLongForTheModel() throws IOException {
        // 60 bytes: under the file's 200-character limit, over what the bundled model fits with
        // the image it draws (the limit is the generator's own rule, read from the model)
        Path file =
                Files.write(tmp.resolve("wide.txt"), List.of("a photo of a bag", "y".repeat(60)));
        assertRefused(
                execute("--input", file.toString(), "--out", tmp.resolve("out").toString()),
                1,
                file + ":2: caption of 60 bytes, but the model fits captions of at most");
    }

    @Test
    void outputIsRegularFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("in.txt"), "a photo of a bag\n");
        Path out = Files.writeString(tmp.resolve("out"), "not a directory");
        assertRefused(
                execute("--input", file.toString(), "--out", out.toString()),
                1,
                "output path exists and is not a directory: " + out);
    }

    @Test
    void usageErrors() {
        Outcome unknown = execute("--input", "a.txt", "--out", "o", "--bogus", "1");
        assertRefused(unknown, 2, "unknown option: --bogus");
        assertTrue(unknown.err().contains("usage: mot-spark"), unknown.err());
        assertRefused(execute("--input", "a.txt"), 2, "--out is required");
        assertRefused(execute("--input", "a.txt", "--out", "o", "--batch", "0"), 2, "--batch");
        assertRefused(execute("--input", "a.txt", "--out", "o", "--master", "yarn"), 2, "--master");
        assertRefused(
                execute("--input", "a.txt", "--out", "o", "--architecture", "moe"),
                2,
                "--architecture must be mot or dense");
    }

    @Test
    void bundledCaptionsAreAccepted() throws InputException {
        List<String> captions = CaptionFile.read(Path.of("data", "captions.txt")).captions();
        assertEquals(20, captions.size());
        assertEquals("a photo of a t-shirt or top", captions.get(0));
    }

    @Test
    void sequenceIsBosBytesEos() {
        int[] tokens = CaptionSequences.of("ab").tokens();
        assertEquals(4, tokens.length);
        assertEquals(io.motdjl.tokenize.JointVocabulary.BOS, tokens[0]);
        assertEquals('a', tokens[1]);
        assertEquals(io.motdjl.tokenize.JointVocabulary.EOS, tokens[3]);
    }
}
