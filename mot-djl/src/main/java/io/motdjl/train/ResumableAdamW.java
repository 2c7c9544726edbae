package io.motdjl.train;

import ai.djl.Device;
import ai.djl.TrainingDivergedException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.training.tracker.Tracker;

import io.motdjl.io.CheckpointException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * AdamW, Adam with decoupled weight decay (Loshchilov &amp; Hutter, "Decoupled Weight Decay
 * Regularization", ICLR 2019): the update of {@code torch.optim.AdamW} without amsgrad, as a DJL
 * {@link Optimizer} whose whole state saves and loads for an exact resume.
 *
 * <p><b>Why not DJL's.</b> DJL 0.36 has {@link ai.djl.training.optimizer.AdamW} ({@code
 * Optimizer.adamW()}), but (1) it decays every parameter, norm scales and other 1-D parameters
 * included, which this project's recipe does not; and (2) its moments and update counts are
 * private, so they cannot be saved, and a resumed run would not continue as the uninterrupted one
 * does. (Its native update also adds ε before the bias correction rather than after, and works out
 * {@code 1 − β} in float32.)
 *
 * <p><b>The update.</b> For a parameter updated for the {@code t}-th time, with gradient {@code g}
 * (after the builder's rescaling and clipping, if set: off by default), learning rate {@code lr}
 * from the tracker at the optimizer step, weight decay {@code λ} ({@link
 * OptimizerBuilder#optWeightDecays}) and {@code c1 = 1 − β1^t}, {@code c2 = 1 − β2^t}:
 *
 * <pre>
 *   w ← w · (1 − lr·λ)                       only for parameters the {@link DecayFilter} selects
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   w ← w − (lr / c1) · m / (sqrt(v) / sqrt(c2) + ε)
 * </pre>
 *
 * <p>The decay shrinks the weight itself rather than adding {@code λ·w} to the gradient, so it
 * never passes through the moments (that is what decoupled means); {@code c1} and {@code c2}
 * correct the moments' bias towards their zero start. By default only matrices decay (embeddings,
 * head, projections); norm scales and other 1-D parameters do not ({@link
 * DecayFilter#MATRICES_ONLY}). A parameter whose gradient is zero still moves by its moments from
 * earlier updates; while its moments are zero (a zero gradient from its first update on) only the
 * decay changes it, and a 1-D parameter not at all. After updating a weight its gradient is set to
 * zero, as DJL's built-in PyTorch optimizers do (DJL's gradient collector never zeroes gradients
 * itself).
 *
 * <p><b>In place.</b> Per parameter and update: 13 elementwise native operations (12 without decay)
 * plus the gradient reset. The moments and the weight are updated in place; the only temporaries
 * are {@code g²}, the denominator and the step (at most two alive at a time), closed before {@code
 * update} returns, and the caller's gradient is only read. The moments are computed as {@code m ←
 * (m·β1/(1 − β1) + g)·(1 − β1)} and the step as {@code (lr·sqrt(c2)/c1)·m / (sqrt(v) +
 * ε·sqrt(c2))}: the formula above up to float rounding. The update runs outside a gradient
 * collector, where DJL's parameter server calls it, so none of this is recorded for backward.
 *
 * <p><b>State.</b> The first and second moments and the update count of each parameter live in a
 * manager of its own; {@link #close()} frees it. {@link #saveState} writes them in DJL's array
 * encoding, keyed by parameter name, and {@link #loadState} reads them back bit for bit into a
 * fresh model, so a run resumed from a checkpoint continues exactly as if it had not stopped. The
 * optimizer step used for the learning rate is the largest per-parameter update count, as in DJL.
 *
 * <p><b>Several devices.</b> DJL's data-parallel parameter server ({@code LocalParameterServer})
 * calls {@link #update} once per device per step, each time with the same summed gradient, the
 * first device's copy first. The state of a parameter lives on its <em>home</em> device, the device
 * of its first update (of {@link #loadState}'s {@code device} after a load): only an update there
 * advances the moments and the update count; an update of a copy on another device copies the home
 * copy's new weights into it and zeroes its gradient. So the step count, the learning rate and the
 * bias corrections advance once per step whatever the number of devices, every copy holds the same
 * weights bit for bit, and the moments are stored once. A copy updated before its home copy in a
 * step is refused.
 */
public final class ResumableAdamW extends Optimizer implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(ResumableAdamW.class);
    private static final String STATE_FORMAT = "mot-djl/adamw-state";
    private static final int STATE_VERSION = 1;

    private final ParameterTracker learningRateTracker;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final DecayFilter decayFilter;
    private final boolean zeroGradients;
    // where a weight lives: its device; a test tells two CPU arrays apart by identity instead
    private final Function<NDArray, Object> placeOf;
    private final Map<String, Moments> state = new ConcurrentHashMap<>();
    private NDManager stateManager;
    private int step;

    /** Which parameters get weight decay, from their id and shape. */
    @FunctionalInterface
    public interface DecayFilter {

        /** Decay matrices only: no decay for norm scales, biases or other 1-D parameters. */
        DecayFilter MATRICES_ONLY = (id, shape) -> shape.dimension() >= 2;

        /** Decay every parameter. */
        DecayFilter ALL = (id, shape) -> true;

        /** Whether the parameter with this id and shape decays. */
        boolean decays(String parameterId, Shape shape);
    }

    /** One parameter's moments and update count, on its home device, and its copies' syncs. */
    private static final class Moments {
        private final NDArray mean;
        private final NDArray variance;
        private final Object home;
        private final Map<Object, Integer> copiesSynced = new ConcurrentHashMap<>();
        private int updates;
        private NDArray homeWeight;

        private Moments(NDArray mean, NDArray variance, Object home, int updates) {
            this.mean = mean;
            this.variance = variance;
            this.home = home;
            this.updates = updates;
        }
    }

    private ResumableAdamW(Builder b) {
        super(b);
        learningRateTracker = b.learningRateTracker;
        beta1 = b.beta1;
        beta2 = b.beta2;
        epsilon = b.epsilon;
        decayFilter = b.decayFilter;
        zeroGradients = b.zeroGradients;
        placeOf = b.placeOf;
    }

    /** Starts a builder (defaults: lr 1e-3, β 0.9/0.999, ε 1e-8, weight decay 0.01). */
    public static Builder builder() {
        return new Builder();
    }

    /** {@inheritDoc} */
    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        Moments s = moments(parameterId, weight);
        if (!placeOf.apply(weight).equals(s.home)) {
            syncCopy(parameterId, s, weight);
            return;
        }
        s.homeWeight = weight;
        s.updates++;
        step = Math.max(step, s.updates);
        double lr = learningRateTracker.getNewValue(parameterId, step);
        if (!Double.isFinite(lr) || lr < 0) {
            throw new TrainingDivergedException("the learning rate at step " + step + " is " + lr);
        }
        double decay = decayFilter.decays(parameterId, weight.getShape()) ? getWeightDecay() : 0;
        double biasCorrection1 = 1.0 - Math.pow(beta1, s.updates);
        double sqrtBiasCorrection2 = Math.sqrt(1.0 - Math.pow(beta2, s.updates));
        // Grad mode is off outside a GradientCollector, so these in-place ops record nothing and
        // the Java-backed scalars DJL makes for a Number (freed right after each call) are safe.
        // Every temporary is closed here; the caller's gradient is only read.
        NDArray g = rescaledAndClipped(grad);
        try {
            if (decay != 0) {
                weight.muli(1.0 - lr * decay);
            }
            // m ← β1·m + (1 − β1)·g, as (m·β1/(1 − β1) + g)·(1 − β1): three passes, no temporary
            s.mean.muli(beta1 / (1.0 - beta1)).addi(g).muli(1.0 - beta1);
            // v ← β2·v + (1 − β2)·g²
            try (NDArray gSquared = g.square()) {
                s.variance.muli(beta2).addi(gSquared.muli(1.0 - beta2));
            }
            // w ← w − (lr/c1)·m / (sqrt(v)/sqrt(c2) + ε)
            //   = w − (lr·sqrt(c2)/c1)·m / (sqrt(v) + ε·sqrt(c2))
            try (NDArray denominator = s.variance.sqrt()) {
                denominator.addi(epsilon * sqrtBiasCorrection2);
                try (NDArray delta = s.mean.div(denominator)) {
                    weight.subi(delta.muli(lr * sqrtBiasCorrection2 / biasCorrection1));
                }
            }
        } finally {
            if (g != grad) {
                g.close();
            }
        }
        zeroGradient(weight);
    }

    private void zeroGradient(NDArray weight) {
        if (zeroGradients && weight.hasGradient()) {
            try (NDArray realGradient = weight.getGradient();
                    NDArray zero =
                            realGradient
                                    .getManager()
                                    .zeros(new Shape(), realGradient.getDataType())) {
                // set, not subtract: a NaN gradient must not survive into the next step. (With a
                // Number, DJL's PyTorch indexer leaks the scalar it makes; hence our own zero.)
                realGradient.set(new NDIndex("..."), zero);
            }
        }
    }

    /** A copy on another device than the home one: takes the home copy's updated weights. */
    private void syncCopy(String parameterId, Moments s, NDArray copy) {
        Object place = placeOf.apply(copy);
        int synced = s.copiesSynced.getOrDefault(place, 0);
        if (s.homeWeight == null || synced >= s.updates) {
            throw new IllegalStateException(
                    "parameter "
                            + parameterId
                            + ": its copy on "
                            + place
                            + " is being updated before its home copy on "
                            + s.home
                            + " in this step; the optimizer updates the home copy and copies it to"
                            + " the others, so the home device must be updated first (as DJL's"
                            + " LocalParameterServer does)");
        }
        try (NDArray moved = s.homeWeight.toDevice(copy.getDevice(), true)) {
            copy.set(new NDIndex("..."), moved);
        }
        s.copiesSynced.put(place, s.updates);
        zeroGradient(copy);
    }

    /** The gradient after the builder's rescaling and clipping: {@code grad} itself or a copy. */
    private NDArray rescaledAndClipped(NDArray grad) {
        NDArray g = grad;
        if (rescaleGrad != 1f) {
            g = grad.mul(rescaleGrad);
        }
        if (clipGrad > 0) {
            // max then min, not clip(Number, Number): DJL's PyTorch engine leaks the two scalars
            // it makes for clip into the array's manager
            try (NDArray floored = g.maximum(-clipGrad)) {
                if (g != grad) {
                    g.close();
                }
                g = floored.minimum(clipGrad);
            }
        }
        return g;
    }

    private Moments moments(String parameterId, NDArray weight) {
        Moments s = state.get(parameterId);
        if (s == null) {
            NDManager manager = stateManager(weight.getDevice());
            NDArray mean = manager.zeros(weight.getShape(), weight.getDataType());
            NDArray variance = manager.zeros(weight.getShape(), weight.getDataType());
            s = new Moments(mean, variance, placeOf.apply(weight), 0);
            state.put(parameterId, s);
        }
        return s;
    }

    private synchronized NDManager stateManager(Device device) {
        if (stateManager == null) {
            stateManager = NDManager.newBaseManager(device);
            stateManager.setName("adamw-state");
        }
        return stateManager;
    }

    /** The optimizer step: the largest number of updates any parameter has had. */
    public int getStep() {
        return step;
    }

    /** How many times the parameter with this id has been updated. */
    public int getUpdateCount(String parameterId) {
        Moments s = state.get(parameterId);
        return s == null ? 0 : s.updates;
    }

    /** First moment of a parameter (live, owned by the optimizer), or null before its update. */
    public NDArray getFirstMoment(String parameterId) {
        Moments s = state.get(parameterId);
        return s == null ? null : s.mean;
    }

    /** Second moment of a parameter (live, owned by the optimizer), or null before its update. */
    public NDArray getSecondMoment(String parameterId) {
        Moments s = state.get(parameterId);
        return s == null ? null : s.variance;
    }

    /** Number of arrays the state holds (two per updated parameter); for memory checks. */
    public int stateArrayCount() {
        return stateManager == null ? 0 : stateManager.getManagedArrays().size();
    }

    /**
     * Writes the moments and update counts, keyed by parameter name: ids are per object, names
     * survive a fresh model. The bytes are DJL's array encoding, so a reload is bit-exact.
     *
     * @param out the stream (not closed)
     * @param names the names of the model's parameters
     * @throws IOException if writing fails
     */
    public void saveState(OutputStream out, ParameterNames names) throws IOException {
        Map<String, Moments> byName = new TreeMap<>();
        for (Map.Entry<String, Moments> e : state.entrySet()) {
            String name = names.nameOf(e.getKey());
            if (name == null) {
                throw new IllegalArgumentException(
                        "the optimizer holds state for parameter id "
                                + e.getKey()
                                + ", which is not a parameter of the given model");
            }
            byName.put(name, e.getValue());
        }
        DataOutputStream os = new DataOutputStream(out);
        os.writeUTF(STATE_FORMAT);
        os.writeInt(STATE_VERSION);
        os.writeInt(step);
        os.writeInt(byName.size());
        for (Map.Entry<String, Moments> e : byName.entrySet()) {
            os.writeUTF(e.getKey());
            os.writeInt(e.getValue().updates);
            writeArray(os, e.getValue().mean);
            writeArray(os, e.getValue().variance);
        }
        os.flush();
    }

    /**
     * Replaces the state with one written by {@link #saveState}, mapping names to the ids of {@code
     * names}' model. Nothing changes unless the whole state reads and matches.
     *
     * @param in the stream (not closed)
     * @param names the names of the model's parameters
     * @param device where the model's parameters live
     * @throws IOException if reading fails
     * @throws CheckpointException if the state is malformed or does not match the model
     */
    public void loadState(InputStream in, ParameterNames names, Device device) throws IOException {
        DataInputStream is = new DataInputStream(in);
        String format = is.readUTF();
        int version = is.readInt();
        if (!STATE_FORMAT.equals(format) || version != STATE_VERSION) {
            throw new CheckpointException(
                    "not an AdamW optimizer state (format "
                            + format
                            + " version "
                            + version
                            + "; expected "
                            + STATE_FORMAT
                            + " version "
                            + STATE_VERSION
                            + ")");
        }
        int savedStep = is.readInt();
        int entries = is.readInt();
        NDManager incoming = NDManager.newBaseManager(device);
        incoming.setName("adamw-state");
        Map<String, Moments> loaded = new ConcurrentHashMap<>();
        try {
            for (int i = 0; i < entries; i++) {
                String name = is.readUTF();
                int updates = is.readInt();
                Parameter parameter = names.parameter(name);
                if (parameter == null) {
                    throw new CheckpointException(
                            "the optimizer state has an entry for '"
                                    + name
                                    + "', which the model does not have");
                }
                NDArray mean = readArray(is, incoming, name, parameter.getShape());
                NDArray variance = readArray(is, incoming, name, parameter.getShape());
                // home: where the model's own array is, as if it had made the first update
                loaded.put(
                        parameter.getId(),
                        new Moments(mean, variance, placeOf.apply(parameter.getArray()), updates));
            }
        } catch (IOException | RuntimeException e) {
            incoming.close();
            throw e;
        }
        for (String name : names.asMap().keySet()) {
            if (!loaded.containsKey(names.parameter(name).getId())) {
                logger.warn("no optimizer state for parameter {}; it starts from zero", name);
            }
        }
        close();
        state.putAll(loaded);
        stateManager = incoming;
        step = savedStep;
    }

    private static void writeArray(DataOutputStream os, NDArray array) throws IOException {
        byte[] bytes = array.encode();
        os.writeInt(bytes.length);
        os.write(bytes);
    }

    private static NDArray readArray(
            DataInputStream is, NDManager manager, String name, Shape expected) throws IOException {
        int length = is.readInt();
        if (length <= 0) {
            throw new CheckpointException(
                    "the optimizer state of '" + name + "' has a bad length " + length);
        }
        byte[] bytes = is.readNBytes(length);
        if (bytes.length != length) {
            throw new CheckpointException("the optimizer state of '" + name + "' is truncated");
        }
        try (NDArray decoded = manager.decode(bytes)) {
            if (!decoded.getShape().equals(expected)) {
                throw new CheckpointException(
                        "the optimizer state of '"
                                + name
                                + "' has shape "
                                + decoded.getShape()
                                + " but the parameter has "
                                + expected);
            }
            // a copy owned by libtorch: the decoded array may borrow a Java buffer
            return decoded.duplicate();
        }
    }

    /** Frees the state; the optimizer starts afresh if it is used again. */
    @Override
    public synchronized void close() {
        state.clear();
        step = 0;
        if (stateManager != null) {
            stateManager.close();
            stateManager = null;
        }
    }

    /** Builder for {@link ResumableAdamW}. */
    public static final class Builder extends OptimizerBuilder<Builder> {

        private ParameterTracker learningRateTracker = Tracker.fixed(1e-3f);
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private DecayFilter decayFilter = DecayFilter.MATRICES_ONLY;
        private boolean zeroGradients = true;
        private Function<NDArray, Object> placeOf = NDArray::getDevice;

        private Builder() {
            optWeightDecays(0.01f);
        }

        /** {@inheritDoc} */
        @Override
        protected Builder self() {
            return this;
        }

        /** The learning rate, e.g. a {@link WarmupCosineTracker}. */
        public Builder optLearningRateTracker(ParameterTracker tracker) {
            learningRateTracker = tracker;
            return this;
        }

        /** Decay rate of the first moment (default 0.9). */
        public Builder optBeta1(double v) {
            beta1 = v;
            return this;
        }

        /** Decay rate of the second moment (default 0.999). */
        public Builder optBeta2(double v) {
            beta2 = v;
            return this;
        }

        /** Added to the denominator (default 1e-8). */
        public Builder optEpsilon(double v) {
            epsilon = v;
            return this;
        }

        /** Which parameters decay (default {@link DecayFilter#MATRICES_ONLY}). */
        public Builder optDecayFilter(DecayFilter v) {
            decayFilter = v;
            return this;
        }

        /** Whether to zero each weight's gradient after updating it (default true). */
        public Builder optZeroGradients(boolean v) {
            zeroGradients = v;
            return this;
        }

        /**
         * Tells a parameter's copies apart by something else than their device: for tests, which
         * can only place copies on the one CPU device.
         */
        Builder placeOf(Function<NDArray, Object> v) {
            placeOf = java.util.Objects.requireNonNull(v, "placeOf");
            return this;
        }

        /** Builds and validates the optimizer. */
        public ResumableAdamW build() {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException(
                        "betas must be in [0, 1), got " + beta1 + " and " + beta2);
            }
            if (!(epsilon > 0)) {
                throw new IllegalArgumentException("epsilon must be positive, got " + epsilon);
            }
            if (learningRateTracker == null || decayFilter == null) {
                throw new IllegalArgumentException("the tracker and decay filter must be set");
            }
            ResumableAdamW optimizer = new ResumableAdamW(this);
            if (!(optimizer.getWeightDecay() >= 0)) {
                throw new IllegalArgumentException(
                        "weight decay must be non-negative, got " + optimizer.getWeightDecay());
            }
            return optimizer;
        }
    }
}
