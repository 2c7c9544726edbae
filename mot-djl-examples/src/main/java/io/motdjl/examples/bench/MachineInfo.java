package io.motdjl.examples.bench;

import ai.djl.engine.Engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** One line describing the machine and the engine a benchmark ran on. */
public final class MachineInfo {

    private MachineInfo() {}

    /** CPU model, cores, memory, engine version, threads and the malloc settings in force. */
    public static String describe(int threads) {
        String cpu = "unknown CPU";
        try {
            for (String line :
                    Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        long memory = Runtime.getRuntime().maxMemory();
        String memInfo = "";
        try {
            for (String line :
                    Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    memInfo = Table.fmt(", %.0f GiB RAM", kb / 1048576.0);
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            memInfo = "";
        }
        Engine engine = Engine.getInstance();
        StringBuilder malloc = new StringBuilder();
        for (String key :
                new String[] {
                    "MALLOC_ARENA_MAX",
                    "MALLOC_MMAP_THRESHOLD_",
                    "MALLOC_TRIM_THRESHOLD_",
                    "MALLOC_TOP_PAD_",
                    "GLIBC_TUNABLES",
                    "LD_PRELOAD"
                }) {
            String v = System.getenv(key);
            if (v != null) {
                malloc.append(malloc.length() == 0 ? "" : " ").append(key).append('=').append(v);
            }
        }
        return Table.fmt(
                "machine: %s, %d cores%s; engine: %s %s, %d threads; JVM heap max %.0f GiB; malloc: %s",
                cpu,
                Runtime.getRuntime().availableProcessors(),
                memInfo,
                engine.getEngineName(),
                engine.getVersion(),
                threads,
                memory / 1073741824.0,
                malloc.length() == 0 ? "glibc defaults" : malloc);
    }
}
