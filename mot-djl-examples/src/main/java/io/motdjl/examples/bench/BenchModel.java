package io.motdjl.examples.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;

import io.motdjl.config.MoTConfig;
import io.motdjl.io.ReferenceCheckpoint;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.MoTOutputs;

import java.util.Random;

/**
 * A MoT model with its own parameters and a fixed random batch, for timing forward and backward
 * passes outside the training driver (the way the PyTorch anchor times them): every array a pass
 * makes lives in a per-pass manager that is closed at its end.
 */
public final class BenchModel implements AutoCloseable {

    private final MoTConfig config;
    private final ModalityLayout layout;
    private final NDManager manager;
    private final MoTModel model;
    private final ParameterStore parameterStore;
    private final int batch;
    private final int length;
    private final long[] tokens;
    private final long[] modalities;

    /**
     * Creates and initialises a model and its fixed random batch.
     *
     * @param config the model (its modality count must match the layout's)
     * @param layout where the modalities sit in each row
     * @param batch sequences per batch
     * @param length tokens per sequence
     * @param seed seed of the weights and the token ids
     */
    public BenchModel(MoTConfig config, ModalityLayout layout, int batch, int length, long seed) {
        if (config.nModalities() != layout.modalities()) {
            throw new IllegalArgumentException(
                    "the layout "
                            + layout
                            + " needs "
                            + layout.modalities()
                            + " modalities, the config has "
                            + config.nModalities());
        }
        this.config = config;
        this.layout = layout;
        this.batch = batch;
        this.length = length;
        this.manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed((int) seed);
        this.model = new MoTModel(config);
        ReferenceCheckpoint.initialize(model, manager, DataType.FLOAT32);
        this.parameterStore = new ParameterStore(manager, false);
        Random random = new Random(seed);
        tokens = new long[batch * length];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(config.vocabSize());
        }
        modalities = layout.batch(batch, length);
    }

    public MoTConfig config() {
        return config;
    }

    public ModalityLayout layout() {
        return layout;
    }

    public MoTModel model() {
        return model;
    }

    /** The manager the model's parameters live in (closed with this model). */
    public NDManager manager() {
        return manager;
    }

    /** Tokens per batch. */
    public long tokensPerBatch() {
        return (long) batch * length;
    }

    /**
     * One forward pass, next-token cross-entropy (mean over {@code B·(T-1)} predictions) and
     * backward pass; gradients are zeroed first, as {@code zero_grad} does in the anchor.
     *
     * @return the loss
     */
    public float forwardBackward() {
        zeroGradients();
        try (NDManager step = manager.newSubManager()) {
            MoTInputs inputs = inputs(step);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits =
                        MoTOutputs.of(model.forward(parameterStore, inputs.toNDList(), true))
                                .logits();
                NDArray loss = crossEntropy(logits, inputs.tokens());
                collector.backward(loss);
                return loss.getFloat();
            }
        }
    }

    /** One inference forward pass (no gradients); returns one logit so the pass must finish. */
    public float prefill() {
        try (NDManager step = manager.newSubManager()) {
            MoTInputs inputs = inputs(step);
            NDArray logits =
                    MoTOutputs.of(model.forward(parameterStore, inputs.toNDList(), false)).logits();
            return logits.get(0, length - 1, 0).getFloat();
        }
    }

    private MoTInputs inputs(NDManager step) {
        Shape shape = new Shape(batch, length);
        return MoTInputs.of(step.create(tokens, shape), step.create(modalities, shape));
    }

    /** Mean next-token cross-entropy, as {@code F.cross_entropy(logits[:, :-1], tokens[:, 1:])}. */
    static NDArray crossEntropy(NDArray logits, NDArray tokens) {
        long length = tokens.getShape().get(1);
        // split rather than NDIndex slicing, whose backward builds full-size zero arrays per axis
        NDArray logProbs = logits.split(new long[] {length - 1}, 1).get(0).logSoftmax(-1);
        NDArray targets = tokens.split(new long[] {1}, 1).get(1).expandDims(-1);
        return logProbs.gather(targets, -1).mean().neg();
    }

    private void zeroGradients() {
        for (Pair<String, Parameter> p : model.getParameters()) {
            NDArray array = p.getValue().getArray();
            if (array.hasGradient()) {
                // getGradient is a new handle on the live gradient: zero it in place, then free
                // the handle
                try (NDArray gradient = array.getGradient()) {
                    gradient.subi(gradient);
                }
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
