package io.motdjl.examples.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Counters of this process read from Linux's {@code /proc/self}: minor and major page faults, user
 * and kernel CPU time, resident memory now and at its peak. Elsewhere every counter reads as -1
 * (the benchmarks still time, they just cannot say where the time went).
 *
 * @param minorFaults minor page faults so far (memory the kernel had to hand out again)
 * @param majorFaults major page faults so far
 * @param userSeconds CPU seconds in user mode, all threads
 * @param kernelSeconds CPU seconds in the kernel, all threads
 * @param childSeconds CPU seconds (user and kernel) of child processes that have ended
 * @param residentBytes resident set size now
 * @param peakResidentBytes the largest resident set size so far
 */
public record ProcessStats(
        long minorFaults,
        long majorFaults,
        double userSeconds,
        double kernelSeconds,
        double childSeconds,
        long residentBytes,
        long peakResidentBytes) {

    /** Clock ticks per second of {@code /proc} CPU times (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100.0;

    private static final Path STAT = Path.of("/proc/self/stat");
    private static final Path STATUS = Path.of("/proc/self/status");

    /** The counters now. */
    public static ProcessStats now() {
        long minflt = -1;
        long majflt = -1;
        double utime = -1;
        double stime = -1;
        double children = -1;
        try {
            String stat = Files.readString(STAT, StandardCharsets.US_ASCII);
            // fields after the command name, which is in parentheses and may contain spaces
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state): minflt is field 10, majflt 12, utime 14, stime 15
            minflt = Long.parseLong(f[7]);
            majflt = Long.parseLong(f[9]);
            utime = Long.parseLong(f[11]) / TICKS_PER_SECOND;
            stime = Long.parseLong(f[12]) / TICKS_PER_SECOND;
            // cutime and cstime: children this process has waited for
            children = (Long.parseLong(f[13]) + Long.parseLong(f[14])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            // not Linux: counters stay -1
        }
        long rss = -1;
        long hwm = -1;
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    rss = kilobytes(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kilobytes(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return new ProcessStats(minflt, majflt, utime, stime, children, rss, hwm);
    }

    /** Whether the counters could be read. */
    public boolean available() {
        return minorFaults >= 0;
    }

    /** Counters accumulated between {@code earlier} and this snapshot (memory: this snapshot's). */
    public ProcessStats since(ProcessStats earlier) {
        if (!available() || !earlier.available()) {
            return new ProcessStats(-1, -1, -1, -1, -1, residentBytes, peakResidentBytes);
        }
        return new ProcessStats(
                minorFaults - earlier.minorFaults,
                majorFaults - earlier.majorFaults,
                userSeconds - earlier.userSeconds,
                kernelSeconds - earlier.kernelSeconds,
                childSeconds - earlier.childSeconds,
                residentBytes,
                peakResidentBytes);
    }

    private static long kilobytes(String line) {
        String[] parts = line.trim().split("\\s+");
        return Long.parseLong(parts[1]) * 1024;
    }
}
