package io.motdjl.train;

import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;

import io.motdjl.objective.ModalityLosses;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A DJL training listener that logs, every N steps through SLF4J, the training loss per modality
 * over those N steps (weighted by token count), the learning rate, the pre-clip gradient norm, and
 * the tokens and analytic training FLOPs so far. It reads the {@link StepReport} that a {@link
 * TrainingRun} attaches to each step ({@link StepData}) and ignores other batches.
 */
public final class TrainingLogListener extends TrainingListenerAdapter {

    private static final Logger logger = LoggerFactory.getLogger(TrainingLogListener.class);

    private final int every;
    private final List<String> modalityNames;
    private ModalityLosses window;
    private double maxGradNorm;
    private int clippedSteps;
    private int stepsInWindow;
    private long nanosInWindow;
    private long tokensInWindow;
    private final Map<String, Double> auxiliarySums = new LinkedHashMap<>();
    private final Map<String, double[]> statisticSums = new LinkedHashMap<>();

    /**
     * Creates a listener that logs every {@code every} steps.
     *
     * @param every steps between log lines (positive)
     * @param modalityNames names for the modalities, in id order (may be shorter than M)
     */
    public TrainingLogListener(int every, List<String> modalityNames) {
        if (every < 1) {
            throw new IllegalArgumentException("every must be positive, got " + every);
        }
        this.every = every;
        this.modalityNames = List.copyOf(modalityNames);
    }

    /** {@inheritDoc} */
    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        if (!(batchData instanceof StepData stepData)) {
            return;
        }
        StepReport r = stepData.report();
        add(r);
        if (r.step() % every == 0) {
            if (logger.isInfoEnabled()) {
                logger.info(line(r));
            }
            reset();
        }
    }

    /** Adds a step to the window. */
    void add(StepReport r) {
        window = window == null ? r.losses() : window.plus(r.losses());
        maxGradNorm = Math.max(maxGradNorm, r.gradNorm());
        clippedSteps += r.clipped() ? 1 : 0;
        stepsInWindow++;
        nanosInWindow += r.nanos();
        tokensInWindow += r.tokens();
        r.auxiliaryLosses()
                .forEach((name, v) -> auxiliarySums.merge(name, (double) v, Double::sum));
        r.statistics()
                .forEach(
                        (name, v) -> {
                            double[] sum =
                                    statisticSums.computeIfAbsent(name, k -> new double[v.length]);
                            for (int i = 0; i < Math.min(sum.length, v.length); i++) {
                                sum[i] += v[i];
                            }
                        });
    }

    /** The log line of the window that ends with {@code r}. */
    String line(StepReport r) {
        double seconds = nanosInWindow / 1e9;
        return String.format(
                        Locale.ROOT,
                        "step %d (epoch %d): train loss %s | lr %.3e | grad norm %.4f (max %.4f over %d"
                                + " steps, %d clipped) | %.0f tokens/s | %,d tokens, %.4g training FLOPs",
                        r.step(),
                        r.epoch(),
                        window.format(modalityNames),
                        r.learningRate(),
                        r.gradNorm(),
                        maxGradNorm,
                        stepsInWindow,
                        clippedSteps,
                        seconds > 0 ? tokensInWindow / seconds : 0.0,
                        r.totalTokens(),
                        r.totalTrainingFlops())
                + blockFigures();
    }

    /**
     * The window's auxiliary losses (mean over layers and steps, by kind) and statistics (mean over
     * steps; a mixture's share of rows per expert and dropped rows, per layer and tower), or "".
     */
    private String blockFigures() {
        StringBuilder sb = new StringBuilder();
        Map<String, double[]> byKind = new LinkedHashMap<>();
        auxiliarySums.forEach(
                (name, sum) -> {
                    double[] acc =
                            byKind.computeIfAbsent(
                                    name.substring(name.lastIndexOf('.') + 1), k -> new double[2]);
                    acc[0] += sum;
                    acc[1] += stepsInWindow;
                });
        if (!byKind.isEmpty()) {
            sb.append(" | aux");
            byKind.forEach(
                    (kind, acc) ->
                            sb.append(
                                    String.format(Locale.ROOT, " %s %.4f", kind, acc[0] / acc[1])));
        }
        String where = null;
        for (Map.Entry<String, double[]> e : statisticSums.entrySet()) {
            String name = e.getKey();
            String place = name.substring(0, Math.max(0, name.lastIndexOf('.')));
            String what = name.substring(name.lastIndexOf('.') + 1);
            if (!place.equals(where)) {
                sb.append(where == null ? " | experts" : ";").append(' ').append(shortPlace(place));
                where = place;
            }
            double[] mean = e.getValue();
            if ("expert_share".equals(what)) {
                sb.append(" share");
                for (int i = 0; i < mean.length; i++) {
                    sb.append(i == 0 ? " " : "/")
                            .append(
                                    String.format(
                                            Locale.ROOT, "%.0f", 100 * mean[i] / stepsInWindow));
                }
                sb.append('%');
            } else {
                sb.append(' ').append(what);
                for (double v : mean) {
                    sb.append(String.format(Locale.ROOT, " %.3g", v / stepsInWindow));
                }
            }
        }
        return sb.toString();
    }

    /** {@code layers.3.feed_forward.0} as {@code L3/ffn0}. */
    private static String shortPlace(String place) {
        String[] parts = place.split("\\.");
        if (parts.length == 4 && "layers".equals(parts[0]) && "feed_forward".equals(parts[2])) {
            return "L" + parts[1] + "/ffn" + parts[3];
        }
        return place;
    }

    private void reset() {
        window = null;
        maxGradNorm = 0;
        clippedSteps = 0;
        stepsInWindow = 0;
        nanosInWindow = 0;
        tokensInWindow = 0;
        auxiliarySums.clear();
        statisticSums.clear();
    }
}
