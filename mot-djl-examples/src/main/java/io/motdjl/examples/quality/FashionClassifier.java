package io.motdjl.examples.quality;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.io.CheckpointException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A Fashion-MNIST classifier ({@link FashionCnn}) with its weights, for measuring generated images:
 * labels for caption fidelity and penultimate-layer features for the Fashion-MNIST-feature FID.
 *
 * <p>An image is 784 floats in {@code [0, 1]}, row-major ({@link FashionImages}). Images are run
 * {@link #BATCH_SIZE} at a time, each batch in its own sub-manager, so nothing but the weights
 * stays in native memory. Closing the classifier frees the weights.
 */
public final class FashionClassifier implements AutoCloseable {

    /** Class-path name of the weights bundled with mot-djl-examples. */
    public static final String BUNDLED_RESOURCE =
            "io/motdjl/examples/quality/fashion-classifier.safetensors";

    /** Images per forward pass. */
    public static final int BATCH_SIZE = 500;

    private final NDManager manager;
    private final FashionCnn block;

    /**
     * Labels and features of a list of images, in its order.
     *
     * @param labels the predicted class of each image, in {@code [0, 10)}
     * @param features the penultimate-layer features of each image, {@link
     *     FashionCnn#FEATURE_WIDTH} values each
     */
    public record Predictions(int[] labels, float[][] features) {}

    private FashionClassifier(NDManager manager, FashionCnn block) {
        this.manager = manager;
        this.block = block;
    }

    /**
     * Loads the weights bundled in this module's resources ({@link #BUNDLED_RESOURCE}).
     *
     * @param manager the parent of the manager that will hold the weights
     * @return the classifier; close it to free the weights
     * @throws NoSuchFileException if the resource is missing
     * @throws CheckpointException if the resource is corrupt or holds other weights
     * @throws IOException if reading fails
     */
    public static FashionClassifier loadBundled(NDManager manager) throws IOException {
        String source = "classpath:" + BUNDLED_RESOURCE;
        byte[] bytes;
        try (InputStream in =
                FashionClassifier.class.getClassLoader().getResourceAsStream(BUNDLED_RESOURCE)) {
            if (in == null) {
                throw new NoSuchFileException(
                        source,
                        null,
                        "the bundled Fashion-MNIST classifier weights are missing; rebuild"
                                + " mot-djl-examples or run TrainFashionClassifier");
            }
            bytes = in.readAllBytes();
        }
        return fromBytes(bytes, source, manager);
    }

    /**
     * Loads weights that {@link TrainFashionClassifier} wrote.
     *
     * @param file the safetensors file
     * @param manager the parent of the manager that will hold the weights
     * @return the classifier; close it to free the weights
     * @throws CheckpointException if the file is corrupt or holds other weights
     * @throws IOException if reading fails
     */
    public static FashionClassifier load(Path file, NDManager manager) throws IOException {
        return fromBytes(Files.readAllBytes(file), file.toString(), manager);
    }

    private static FashionClassifier fromBytes(byte[] bytes, String source, NDManager parent) {
        NDManager own = parent.newSubManager();
        try {
            FashionCnn block = new FashionCnn();
            block.initialize(own, DataType.FLOAT32, FashionCnn.inputShape(1));
            ClassifierWeights.read(bytes, source, block, own);
            // measuring only: no gradients kept
            block.freezeParameters(true);
            return new FashionClassifier(own, block);
        } catch (RuntimeException e) {
            own.close();
            throw e;
        }
    }

    /**
     * The class the classifier gives each image.
     *
     * @param images images of 784 floats in {@code [0, 1]}
     * @return one label in {@code [0, 10)} per image
     * @throws IllegalArgumentException if an image is malformed ({@link FashionImages#validate})
     */
    public int[] classify(List<float[]> images) {
        return predict(images).labels();
    }

    /**
     * The penultimate-layer features of each image (after the relu).
     *
     * @param images images of 784 floats in {@code [0, 1]}
     * @return one row of {@link FashionCnn#FEATURE_WIDTH} values per image
     * @throws IllegalArgumentException if an image is malformed ({@link FashionImages#validate})
     */
    public float[][] features(List<float[]> images) {
        return predict(images).features();
    }

    /** Width of the features, {@link FashionCnn#FEATURE_WIDTH}. */
    public int featureWidth() {
        return FashionCnn.FEATURE_WIDTH;
    }

    /**
     * Labels and features in one pass.
     *
     * @param images images of 784 floats in {@code [0, 1]}
     * @return both, in the images' order
     * @throws IllegalArgumentException if an image is malformed ({@link FashionImages#validate})
     */
    public Predictions predict(List<float[]> images) {
        return predict(block, manager, images);
    }

    /**
     * Runs a {@link FashionCnn} (its weights wherever they are) over images in inference mode.
     *
     * @param block the network
     * @param manager the parent of each batch's sub-manager
     * @param images the images
     * @return labels and features
     */
    static Predictions predict(Block block, NDManager manager, List<float[]> images) {
        FashionImages.validate(images);
        int n = images.size();
        int[] labels = new int[n];
        float[][] features = new float[n][];
        for (int start = 0; start < n; start += BATCH_SIZE) {
            int count = Math.min(BATCH_SIZE, n - start);
            float[] flat = new float[count * FashionMnist.PIXELS];
            for (int i = 0; i < count; i++) {
                System.arraycopy(
                        images.get(start + i),
                        0,
                        flat,
                        i * FashionMnist.PIXELS,
                        FashionMnist.PIXELS);
            }
            try (NDManager batch = manager.newSubManager()) {
                NDArray x = batch.create(flat, FashionCnn.inputShape(count));
                NDList out = block.forward(new ParameterStore(batch, false), new NDList(x), false);
                // outputs follow the input's manager; attaching makes sure they close with it
                out.attach(batch);
                long[] predicted = out.get(0).argMax(1).toLongArray();
                float[] rows = out.get(1).toFloatArray();
                int width = (int) out.get(1).getShape().get(1);
                for (int i = 0; i < count; i++) {
                    labels[start + i] = (int) predicted[i];
                    features[start + i] = new float[width];
                    System.arraycopy(rows, i * width, features[start + i], 0, width);
                }
            }
        }
        return new Predictions(labels, features);
    }

    @Override
    public void close() {
        manager.close();
    }
}
