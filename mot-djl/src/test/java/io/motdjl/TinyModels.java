package io.motdjl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.nn.SwiGlu;

import java.util.Random;

/** Tiny models and inputs for fast tests. */
public final class TinyModels {

    private TinyModels() {}

    /** A tiny config: vocab 37, dim 16, 2 layers, 4 heads, SwiGLU 24, max length 12. */
    public static MoTConfig.Builder config(int modalities) {
        return MoTConfig.builder()
                .vocabSize(37)
                .dim(16)
                .nLayers(2)
                .nHeads(4)
                .ffnHiddenDim(24)
                .nModalities(modalities)
                .maxSeqLen(12);
    }

    /** Builds and initialises a model; weights are random (seeded through the engine). */
    public static MoTModel model(MoTConfig config, NDManager manager, DataType type) {
        return initialize(new MoTModel(config), manager, type);
    }

    /** Initialises a model built by hand the way {@link #model} does. */
    public static MoTModel initialize(MoTModel model, NDManager manager, DataType type) {
        ai.djl.engine.Engine.getInstance().setRandomSeed(1234);
        // norm scales default to ones; draw them around one so tests see each modality's own
        model.setInitializer(
                (m, shape, dataType) -> m.randomUniform(0.7f, 1.3f, shape, dataType),
                ai.djl.nn.Parameter.Type.GAMMA);
        model.initialize(manager, type, new Shape(1, 1), new Shape(1, 1));
        return model;
    }

    /** Random ids in {@code [0, bound)} of shape {@code (rows, cols)}. */
    public static NDArray ids(NDManager manager, Random random, int rows, int cols, int bound) {
        long[] values = new long[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextInt(bound);
        }
        return manager.create(values, new Shape(rows, cols));
    }

    /** Logits of an inference forward pass. */
    public static NDArray logits(MoTModel model, NDManager manager, MoTInputs inputs) {
        NDList out = model.forward(new ParameterStore(manager, false), inputs.toNDList(), false);
        return MoTOutputs.of(out).logits();
    }

    /**
     * Runs the garbage collector a few times. Tests call it where native code might still read
     * memory owned by a Java buffer whose wrapper is gone (DJL's PyTorch engine wraps Java data
     * without copying), so such bugs fail every time instead of now and then.
     */
    public static void forceGarbageCollection() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Max absolute difference. */
    public static double maxAbsDiff(NDArray a, NDArray b) {
        return a.toType(DataType.FLOAT64, false)
                .sub(b.toType(DataType.FLOAT64, false))
                .abs()
                .max()
                .getDouble();
    }

    /** A feed-forward that reports the mean square of its output as an auxiliary loss. */
    public static final class PenalisedSwiGlu extends AbstractBlock {
        private final SwiGlu inner;

        public PenalisedSwiGlu(MoTConfig config) {
            super((byte) 1);
            inner = addChildBlock("inner", new SwiGlu(config.dim(), config.ffnHiddenDim()));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            NDArray y = inner.forward(ps, inputs, training).head();
            NDArray penalty = y.square().mean();
            penalty.setName("l2");
            return new NDList(y, penalty);
        }

        @Override
        protected void initializeChildBlocks(NDManager m, DataType t, Shape... shapes) {
            inner.initialize(m, t, shapes);
        }

        /** The wrapped SwiGLU. */
        public SwiGlu inner() {
            return inner;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {inputShapes[0]};
        }
    }
}
