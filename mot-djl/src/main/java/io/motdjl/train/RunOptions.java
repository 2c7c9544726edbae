package io.motdjl.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.training.listener.TrainingListener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How a {@link TrainingRun} runs, as opposed to what it computes ({@link TrainingSettings}): the
 * device, logging, the progress bar and extra DJL listeners. Not saved in checkpoints; a run may
 * resume with other options.
 */
public final class RunOptions {

    private final Device device;
    private final int logEvery;
    private final boolean progressBar;
    private final List<String> modalityNames;
    private final List<TrainingListener> listeners;

    private RunOptions(Builder b) {
        device = b.device == null ? Engine.getInstance().defaultDevice() : b.device;
        logEvery = b.logEvery;
        progressBar = b.progressBar;
        modalityNames = List.copyOf(b.modalityNames);
        listeners = Collections.unmodifiableList(new ArrayList<>(b.listeners));
    }

    /** Defaults: the engine's default device, a log line every 10 steps, a progress bar. */
    public static RunOptions defaults() {
        return builder().build();
    }

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The device to train on (one device). */
    public Device device() {
        return device;
    }

    /** Steps between SLF4J log lines; 0 for none. */
    public int logEvery() {
        return logEvery;
    }

    /** Whether {@link TrainingRun#train} shows DJL's progress bar. */
    public boolean progressBar() {
        return progressBar;
    }

    /** Names of the modalities for logs (e.g. text, image); missing ones print as m0, m1, ... */
    public List<String> modalityNames() {
        return modalityNames;
    }

    /** Extra DJL listeners, added to the trainer after the run's own log listener. */
    public List<TrainingListener> listeners() {
        return listeners;
    }

    /** Builder for {@link RunOptions}. */
    public static final class Builder {
        private Device device;
        private int logEvery = 10;
        private boolean progressBar = true;
        private List<String> modalityNames = List.of();
        private final List<TrainingListener> listeners = new ArrayList<>();

        private Builder() {}

        /** The device (default: the engine's default device). */
        public Builder device(Device v) {
            device = v;
            return this;
        }

        /** Steps between log lines (default 10; 0 turns step logging off). */
        public Builder logEvery(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("logEvery must be >= 0, got " + v);
            }
            logEvery = v;
            return this;
        }

        /** Whether to show the progress bar (default true). */
        public Builder progressBar(boolean v) {
            progressBar = v;
            return this;
        }

        /** Modality names for logs, in modality-id order. */
        public Builder modalityNames(List<String> v) {
            modalityNames = List.copyOf(v);
            return this;
        }

        /** Adds DJL training listeners (e.g. {@code TrainingListener.Defaults.basic()}). */
        public Builder addListeners(TrainingListener... v) {
            listeners.addAll(List.of(v));
            return this;
        }

        /** Builds the options. */
        public RunOptions build() {
            return new RunOptions(this);
        }
    }
}
