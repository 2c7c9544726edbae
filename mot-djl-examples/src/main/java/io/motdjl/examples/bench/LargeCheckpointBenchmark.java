package io.motdjl.examples.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import io.motdjl.config.MoTConfig;
import io.motdjl.io.ReferenceCheckpoint;
import io.motdjl.io.SaveOptions;
import io.motdjl.nn.MoTModel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Saves a model of several GiB as safetensors (float32 in one file, bfloat16, float32 in shards),
 * then loads each back in a fresh JVM and reports the load time and the loading process's peak
 * resident memory against the model's own bytes. Not part of {@code mot bench}: it writes GiB of
 * files. Run it with the module's runtime classpath:
 *
 * <pre>
 * java -Xmx2g -cp mot-djl-examples/target/classes:$(cat mot-djl-examples/target/cli-classpath.txt) \
 *     io.motdjl.examples.bench.LargeCheckpointBenchmark --dir /tmp/mot-large
 * </pre>
 *
 * <p>Options: {@code --dim 2048 --layers 8 --modalities 2 --ffn 5632 --heads 16 --vocab 512} (the
 * default model: 824 M parameters, 3.07 GiB of float32), {@code --layouts f32,bf16,sharded}, {@code
 * --shard-mib 1024}, {@code --dir DIR} (one subdirectory per layout, deleted after its load unless
 * {@code --keep}).
 *
 * <p>The peak of a load is the child JVM's {@code VmHWM}, reset (Linux's {@code clear_refs}) after
 * the engine has started, so it covers the load alone; a sampler also records the highest {@code
 * VmRSS} seen every 5 ms. "Over the model" is that peak less the resident memory just before the
 * load, less the model's bytes: what loading needs beyond the parameters it creates.
 */
public final class LargeCheckpointBenchmark {

    private static final String LOAD = "load";
    private static final String RESULT = "RESULT";
    private static final String CHILD_HEAP = "128m";
    private static final double GIB = 1024.0 * 1024 * 1024;
    private static final double MIB = 1024.0 * 1024;

    private LargeCheckpointBenchmark() {}

    /**
     * Runs the benchmark, or (first argument {@code load}) one load in this JVM.
     *
     * @param args options, see the class comment
     * @throws Exception if anything fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && LOAD.equals(args[0])) {
            loadOnce(Path.of(args[1]), System.out);
            return;
        }
        run(Options.parse(args), System.out);
    }

    /**
     * What to build and how to save it.
     *
     * @param config the model
     * @param layouts f32, bf16 and/or sharded
     * @param shardBytes the shard limit of the sharded layout
     * @param dir where the checkpoints go
     * @param keep whether to keep them
     */
    record Options(
            MoTConfig config, List<String> layouts, long shardBytes, Path dir, boolean keep) {

        static Options parse(String[] args) {
            Map<String, String> o = new HashMap<>();
            boolean keep = false;
            for (int i = 0; i < args.length; i++) {
                if ("--keep".equals(args[i])) {
                    keep = true;
                } else if (args[i].startsWith("--") && i + 1 < args.length) {
                    o.put(args[i].substring(2), args[++i]);
                } else {
                    throw new IllegalArgumentException("unexpected argument " + args[i]);
                }
            }
            MoTConfig config =
                    MoTConfig.builder()
                            .dim(integer(o, "dim", 2048))
                            .nLayers(integer(o, "layers", 8))
                            .nModalities(integer(o, "modalities", 2))
                            .ffnHiddenDim(integer(o, "ffn", 5632))
                            .nHeads(integer(o, "heads", 16))
                            .vocabSize(integer(o, "vocab", 512))
                            .build();
            List<String> layouts =
                    List.of(o.getOrDefault("layouts", "f32,bf16,sharded").split(","));
            for (String l : layouts) {
                saveOptions(l, 1);
            }
            long shardBytes = (long) integer(o, "shard-mib", 1024) << 20;
            Path dir = Path.of(o.getOrDefault("dir", "/tmp/mot-large-checkpoint"));
            return new Options(config, layouts, shardBytes, dir, keep);
        }

        private static int integer(Map<String, String> o, String key, int fallback) {
            return o.containsKey(key) ? Integer.parseInt(o.get(key)) : fallback;
        }
    }

    private static SaveOptions saveOptions(String layout, long shardBytes) {
        return switch (layout) {
            case "f32" -> SaveOptions.DEFAULT;
            case "bf16" -> SaveOptions.DEFAULT.withWeightType(DataType.BFLOAT16);
            case "sharded" -> SaveOptions.DEFAULT.withMaxShardBytes(shardBytes);
            default ->
                    throw new IllegalArgumentException(
                            "unknown layout " + layout + " (f32, bf16, sharded)");
        };
    }

    /** One load, measured: the result line the parent reads. */
    private static void loadOnce(Path dir, PrintStream out) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.ones(new ai.djl.ndarray.types.Shape(1)).close(); // start the engine first
            ProcessStats before = ProcessStats.now();
            boolean reset = resetPeak();
            AtomicLong sampled = new AtomicLong(before.residentBytes());
            AtomicBoolean loading = new AtomicBoolean(true);
            Thread sampler =
                    new Thread(
                            () -> {
                                while (loading.get()) {
                                    sampled.accumulateAndGet(
                                            ProcessStats.now().residentBytes(), Math::max);
                                    sleep(5);
                                }
                            });
            sampler.setDaemon(true);
            sampler.start();
            MachineLoad load = MachineLoad.start();
            ProcessStats cpuBefore = ProcessStats.now();
            long start = System.nanoTime();
            MoTModel model = ReferenceCheckpoint.load(dir, manager);
            double seconds = (System.nanoTime() - start) / 1e9;
            loading.set(false);
            ProcessStats after = ProcessStats.now();
            ProcessStats cpu = after.since(cpuBefore);
            out.printf(
                    Locale.ROOT,
                    "%s load_s=%.3f cpu_s=%.2f other=%.2f before=%d peak=%d sampled=%d model=%d"
                            + " reset=%b crc=%d sum=%.9e%n",
                    RESULT,
                    seconds,
                    cpu.userSeconds() + cpu.kernelSeconds(),
                    load.foreignCores(),
                    before.residentBytes(),
                    after.peakResidentBytes(),
                    sampled.get(),
                    modelBytes(model),
                    reset,
                    crc(model),
                    checksum(model));
        }
    }

    /** Resets VmHWM to the current resident size (Linux 4.0+); false where that is refused. */
    private static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long modelBytes(MoTModel model) {
        long bytes = 0;
        for (Pair<String, Parameter> p : model.getParameters()) {
            NDArray a = p.getValue().getArray();
            bytes += a.size() * a.getDataType().getNumOfBytes();
        }
        return bytes;
    }

    /** A CRC-32 of every parameter's bytes, to check that a load read exactly what was saved. */
    private static long crc(MoTModel model) {
        CRC32 crc = new CRC32();
        for (Pair<String, Parameter> p : model.getParameters()) {
            // a direct view of the array: DJL's byte[] copy crashes the JVM when the heap is small
            crc.update(p.getValue().getArray().toByteBuffer(true));
        }
        return crc.getValue();
    }

    /** The sum of every parameter, to say how far bf16 rounding moved the weights. */
    private static double checksum(MoTModel model) {
        double sum = 0;
        for (Pair<String, Parameter> p : model.getParameters()) {
            try (NDArray s = p.getValue().getArray().sum()) {
                sum += s.getFloat();
            }
        }
        return sum;
    }

    private static void run(Options options, PrintStream out) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = new MoTModel(options.config());
            long start = System.nanoTime();
            ReferenceCheckpoint.initialize(model, manager, DataType.FLOAT32);
            double initSeconds = (System.nanoTime() - start) / 1e9;
            long modelBytes = modelBytes(model);
            double sum = checksum(model);
            long crc = crc(model);
            out.printf(
                    Locale.ROOT,
                    "model: %s%n  %d parameters, %.2f GiB float32 (initialised in %.1f s)%n%n",
                    options.config().toJson().replaceAll("\\s+", " "),
                    modelBytes / 4,
                    modelBytes / GIB,
                    initSeconds);
            out.printf(
                    "%-8s %8s %5s %7s %7s %6s %6s %9s %9s %9s  %s%n",
                    "layout",
                    "file GiB",
                    "files",
                    "save s",
                    "load s",
                    "cpu s",
                    "other",
                    "peak GiB",
                    "over MiB",
                    "sampled",
                    "weights");
            for (String layout : options.layouts()) {
                Path dir = options.dir().resolve(layout);
                start = System.nanoTime();
                ReferenceCheckpoint.save(model, dir, saveOptions(layout, options.shardBytes()));
                double saveSeconds = (System.nanoTime() - start) / 1e9;
                List<Path> files = ReferenceCheckpoint.weightFiles(dir);
                long fileBytes = 0;
                for (Path f : files) {
                    fileBytes += Files.size(f);
                }
                Map<String, String> r = loadInChild(dir);
                long before = Long.parseLong(r.get("before"));
                long peak = Long.parseLong(r.get("peak"));
                long loaded = Long.parseLong(r.get("model"));
                double loadedSum = Double.parseDouble(r.get("sum"));
                String check =
                        Long.parseLong(r.get("crc")) == crc
                                ? "identical"
                                : String.format(
                                        Locale.ROOT,
                                        "sum %.1e",
                                        Math.abs(loadedSum - sum) / Math.abs(sum));
                out.printf(
                        Locale.ROOT,
                        "%-8s %8.2f %5d %7.1f %7.2f %6.2f %6.2f %9.2f %9.0f %9.2f  %s%n",
                        layout,
                        fileBytes / GIB,
                        files.size(),
                        saveSeconds,
                        Double.parseDouble(r.get("load_s")),
                        Double.parseDouble(r.get("cpu_s")),
                        Double.parseDouble(r.get("other")),
                        peak / GIB,
                        (peak - before - loaded) / MIB,
                        Long.parseLong(r.get("sampled")) / GIB,
                        check);
                if (!"true".equals(r.get("reset"))) {
                    out.println("  (VmHWM could not be reset: the peak includes start-up)");
                }
                if (!options.keep()) {
                    deleteTree(dir);
                }
            }
            out.println();
            out.println(
                    "peak: the loading JVM's VmHWM (reset once the engine had started); over:"
                            + " peak - resident before the load - the model's bytes; sampled:"
                            + " highest VmRSS seen every 5 ms; cpu: the loading JVM's CPU seconds;"
                            + " other: cores other processes used meanwhile; weights: the loaded"
                            + " parameters' bytes against the saved model's (CRC-32), else the"
                            + " relative difference of their sums");
        }
    }

    /** Runs {@link #loadOnce} in a new JVM with this one's classpath and options. */
    private static Map<String, String> loadInChild(Path dir)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-Xmx") && !arg.startsWith("-Xms")) {
                command.add(arg);
            }
        }
        // loading needs little Java heap; a default heap would grow with the sampler's garbage
        // and blur what the loader itself uses
        command.add("-Xmx" + CHILD_HEAP);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(LargeCheckpointBenchmark.class.getName());
        command.add(LOAD);
        command.add(dir.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Map<String, String> result = null;
        List<String> output = new ArrayList<>();
        try (BufferedReader reader =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                output.add(line);
                if (line.startsWith(RESULT + " ")) {
                    result = new HashMap<>();
                    for (String field : line.substring(RESULT.length() + 1).split(" ")) {
                        String[] kv = field.split("=", 2);
                        result.put(kv[0], kv[1]);
                    }
                }
            }
        }
        int status = process.waitFor();
        if (status != 0 || result == null) {
            throw new IllegalStateException(
                    "the loading JVM failed (exit " + status + "):\n" + String.join("\n", output));
        }
        return result;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
