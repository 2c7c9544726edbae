package io.motdjl.examples.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the rest of the machine was while a benchmark ran: CPU time used by every other process
 * (the machine's busy time from {@code /proc/stat} minus this process's own and that of its
 * finished children, such as the PyTorch anchor), per second of wall time, in cores. Timings taken
 * while another program computes are not worth reporting on a two-core machine; the benchmarks
 * print this figure so that a reader can tell.
 */
public final class MachineLoad {

    private static final double TICKS_PER_SECOND = 100.0;

    private final long startBusyTicks;
    private final ProcessStats startSelf;
    private final long startNanos;

    private MachineLoad(long busy, ProcessStats self, long nanos) {
        this.startBusyTicks = busy;
        this.startSelf = self;
        this.startNanos = nanos;
    }

    /** Starts measuring. */
    public static MachineLoad start() {
        return new MachineLoad(busyTicks(), ProcessStats.now(), System.nanoTime());
    }

    /**
     * Cores' worth of CPU used by other processes since {@link #start}, or NaN where {@code /proc}
     * cannot be read.
     */
    public double foreignCores() {
        long busy = busyTicks();
        ProcessStats self = ProcessStats.now().since(startSelf);
        double wall = (System.nanoTime() - startNanos) / 1e9;
        if (busy < 0 || startBusyTicks < 0 || !self.available() || wall <= 0) {
            return Double.NaN;
        }
        double machine = (busy - startBusyTicks) / TICKS_PER_SECOND;
        double own = self.userSeconds() + self.kernelSeconds() + self.childSeconds();
        return Math.max(0, (machine - own) / wall);
    }

    /**
     * Waits until other processes use less than {@code threshold} cores over a few seconds, for at
     * most {@code maxSeconds}.
     *
     * @return the last measured foreign load (below the threshold unless the wait timed out)
     * @throws InterruptedException if interrupted
     */
    public static double waitForQuiet(double threshold, long maxSeconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
        while (true) {
            MachineLoad probe = start();
            Thread.sleep(3000);
            double foreign = probe.foreignCores();
            if (!(foreign >= threshold) || System.nanoTime() > deadline) {
                return foreign;
            }
        }
    }

    /** Busy ticks of all CPUs: everything in the {@code cpu} line but idle and iowait. */
    private static long busyTicks() {
        try {
            for (String line :
                    Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long busy = 0;
                    // user nice system idle iowait irq softirq steal (guest time is inside user)
                    for (int i = 1; i <= 8 && i < f.length; i++) {
                        if (i != 4 && i != 5) {
                            busy += Long.parseLong(f[i]);
                        }
                    }
                    return busy;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
