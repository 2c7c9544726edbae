package io.motdjl.examples.quality;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import io.motdjl.examples.chameleon.FashionMnist;

/**
 * The small CNN behind {@link FashionClassifier}: {@code conv1} (3 × 3, 16 filters, same padding) →
 * relu → 2 × 2 max-pool → {@code conv2} (3 × 3, 32 filters) → relu → 2 × 2 max-pool → flatten (32 ·
 * 7 · 7 = 1568) → {@code features} (linear to {@link #FEATURE_WIDTH}) → relu, the penultimate
 * features → {@code head} (linear to 10 logits).
 *
 * <p>Input {@code (N, 1, 28, 28)}, pixels in {@code [0, 1]}; output the logits {@code (N, 10)}
 * followed by the features {@code (N, F)}, so that one pass gives both.
 */
public final class FashionCnn extends AbstractBlock {

    /** Width F of the penultimate features, the space of the Fashion-MNIST-feature FID. */
    public static final int FEATURE_WIDTH = 64;

    private static final byte VERSION = 1;
    private static final int CONV1_FILTERS = 16;
    private static final int CONV2_FILTERS = 32;

    /** Side of the maps after both poolings: 28 → 14 → 7. */
    private static final int POOLED_SIZE = FashionMnist.IMAGE_SIZE / 4;

    private static final Shape KERNEL = new Shape(3, 3);
    private static final Shape SAME_PADDING = new Shape(1, 1);
    private static final Shape POOL = new Shape(2, 2);
    private static final Shape NO_PADDING = new Shape(0, 0);

    private final Conv2d conv1;
    private final Conv2d conv2;
    private final Linear features;
    private final Linear head;

    /** Creates the network, uninitialised. */
    public FashionCnn() {
        super(VERSION);
        conv1 = addChildBlock("conv1", conv(CONV1_FILTERS));
        conv2 = addChildBlock("conv2", conv(CONV2_FILTERS));
        features = addChildBlock("features", Linear.builder().setUnits(FEATURE_WIDTH).build());
        head = addChildBlock("head", Linear.builder().setUnits(FashionMnist.NUM_CLASSES).build());
    }

    private static Conv2d conv(int filters) {
        return Conv2d.builder()
                .setKernelShape(KERNEL)
                .optPadding(SAME_PADDING)
                .setFilters(filters)
                .build();
    }

    /** The input shape of a batch of {@code n} images. */
    public static Shape inputShape(long n) {
        return new Shape(n, 1, FashionMnist.IMAGE_SIZE, FashionMnist.IMAGE_SIZE);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        Shape in = x.getShape();
        if (in.dimension() != 4 || !inputShape(in.get(0)).equals(in)) {
            throw new IllegalArgumentException(
                    "FashionCnn expects (N, 1, 28, 28) images, got " + in);
        }
        NDArray h = convReluPool(conv1, ps, x, training);
        h = convReluPool(conv2, ps, h, training);
        h = h.reshape(in.get(0), (long) CONV2_FILTERS * POOLED_SIZE * POOLED_SIZE);
        NDArray feature =
                Activation.relu(features.forward(ps, new NDList(h), training).singletonOrThrow());
        NDArray logits = head.forward(ps, new NDList(feature), training).singletonOrThrow();
        return new NDList(logits, feature);
    }

    private static NDArray convReluPool(
            Conv2d conv, ParameterStore ps, NDArray x, boolean training) {
        NDArray h = Activation.relu(conv.forward(ps, new NDList(x), training).singletonOrThrow());
        return Pool.maxPool2d(h, POOL, POOL, NO_PADDING, false);
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        long n = inputShapes[0].get(0);
        conv1.initialize(manager, dataType, inputShapes[0]);
        int half = FashionMnist.IMAGE_SIZE / 2;
        conv2.initialize(manager, dataType, new Shape(n, CONV1_FILTERS, half, half));
        features.initialize(
                manager, dataType, new Shape(n, (long) CONV2_FILTERS * POOLED_SIZE * POOLED_SIZE));
        head.initialize(manager, dataType, new Shape(n, FEATURE_WIDTH));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long n = inputShapes[0].get(0);
        return new Shape[] {new Shape(n, FashionMnist.NUM_CLASSES), new Shape(n, FEATURE_WIDTH)};
    }

    @Override
    public String toString() {
        return "FashionCnn(conv3x3x"
                + CONV1_FILTERS
                + " -> pool -> conv3x3x"
                + CONV2_FILTERS
                + " -> pool -> linear "
                + FEATURE_WIDTH
                + " -> linear "
                + FashionMnist.NUM_CLASSES
                + ")";
    }
}
