package io.motdjl.train;

import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;

import io.motdjl.objective.ModalityLosses;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;

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
        window = window == null ? r.losses() : window.plus(r.losses());
        maxGradNorm = Math.max(maxGradNorm, r.gradNorm());
        clippedSteps += r.clipped() ? 1 : 0;
        stepsInWindow++;
        nanosInWindow += r.nanos();
        tokensInWindow += r.tokens();
        if (r.step() % every == 0) {
            if (logger.isInfoEnabled()) {
                logger.info(line(r));
            }
            reset();
        }
    }

    private String line(StepReport r) {
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
                r.totalTrainingFlops());
    }

    private void reset() {
        window = null;
        maxGradNorm = 0;
        clippedSteps = 0;
        stepsInWindow = 0;
        nanosInWindow = 0;
        tokensInWindow = 0;
    }
}
