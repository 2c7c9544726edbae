package io.motdjl.examples.speech;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's {@code flite} and {@code espeak-ng} programs, one process per utterance, each
 * writing a 16-bit mono WAV file. Both were measured to write byte-identical files for identical
 * options (research notes, "Determinism").
 *
 * <pre>
 * flite -voice slt --setf duration_stretch=1.05 --setf int_f0_target_mean=180 -t TEXT -o FILE
 * espeak-ng -v en-gb+m1 -p 45 -s 160 -w FILE TEXT
 * </pre>
 */
public final class SpeechSynthesizer {

    /** How to get the programs. */
    public static final String INSTALL_HINT =
            "install Debian's flite and espeak-ng: apt-get install -y --no-install-recommends"
                    + " flite espeak-ng";

    /** Longest a program may take for one caption (they take 5 to 30 ms). */
    private static final long TIMEOUT_SECONDS = 60;

    /** Output of a failing program quoted in the exception, at most. */
    private static final int MAX_QUOTED_CHARS = 2000;

    private final Map<Engine, Path> programs;

    private SpeechSynthesizer(Map<Engine, Path> programs) {
        this.programs = programs;
    }

    /**
     * The programs found on this process's PATH.
     *
     * @throws IOException naming what is missing and how to install it
     */
    public static SpeechSynthesizer onPath() throws IOException {
        return onPath(System.getenv("PATH"));
    }

    /**
     * The programs found in the directories of {@code pathVariable} (colon-separated, like PATH).
     *
     * @throws IOException naming what is missing and how to install it
     */
    public static SpeechSynthesizer onPath(String pathVariable) throws IOException {
        Map<Engine, Path> found = new EnumMap<>(Engine.class);
        List<String> missing = new ArrayList<>();
        for (Engine engine : Engine.values()) {
            Path program = find(engine.program(), pathVariable);
            if (program == null) {
                missing.add(engine.program());
            } else {
                found.put(engine, program);
            }
        }
        if (!missing.isEmpty()) {
            throw new IOException(
                    String.join(" and ", missing)
                            + (missing.size() == 1 ? " is" : " are")
                            + " not on the PATH; "
                            + INSTALL_HINT);
        }
        return new SpeechSynthesizer(found);
    }

    /**
     * The programs missing from this process's PATH, e.g. {@code [flite]}; empty when both are
     * there.
     */
    public static List<String> missingPrograms() {
        String path = System.getenv("PATH");
        List<String> missing = new ArrayList<>();
        for (Engine engine : Engine.values()) {
            if (find(engine.program(), path) == null) {
                missing.add(engine.program());
            }
        }
        return missing;
    }

    private static Path find(String program, String pathVariable) {
        if (pathVariable == null) {
            return null;
        }
        for (String dir : pathVariable.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The command line that synthesises {@code utterance} into {@code wav}. */
    public List<String> command(UtteranceSpec utterance, Path wav) {
        Engine engine = utterance.engine();
        List<String> command = new ArrayList<>();
        command.add(programs.get(engine).toString());
        if (engine == Engine.FLITE) {
            command.add("-voice");
            command.add(utterance.voice());
            command.addAll(utterance.prosody().arguments());
            command.add("-t");
            command.add(utterance.text());
            command.add("-o");
            command.add(wav.toString());
        } else {
            command.add("-v");
            command.add(utterance.voice());
            command.addAll(utterance.prosody().arguments());
            command.add("-w");
            command.add(wav.toString());
            command.add(utterance.text());
        }
        return command;
    }

    /**
     * Synthesises {@code utterance} into {@code wav} (at its engine's sample rate).
     *
     * @throws IOException if the program fails, times out or writes no audio; the message quotes
     *     the command and its output
     */
    public void synthesize(UtteranceSpec utterance, Path wav) throws IOException {
        List<String> command = command(utterance, wav);
        String output = run(command, wav.resolveSibling(wav.getFileName() + ".log"), true);
        if (!Files.isRegularFile(wav) || Files.size(wav) <= 44) {
            throw new IOException(
                    "utterance "
                            + utterance.id()
                            + ": "
                            + String.join(" ", command)
                            + " wrote no audio"
                            + quoted(output));
        }
    }

    /**
     * What {@code program --version} prints, its lines joined, e.g. {@code eSpeak NG
     * text-to-speech: 1.51 Data at: ...}; recorded in the corpus file's provenance. (flite prints
     * its version and exits with status 1.)
     */
    public String version(Engine engine) throws IOException {
        Path log = Files.createTempFile("mot-speech-version", ".log");
        try {
            String text = run(List.of(programs.get(engine).toString(), "--version"), log, false);
            if (text.isBlank()) {
                throw new IOException(programs.get(engine) + " --version printed nothing");
            }
            return String.join(" ", text.strip().split("\\s*\\R\\s*"));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * The Debian package versions of flite and espeak-ng ({@code dpkg-query -W}), e.g. {@code
     * espeak-ng 1.51+dfsg-10+deb12u2, flite 2.2-5}; empty where dpkg-query is missing or fails.
     */
    public static Optional<String> debianPackages() {
        Path dpkgQuery = find("dpkg-query", System.getenv("PATH"));
        if (dpkgQuery == null) {
            return Optional.empty();
        }
        try {
            Path log = Files.createTempFile("mot-speech-dpkg", ".log");
            try {
                String text =
                        run(
                                List.of(
                                        dpkgQuery.toString(),
                                        "-W",
                                        "-f",
                                        "${Package} ${Version}\\n",
                                        "flite",
                                        "espeak-ng"),
                                log,
                                true);
                return Optional.of(String.join(", ", text.strip().split("\\s*\\R\\s*")));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            return Optional.empty(); // not installed as Debian packages: nothing to record
        }
    }

    /**
     * Runs a command with its output in {@code log}, returns the output, deletes the log; with
     * {@code requireSuccess}, a non-zero exit status is an error.
     */
    private static String run(List<String> command, Path log, boolean requireSuccess)
            throws IOException {
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            Process process = builder.start();
            boolean finished;
            try {
                finished = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command.get(0), e);
            }
            if (!finished) {
                process.destroyForcibly();
                throw new IOException(
                        String.join(" ", command)
                                + " did not finish within "
                                + TIMEOUT_SECONDS
                                + " s");
            }
            String output = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            if (requireSuccess && process.exitValue() != 0) {
                throw new IOException(
                        String.join(" ", command)
                                + " failed with exit status "
                                + process.exitValue()
                                + quoted(output));
            }
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String quoted(String output) {
        String text = output.strip();
        if (text.isEmpty()) {
            return "";
        }
        if (text.length() > MAX_QUOTED_CHARS) {
            text = text.substring(0, MAX_QUOTED_CHARS) + " ...";
        }
        return ": " + text;
    }
}
