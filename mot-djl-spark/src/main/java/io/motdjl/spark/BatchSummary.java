package io.motdjl.spark;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What a run did.
 *
 * @param results the rows, in index order
 * @param partitions number of partitions the rows ran in
 * @param seconds wall-clock seconds of the Spark job (without session start)
 * @param modelsLoaded models this JVM holds at the end of the job: one, in local mode, where the
 *     driver (which checks the captions against the model) and the executors are one JVM
 * @param resultsFile the results file written
 */
public record BatchSummary(
        List<CaptionResult> results,
        int partitions,
        double seconds,
        int modelsLoaded,
        Path resultsFile) {

    /** Copies the list. */
    public BatchSummary {
        results = List.copyOf(results);
    }

    /**
     * One line for the end of a run.
     *
     * @return e.g. {@code 20 rows in 3 partitions, 4.1 s, models loaded per JVM: 1; results in
     *     out/results.jsonl}
     */
    public String line() {
        return String.format(
                Locale.ROOT,
                "%d rows in %d partitions, %.1f s, models loaded per JVM: %d; results in %s",
                results.size(),
                partitions,
                seconds,
                modelsLoaded,
                resultsFile);
    }
}
