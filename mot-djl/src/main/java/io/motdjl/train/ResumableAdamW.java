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
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter), the update of {@code
 * torch.optim.AdamW} (without amsgrad), as a DJL {@link Optimizer}, with its whole state savable
 * for exact resume.
 *
 * <p>For a parameter updated for the {@code t}-th time, with learning rate {@code lr} from the
 * tracker at the optimizer step:
 *
 * <pre>
 *   w ← w · (1 − lr·λ)                       only for parameters the {@link DecayFilter} selects
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   w ← w − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)
 * </pre>
 *
 * By default only matrices decay (embeddings, head, projections); norm scales and other 1-D
 * parameters do not. After updating a weight its gradient is set to zero, as DJL's built-in PyTorch
 * optimizers do (DJL's gradient collector never zeroes gradients itself).
 *
 * <p>The state (first and second moments and the update count of each parameter) lives in a manager
 * of its own; {@link #close()} frees it. The optimizer step used for the learning rate is the
 * largest per-parameter update count, as in DJL.
 *
 * <p>State is kept per parameter id, for parameters on one device: under DJL's data-parallel
 * parameter server, which calls {@link #update} once per device, use one device.
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

    /** One parameter's moments and update count. */
    private static final class Moments {
        private final NDArray mean;
        private final NDArray variance;
        private int updates;

        private Moments(NDArray mean, NDArray variance, int updates) {
            this.mean = mean;
            this.variance = variance;
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
    }

    /** Starts a builder (defaults: lr 1e-3, β 0.9/0.999, ε 1e-8, weight decay 0.01). */
    public static Builder builder() {
        return new Builder();
    }

    /** {@inheritDoc} */
    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        Moments s = moments(parameterId, weight);
        s.updates++;
        step = Math.max(step, s.updates);
        double lr = learningRateTracker.getNewValue(parameterId, step);
        if (!Double.isFinite(lr) || lr < 0) {
            throw new TrainingDivergedException("the learning rate at step " + step + " is " + lr);
        }
        double decay = decayFilter.decays(parameterId, weight.getShape()) ? getWeightDecay() : 0;
        double biasCorrection1 = 1.0 - Math.pow(beta1, s.updates);
        double biasCorrection2 = 1.0 - Math.pow(beta2, s.updates);
        // grad mode is off outside a GradientCollector, so these in-place ops record nothing and
        // Java-backed scalars freed right after each call are safe
        try (NDManager scratch = stateManager.newSubManager(weight.getDevice())) {
            // results of ops on these arrays land in scratch and die with it
            scratch.tempAttachAll(grad, s.mean, s.variance);
            NDArray g = grad;
            if (rescaleGrad != 1f) {
                g = g.mul(rescaleGrad);
            }
            if (clipGrad > 0) {
                g = g.clip(-clipGrad, clipGrad);
            }
            if (decay != 0) {
                weight.muli(1.0 - lr * decay);
            }
            s.mean.muli(beta1).addi(g.mul(1.0 - beta1));
            s.variance.muli(beta2).addi(g.square().muli(1.0 - beta2));
            NDArray denominator = s.variance.sqrt().divi(Math.sqrt(biasCorrection2)).addi(epsilon);
            weight.subi(s.mean.div(denominator).muli(lr / biasCorrection1));
        }
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

    private Moments moments(String parameterId, NDArray weight) {
        Moments s = state.get(parameterId);
        if (s == null) {
            NDManager manager = stateManager(weight.getDevice());
            NDArray mean = manager.zeros(weight.getShape(), weight.getDataType());
            NDArray variance = manager.zeros(weight.getShape(), weight.getDataType());
            s = new Moments(mean, variance, 0);
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
                loaded.put(parameter.getId(), new Moments(mean, variance, updates));
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
