package io.motdjl.examples.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the eager-PyTorch anchor ({@code shared/anchors/pytorch/bench.py}) in a child process and
 * reads its figures. A small wrapper around the script also reports the minor page faults and CPU
 * time of the timed part (after {@code import torch}), from {@code getrusage}.
 */
public final class PythonAnchor {

    /**
     * What one anchor run reported.
     *
     * @param torchVersion the torch version
     * @param denseSeconds median seconds per dense step
     * @param motSeconds median seconds per MoT step
     * @param minorFaultsPerStep minor page faults per step (model set-up and warm-up included)
     * @param kernelShare share of the run's CPU time spent in the kernel
     */
    public record Result(
            String torchVersion,
            double denseSeconds,
            double motSeconds,
            double minorFaultsPerStep,
            double kernelShare) {}

    private static final String WRAPPER =
            String.join(
                    "\n",
                    "import os, resource, runpy, sys",
                    "d = sys.argv[1]",
                    "sys.path.insert(0, d)",
                    "os.chdir(d)",
                    "import torch, mot_ref",
                    "r0 = resource.getrusage(resource.RUSAGE_SELF)",
                    "sys.argv = ['bench.py'] + sys.argv[2:]",
                    "runpy.run_path('bench.py', run_name='__main__')",
                    "r1 = resource.getrusage(resource.RUSAGE_SELF)",
                    "print('RUSAGE', r1.ru_minflt - r0.ru_minflt, r1.ru_utime - r0.ru_utime,"
                            + " r1.ru_stime - r0.ru_stime, flush=True)");

    private final String python;
    private final Path directory;

    /**
     * Creates an anchor that runs the benchmark script in {@code directory} with {@code python}.
     *
     * @param python the interpreter that sees Debian's python3-torch, e.g. {@code /usr/bin/python3}
     * @param directory the folder holding {@code bench.py} and {@code mot_ref.py}
     */
    public PythonAnchor(String python, Path directory) {
        this.python = python;
        this.directory = directory;
    }

    /**
     * Finds the anchor folder: {@code shared/anchors/pytorch} in the working directory or one of
     * its parents, or beside them (as {@code ../shared}).
     *
     * @param start where to start looking
     * @return the folder, or null
     */
    public static Path locate(Path start) {
        for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/anchors/pytorch");
            if (Files.isRegularFile(candidate.resolve("bench.py"))) {
                return candidate;
            }
        }
        return null;
    }

    /** Whether the script is there. */
    public boolean available() {
        return Files.isRegularFile(directory.resolve("bench.py"));
    }

    /**
     * Runs the anchor once (dense, then MoT).
     *
     * @param threads torch threads
     * @param steps timed steps per model
     * @param warmup untimed steps per model
     * @return its figures
     * @throws IOException if it cannot be started or fails
     * @throws InterruptedException if interrupted while waiting
     */
    public Result run(int threads, int steps, int warmup) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(python);
        command.add("-c");
        command.add(WRAPPER);
        command.add(directory.toAbsolutePath().toString());
        command.add("--threads");
        command.add(Integer.toString(threads));
        command.add("--steps");
        command.add(Integer.toString(steps));
        command.add("--warmup");
        command.add(Integer.toString(warmup));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        }
        if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroy();
            throw new IOException(
                    "the PyTorch anchor failed: " + String.join(" | ", tail(lines, 5)));
        }
        JsonObject summary = null;
        String[] usage = null;
        for (String line : lines) {
            if (line.startsWith("{")) {
                summary = JsonParser.parseString(line).getAsJsonObject();
            } else if (line.startsWith("RUSAGE ")) {
                usage = line.split(" ");
            }
        }
        if (summary == null || usage == null || !summary.has("dense") || !summary.has("mot")) {
            throw new IOException("unexpected output of the PyTorch anchor: " + tail(lines, 5));
        }
        double faults = Double.parseDouble(usage[1]);
        double user = Double.parseDouble(usage[2]);
        double kernel = Double.parseDouble(usage[3]);
        int allSteps = 2 * (steps + warmup);
        return new Result(
                summary.get("torch").getAsString(),
                summary.getAsJsonObject("dense").get("median_s").getAsDouble(),
                summary.getAsJsonObject("mot").get("median_s").getAsDouble(),
                faults / allSteps,
                kernel / (user + kernel));
    }

    private static List<String> tail(List<String> lines, int n) {
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
}
