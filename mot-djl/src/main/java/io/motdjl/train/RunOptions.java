package io.motdjl.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.training.listener.TrainingListener;

import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTModel;
import io.motdjl.objective.NextTokenObjective;
import io.motdjl.objective.Objective;
import io.motdjl.objective.WithAuxiliaryLosses;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * How a {@link TrainingRun} runs, as opposed to what it computes ({@link TrainingSettings}): the
 * devices, logging, the progress bar and extra DJL listeners. Not saved in checkpoints; a run may
 * resume with other options (on other devices, too).
 */
public final class RunOptions {

    private final List<Device> devices;
    private final int blocksPerDevice;
    private final int logEvery;
    private final boolean progressBar;
    private final List<String> modalityNames;
    private final List<TrainingListener> listeners;
    private final Function<MoTConfig, Objective> objective;
    private final Function<MoTConfig, MoTModel> model;

    private RunOptions(Builder b) {
        objective = b.objective;
        model = b.model;
        devices = b.devices == null ? List.of(Engine.getInstance().defaultDevice()) : b.devices;
        blocksPerDevice = b.blocksPerDevice;
        logEvery = b.logEvery;
        progressBar = b.progressBar;
        modalityNames = List.copyOf(b.modalityNames);
        listeners = Collections.unmodifiableList(new ArrayList<>(b.listeners));
    }

    /** Defaults: the engine's default device, a log line every 10 steps, a progress bar. */
    public static RunOptions defaults() {
        return builder().build();
    }

    /**
     * The default objective: next-token cross-entropy, plus, when the config has a mixture of
     * experts, its auxiliary losses at {@link WithAuxiliaryLosses#MOE_DEFAULT_WEIGHTS} (Switch's
     * load balancing at 0.01, ST-MoE's router z-loss at 0.001).
     */
    public static Objective defaultObjective(MoTConfig config) {
        return WithAuxiliaryLosses.forModel(new NextTokenObjective(config.nModalities()), config);
    }

    /** The objective for a model of {@code config} (default: {@link #defaultObjective}). */
    public Objective objective(MoTConfig config) {
        Objective o = objective.apply(config);
        if (o.numModalities() != config.nModalities()) {
            throw new IllegalArgumentException(
                    "the objective "
                            + o
                            + " reports "
                            + o.numModalities()
                            + " modalities but the model has "
                            + config.nModalities());
        }
        o.requireFits(config);
        return o;
    }

    /**
     * Builds the (uninitialised) model for {@code config} (default: {@code new MoTModel(config)}).
     */
    public MoTModel model(MoTConfig config) {
        MoTModel m = model.apply(config);
        if (!m.config().equals(config)) {
            throw new IllegalArgumentException(
                    "the model builder returned a model of another config");
        }
        return m;
    }

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The device the model lives on: the first of {@link #devices()}. */
    public Device device() {
        return devices.get(0);
    }

    /**
     * The devices to train on: the model on the first, a copy on each other one, each step's batch
     * split between them (see {@link TrainingRun}).
     */
    public List<Device> devices() {
        return devices;
    }

    /** How many blocks each device's rows are cut into (1; more only in tests of the split). */
    int blocksPerDevice() {
        return blocksPerDevice;
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
        private List<Device> devices;
        private int blocksPerDevice = 1;
        private int logEvery = 10;
        private boolean progressBar = true;
        private List<String> modalityNames = List.of();
        private final List<TrainingListener> listeners = new ArrayList<>();
        private Function<MoTConfig, Objective> objective = RunOptions::defaultObjective;
        private Function<MoTConfig, MoTModel> model = MoTModel::new;

        private Builder() {}

        /** One device to train on (default: the engine's default device). */
        public Builder device(Device v) {
            return devices(java.util.Objects.requireNonNull(v, "device"));
        }

        /**
         * The devices to train on, data-parallel: the model lives on the first; each step's batch
         * is split into one block of rows per device and their gradients are summed by DJL's
         * parameter server. Distinct devices, at most one CPU (DJL treats every CPU device as the
         * same one), no {@code MultiDevice}.
         *
         * @throws IllegalArgumentException if the list is empty or breaks those rules
         */
        public Builder devices(Device... v) {
            List<Device> list = List.of(v);
            if (list.isEmpty()) {
                throw new IllegalArgumentException("at least one device is needed");
            }
            Set<Device> seen = new HashSet<>();
            for (Device d : list) {
                if (d instanceof Device.MultiDevice) {
                    throw new IllegalArgumentException(
                            "list the devices of "
                                    + d
                                    + " one by one; DJL's parameter store does"
                                    + " not take a MultiDevice");
                }
                if (!seen.add(d)) {
                    throw new IllegalArgumentException(
                            "device "
                                    + d
                                    + " is listed twice in "
                                    + list
                                    + " (DJL treats every CPU device as one)");
                }
            }
            devices = list;
            return this;
        }

        /** Cuts each device's rows into this many blocks: a test hook for the split itself. */
        Builder blocksPerDevice(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("blocksPerDevice must be >= 1, got " + v);
            }
            blocksPerDevice = v;
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

        /**
         * What to minimise, made for the run's config (default: {@link #defaultObjective}); a
         * resumed run must be given the same.
         */
        public Builder objective(Function<MoTConfig, Objective> v) {
            objective = java.util.Objects.requireNonNull(v, "objective");
            return this;
        }

        /**
         * How to build the model from the run's config, for adapters, heads or feed-forward blocks
         * other than the defaults ({@link MoTModel#builder}); a resumed run must be given the same.
         * It may also return a model that is already trained (a checkpoint's, {@code
         * ReferenceCheckpoint.load}, or a zoo model's block): its weights are kept, so the run
         * fine-tunes it. Its config must be the run's.
         */
        public Builder model(Function<MoTConfig, MoTModel> v) {
            model = java.util.Objects.requireNonNull(v, "model");
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
