package io.motdjl.examples.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Resident memory and live NDArrays sampled along a long run (training steps or generate calls),
 * and what they say about a leak: the samples at the end of the warm-up, in the middle and at the
 * end of the run, the drift of resident memory after the warm-up, and whether the array count
 * moved.
 *
 * <p>Resident memory grows while the JVM's heap and the allocators settle, so its drift is measured
 * from the first sample at or after the warm-up; a run without a leak stays within a few per cent
 * of that sample. The array count has no warm-up: it is the same at every sample when nothing
 * leaks.
 */
public final class MemoryTrace {

    /**
     * One sample.
     *
     * @param done steps or calls done when it was taken
     * @param residentBytes resident set size
     * @param liveArrays live NDArrays
     */
    public record Sample(long done, long residentBytes, int liveArrays) {}

    private final String unit;
    private final long warmup;
    private final List<Sample> samples = new ArrayList<>();

    /**
     * An empty trace.
     *
     * @param unit what {@code done} counts, e.g. "step" or "call" (for the notes)
     * @param warmup steps or calls of the warm-up; drift is measured from the first sample at or
     *     after it
     */
    public MemoryTrace(String unit, long warmup) {
        if (warmup < 0) {
            throw new IllegalArgumentException("warm-up must be >= 0, got " + warmup);
        }
        this.unit = unit;
        this.warmup = warmup;
    }

    /** Adds a sample; {@code done} must grow from one sample to the next. */
    public MemoryTrace add(long done, long residentBytes, int liveArrays) {
        if (!samples.isEmpty() && done <= samples.get(samples.size() - 1).done()) {
            throw new IllegalArgumentException(
                    "samples must come in order: "
                            + done
                            + " after "
                            + samples.get(samples.size() - 1).done());
        }
        samples.add(new Sample(done, residentBytes, liveArrays));
        return this;
    }

    /** The samples so far. */
    public List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** The first sample at or after the warm-up (the last sample if the run was shorter). */
    public Sample afterWarmup() {
        requireSamples();
        for (Sample s : samples) {
            if (s.done() >= warmup) {
                return s;
            }
        }
        return samples.get(samples.size() - 1);
    }

    /** The sample halfway between the end of the warm-up and the end of the run. */
    public Sample middle() {
        List<Sample> after = afterWarmupSamples();
        return after.get((after.size() - 1) / 2);
    }

    /** The last sample. */
    public Sample last() {
        requireSamples();
        return samples.get(samples.size() - 1);
    }

    /** Resident memory at the end against the end of the warm-up, in per cent. */
    public double driftPercent() {
        return percent(last().residentBytes(), afterWarmup().residentBytes());
    }

    /**
     * The largest distance of resident memory from its value at the end of the warm-up, over every
     * sample from there on, in per cent (up or down).
     */
    public double largestDeviationPercent() {
        long reference = afterWarmup().residentBytes();
        double largest = 0;
        for (Sample s : afterWarmupSamples()) {
            double d = percent(s.residentBytes(), reference);
            if (Math.abs(d) > Math.abs(largest)) {
                largest = d;
            }
        }
        return largest;
    }

    /** Whether every sample counted the same live arrays. */
    public boolean arraysConstant() {
        requireSamples();
        int first = samples.get(0).liveArrays();
        return samples.stream().allMatch(s -> s.liveArrays() == first);
    }

    /** Notes for a table: the three checkpoints, the drift and the array counts. */
    public List<String> notes() {
        Sample w = afterWarmup();
        Sample m = middle();
        Sample e = last();
        int fewest = samples.stream().mapToInt(Sample::liveArrays).min().orElseThrow();
        int most = samples.stream().mapToInt(Sample::liveArrays).max().orElseThrow();
        return List.of(
                Table.fmt(
                        "RSS after warm-up (%s %d): %.0f MiB; middle (%s %d): %.0f MiB; end (%s"
                                + " %d): %.0f MiB",
                        unit,
                        w.done(),
                        mib(w.residentBytes()),
                        unit,
                        m.done(),
                        mib(m.residentBytes()),
                        unit,
                        e.done(),
                        mib(e.residentBytes())),
                Table.fmt(
                        "drift from the end of the warm-up: %+.1f %% at the end, largest %+.1f %%;"
                                + " live NDArrays %s",
                        driftPercent(),
                        largestDeviationPercent(),
                        arraysConstant()
                                ? "constant at " + fewest
                                : "between " + fewest + " and " + most + " -- NOT CONSTANT"));
    }

    private List<Sample> afterWarmupSamples() {
        Sample start = afterWarmup();
        return samples.subList(samples.indexOf(start), samples.size());
    }

    private void requireSamples() {
        if (samples.isEmpty()) {
            throw new IllegalStateException("no samples yet");
        }
    }

    private static double percent(long value, long reference) {
        return 100.0 * (value - reference) / reference;
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }
}
