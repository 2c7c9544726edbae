package io.motdjl.examples.compare;

import ai.djl.training.dataset.Dataset;
import ai.djl.translate.TranslateException;

import com.google.gson.JsonPrimitive;

import io.motdjl.config.MoTConfig;
import io.motdjl.train.FlopsAccounting;
import io.motdjl.train.RunOptions;
import io.motdjl.train.TrainingRun;
import io.motdjl.train.TrainingSettings;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Trains one model of a comparison and records its held-out curve: the held-out sets are scored at
 * fixed step intervals and at the end, each point with the run's training FLOPs and its training
 * time so far (the scoring's own time taken off); the step times and any expert statistics are
 * collected on the way. Shared by the Chameleon and Transfusion comparisons.
 */
public final class CurveTraining {

    private static final Logger logger = LoggerFactory.getLogger(CurveTraining.class);

    /** Scores a run on the held-out sets, one loss per set (NaN where a set has none). */
    interface Scorer {
        double[] score(TrainingRun run) throws IOException, TranslateException;

        /** The losses as a log line. */
        String describe(double[] losses);
    }

    /** Something to do with a trained model before its run is closed (e.g. draw samples). */
    interface AfterTraining {
        void accept(Architecture architecture, TrainingRun run) throws IOException;
    }

    private CurveTraining() {}

    /**
     * One trained model: its config, FLOPs accounting, training time with the held-out evaluations
     * taken off, median step time and expert utilisation (empty without mixtures).
     */
    public record Trained(
            Architecture architecture,
            MoTConfig config,
            FlopsAccounting flops,
            double seconds,
            double medianStepSeconds,
            ExpertUtilisation utilisation) {}

    /**
     * Trains {@code config} to the end of {@code settings}, scoring every {@code evaluateEvery}
     * steps and at the last step, then hands the run to {@code afterTraining} (may be null; its
     * time is not counted as training).
     */
    static Trained train(
            Architecture architecture,
            MoTConfig config,
            TrainingSettings settings,
            Dataset data,
            RunOptions options,
            int evaluateEvery,
            Scorer scorer,
            LossCurve curve,
            AfterTraining afterTraining)
            throws IOException, TranslateException {
        String name = architecture.label();
        long start = System.nanoTime();
        // time spent scoring held-out sets, taken off the run's time
        double[] evaluating = {0};
        logger.info(
                "training {} ({} parameters)", name, FlopsAccounting.of(config).totalParameters());
        ExpertUtilisation utilisation = new ExpertUtilisation();
        List<Double> stepSeconds = new ArrayList<>();
        try (TrainingRun run = TrainingRun.start(config, settings, data, options)) {
            run.every(
                    1,
                    (r, report) -> {
                        utilisation.add(report);
                        stepSeconds.add(report.nanos() / 1e9);
                    });
            run.every(
                    evaluateEvery,
                    (r, report) ->
                            evaluating[0] +=
                                    record(name, curve, r, seconds(start, evaluating), scorer));
            run.trainToEnd();
            if (curve.points().isEmpty() || curve.last().step() != run.step()) {
                evaluating[0] += record(name, curve, run, seconds(start, evaluating), scorer);
            }
            if (afterTraining != null) {
                long hook = System.nanoTime();
                afterTraining.accept(architecture, run);
                evaluating[0] += (System.nanoTime() - hook) / 1e9;
            }
        }
        return new Trained(
                architecture,
                config,
                FlopsAccounting.of(config),
                seconds(start, evaluating),
                median(stepSeconds),
                utilisation);
    }

    private static double seconds(long start, double[] evaluating) {
        return (System.nanoTime() - start) / 1e9 - evaluating[0];
    }

    /**
     * Scores the held-out sets, adds a point to the curve at the run's step with its FLOPs and
     * training seconds so far; returns the seconds the scoring took.
     */
    private static double record(
            String name, LossCurve curve, TrainingRun run, double trainingSeconds, Scorer scorer)
            throws IOException, TranslateException {
        long start = System.nanoTime();
        double[] losses = scorer.score(run);
        curve.add(run.step(), run.totalTrainingFlops(), trainingSeconds, losses);
        logger.info(
                "{} step {}: held-out {} at {} training FLOPs",
                name,
                run.step(),
                scorer.describe(losses),
                String.format(java.util.Locale.ROOT, "%.3e", run.totalTrainingFlops()));
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** A trained model's facts under {@code architectures} in results.json. */
    static void describe(ComparisonReport report, Trained t, int maxSeqLen) {
        String name = t.architecture().label();
        report.detail(name, "description", new JsonPrimitive(t.architecture().description()))
                .detail(name, "parameters", new JsonPrimitive(t.flops().totalParameters()))
                .detail(
                        name,
                        "active_non_embedding_parameters_per_token",
                        new JsonPrimitive(t.flops().activeNonEmbeddingParameters()))
                .detail(
                        name,
                        "training_flops_per_token_at_max_len",
                        new JsonPrimitive(t.flops().trainingFlopsPerToken(maxSeqLen)))
                .detail(name, "training_seconds", new JsonPrimitive(t.seconds()))
                .detail(name, "median_step_seconds", new JsonPrimitive(t.medianStepSeconds()));
        if (!t.utilisation().isEmpty()) {
            report.detail(name, "expert_utilisation", t.utilisation().toJson());
        }
    }
}
