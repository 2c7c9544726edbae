package io.motdjl.examples.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the command line in this JVM through its entry point and captures what it prints. */
final class InProcessCli {

    /** Exit status and the two streams of one run. */
    record Run(int status, String out, String err) {}

    private InProcessCli() {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                MotCli.run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(
                status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * {@code mot train} of a tiny model (3 steps of batch 8, one layer, two heads, width {@code
     * dim}) into {@code out}: the checkpoint the command tests generate from.
     *
     * @param extra further options: the setting, the architecture, tokenizer sizes
     */
    static Run trainTiny(Path out, int dim, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "train",
                                "--out",
                                out.toString(),
                                "--steps",
                                "3",
                                "--dim",
                                Integer.toString(dim),
                                "--layers",
                                "1",
                                "--heads",
                                "2",
                                "--batch",
                                "8"));
        args.addAll(List.of(extra));
        return run(args.toArray(new String[0]));
    }
}
