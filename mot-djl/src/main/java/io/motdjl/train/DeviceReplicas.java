package io.motdjl.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterServer;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;

import java.util.ArrayList;
import java.util.List;

/**
 * A model's parameters mirrored on the devices of a data-parallel run, in DJL's own {@link
 * ParameterStore} with the engine's parameter server ({@code LocalParameterServer} on PyTorch): the
 * same machinery DJL's {@code Trainer} builds for {@code DefaultTrainingConfig.optDevices}, held
 * here because the run must read every device's gradient before the update (clipping needs the
 * summed gradient, which the trainer forms only inside {@code step()} and whose store it does not
 * expose).
 *
 * <p>The first device holds the model itself: its "replica" is the live parameter array, so
 * checkpoints and evaluation always see the trained weights. The other devices hold copies, made
 * here and freed by {@link #close()}. After each update every device holds the same weights: DJL's
 * server hands every device the same summed gradient, and {@link ResumableAdamW} updates the first
 * device's copy and copies the result to the others.
 */
final class DeviceReplicas implements AutoCloseable {

    private final List<Device> devices;
    private final NDManager manager;
    private final ParameterStore store;
    private final List<Pair<String, Parameter>> trained = new ArrayList<>();

    /**
     * Mirrors {@code block}'s parameters (initialised, on {@code devices.get(0)}) on every device.
     *
     * @throws IllegalArgumentException if DJL's store pairs a copy with the wrong device (DJL 0.36
     *     orders copies by the devices' hash codes; {@code [cpu(), gpu(0)]} is one such list)
     */
    DeviceReplicas(Block block, NDManager modelManager, List<Device> devices, Optimizer optimizer) {
        this.devices = List.copyOf(devices);
        manager = modelManager.newSubManager(devices.get(0));
        manager.setName("replicas");
        try {
            ParameterServer server = manager.getEngine().newParameterServer(optimizer);
            store = new ParameterStore(manager, false);
            store.setParameterServer(server, devices.toArray(new Device[0]));
            for (Pair<String, Parameter> p : block.getParameters()) {
                mirror(p.getKey(), p.getValue());
                if (p.getValue().requiresGradient()) {
                    trained.add(p);
                }
            }
            defineGradients();
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Makes the copies (the first device first, as DJL's store needs) and checks their devices. */
    private void mirror(String name, Parameter parameter) {
        NDArray live = parameter.getArray();
        if (!live.getDevice().equals(devices.get(0))) {
            throw new IllegalArgumentException(
                    "parameter "
                            + name
                            + " lives on "
                            + live.getDevice()
                            + ", not on the first"
                            + " device "
                            + devices.get(0));
        }
        for (Device device : devices) {
            NDArray copy = store.getValue(parameter, device, true);
            boolean rightPlace =
                    device.equals(devices.get(0)) ? copy == live : copy.getDevice().equals(device);
            if (!rightPlace) {
                throw new IllegalArgumentException(
                        "DJL's parameter store paired the copy of "
                                + name
                                + " for "
                                + device
                                + " with an array on "
                                + copy.getDevice()
                                + ": DJL 0.36 orders the copies by the devices' hash codes, which"
                                + " for the devices "
                                + devices
                                + " differs from the order given; list them in another order"
                                + " (e.g. GPUs first, by increasing id)");
            }
        }
    }

    /**
     * Gives every copy on the other devices a zero gradient: libtorch makes a gradient only in a
     * backward pass, and a device that gets no rows in a step (a batch with fewer rows than
     * devices) must still hand DJL's server a gradient to add.
     */
    private void defineGradients() {
        if (devices.size() == 1 || trained.isEmpty()) {
            return;
        }
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            for (Device device : devices.subList(1, devices.size())) {
                // results land in the manager of their inputs: attached here, freed on close
                try (NDManager scratch = manager.newSubManager(device)) {
                    NDList copies = new NDList();
                    for (Pair<String, Parameter> p : trained) {
                        copies.add(store.getValue(p.getValue(), device, true));
                    }
                    scratch.tempAttachAll(copies);
                    NDArray zero = scratch.zeros(new Shape(), copies.head().getDataType());
                    NDList terms = new NDList(copies.size());
                    for (NDArray copy : copies) {
                        terms.add(copy.sum().mul(zero));
                    }
                    collector.backward(NDArrays.add(terms.toArray(new NDArray[0])));
                }
            }
        }
    }

    /** The store a training forward pass reads its parameters from. */
    ParameterStore store() {
        return store;
    }

    /** The devices, the model's first. */
    List<Device> devices() {
        return devices;
    }

    /**
     * Every trained parameter's gradient on every device (the first device's first), as new handles
     * on the live gradients, attached to {@code scratch} so that closing it frees the handles.
     */
    List<List<NDArray>> gradients(NDManager scratch) {
        List<List<NDArray>> gradients = new ArrayList<>(trained.size());
        for (Pair<String, Parameter> p : trained) {
            List<NDArray> perDevice = new ArrayList<>(devices.size());
            for (Device device : devices) {
                NDArray gradient = store.getValue(p.getValue(), device, true).getGradient();
                gradient.attach(scratch);
                perDevice.add(gradient);
            }
            gradients.add(perDevice);
        }
        return gradients;
    }

    /**
     * Applies one optimizer step through DJL's parameter server: each parameter's gradients are
     * summed on the first device and every device's copy is updated with the sum.
     */
    void update() {
        store.updateAllParameters();
    }

    /** Frees the copies on the other devices (the first device's arrays are the model's). */
    @Override
    public void close() {
        manager.close();
    }
}
