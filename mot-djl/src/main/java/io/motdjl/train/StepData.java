package io.motdjl.train;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListener;

import java.util.Map;

/**
 * The {@link TrainingListener.BatchData} a {@link TrainingRun} hands its listeners after each step:
 * DJL's labels and predictions, plus the step's {@link StepReport}. Listeners that know nothing of
 * MoT see ordinary batch data.
 */
public final class StepData extends TrainingListener.BatchData {

    private final StepReport report;

    /**
     * Creates the batch data of one training step.
     *
     * @param batch the step's batch
     * @param labels its labels by device
     * @param predictions its predictions by device
     * @param report what the step did
     */
    public StepData(
            Batch batch,
            Map<Device, NDList> labels,
            Map<Device, NDList> predictions,
            StepReport report) {
        super(batch, labels, predictions);
        this.report = report;
    }

    /** What the step did. */
    public StepReport report() {
        return report;
    }
}
