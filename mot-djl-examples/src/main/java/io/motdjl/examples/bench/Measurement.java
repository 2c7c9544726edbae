package io.motdjl.examples.bench;

import java.util.ArrayList;
import java.util.List;

/** Timed steps of one benchmarked model: wall seconds and page faults and CPU time per step. */
public final class Measurement {

    private final String label;
    private final List<Double> seconds = new ArrayList<>();
    private long minorFaults;
    private double userSeconds;
    private double kernelSeconds;

    /** An empty measurement called {@code label}. */
    public Measurement(String label) {
        this.label = label;
    }

    /** Runs {@code step} once and records it. */
    public void time(Runnable step) {
        ProcessStats before = ProcessStats.now();
        long start = System.nanoTime();
        step.run();
        double wall = (System.nanoTime() - start) / 1e9;
        ProcessStats used = ProcessStats.now().since(before);
        seconds.add(wall);
        minorFaults += Math.max(0, used.minorFaults());
        userSeconds += Math.max(0, used.userSeconds());
        kernelSeconds += Math.max(0, used.kernelSeconds());
    }

    /** Records a step timed elsewhere (no fault counts). */
    public void add(double wallSeconds) {
        seconds.add(wallSeconds);
    }

    public String label() {
        return label;
    }

    public int steps() {
        return seconds.size();
    }

    public List<Double> seconds() {
        return List.copyOf(seconds);
    }

    public double median() {
        return Stats.median(seconds);
    }

    /** Minor page faults per step. */
    public double faultsPerStep() {
        return seconds.isEmpty() ? Double.NaN : (double) minorFaults / seconds.size();
    }

    /** Share of the process's CPU time spent in the kernel. */
    public double kernelShare() {
        double total = userSeconds + kernelSeconds;
        return total > 0 ? kernelSeconds / total : Double.NaN;
    }
}
