package io.motdjl.train;

import ai.djl.translate.TranslateException;

import java.io.IOException;

/**
 * Code run after a training step, e.g. to evaluate held-out loss or save a checkpoint every K steps
 * (see {@link TrainingRun#every}). It may use the run (evaluate, save) but not train it.
 */
@FunctionalInterface
public interface StepCallback {

    /**
     * Called after the step's update.
     *
     * @param run the run, at step {@code report.step()}
     * @param report what the step did
     * @throws IOException if reading data or writing files fails
     * @throws TranslateException if a dataset fails to produce a batch
     */
    void afterStep(TrainingRun run, StepReport report) throws IOException, TranslateException;
}
