package io.motdjl.examples.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code bin/mot} script as a subprocess from the repository root, with {@code
 * MOT_NO_BUILD=1}: the Maven build running the tests has just built what the script needs.
 */
final class MotScript {

    // generous: the machine may be shared with other builds while tests run
    private static final long TIMEOUT_SECONDS = 600;

    /** What a run left behind. */
    record Result(int exitCode, String stdout, String stderr) {

        /** The non-empty lines written to stderr. */
        List<String> stderrLines() {
            return stderr.lines().filter(line -> !line.isBlank()).toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private MotScript() {}

    /** The repository root: the nearest directory above the test classes that holds bin/mot. */
    static Path repositoryRoot() {
        try {
            Path dir =
                    Paths.get(
                            MotScript.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
            for (; dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("bin").resolve("mot"))) {
                    return dir;
                }
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException(
                "no bin/mot above the location of " + MotScript.class.getName());
    }

    /**
     * Runs {@code bin/mot args...} and waits for it.
     *
     * @param scratch a directory for the captured output
     * @param args the script's arguments
     * @return exit status, stdout and stderr
     */
    static Result run(Path scratch, String... args) throws IOException, InterruptedException {
        Path root = repositoryRoot();
        List<String> command = new ArrayList<>();
        command.add(root.resolve("bin").resolve("mot").toString());
        command.addAll(List.of(args));
        // files rather than pipes: nothing can block on a full pipe buffer
        Path stdout = Files.createTempFile(scratch, "stdout", ".txt");
        Path stderr = Files.createTempFile(scratch, "stderr", ".txt");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(root.toFile())
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile());
        builder.environment().put("MOT_NO_BUILD", "1");
        // the JDK running the tests runs the script too
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(
                    "bin/mot " + String.join(" ", args) + " ran over " + TIMEOUT_SECONDS + " s");
        }
        return new Result(
                process.exitValue(),
                Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }
}
