package io.motdjl.examples.quality;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.util.Seeds;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Trains the {@link FashionCnn} behind {@link FashionClassifier} on the 60,000-image Fashion-MNIST
 * training split (Debian's {@code dataset-fashion-mnist}, {@link FashionMnist#DEBIAN_DIRECTORY})
 * and measures it on the 10,000-image test split bundled with this module.
 *
 * <p>Adam (learning rate {@value #LEARNING_RATE}), softmax cross-entropy, batches of {@value
 * #BATCH_SIZE} in a seeded shuffle per epoch, on the CPU; the engine's random seed fixes the
 * initialisation. The weights are written as safetensors, then loaded back through {@link
 * FashionClassifier#load} to measure the test accuracy of exactly what was written.
 *
 * <p>{@code java ... io.motdjl.examples.quality.TrainFashionClassifier OUT.safetensors [SEED
 * [EPOCHS]]}.
 */
public final class TrainFashionClassifier {

    private static final Logger logger = LoggerFactory.getLogger(TrainFashionClassifier.class);

    /** Default seed. */
    public static final int DEFAULT_SEED = 0;

    /** Default number of passes over the training split. */
    public static final int DEFAULT_EPOCHS = 8;

    /** Images per optimizer step. */
    public static final int BATCH_SIZE = 64;

    /** Adam's learning rate. */
    public static final float LEARNING_RATE = 1e-3f;

    /** Steps between progress logs. */
    private static final int LOG_EVERY = 200;

    /**
     * What a run produced.
     *
     * @param testAccuracy share of the test split the written weights classify correctly
     * @param testImages size of the test split
     * @param epochs passes over the training split
     * @param seed the seed
     * @param seconds wall-clock time of training and measuring
     */
    public record Result(
            double testAccuracy, int testImages, int epochs, int seed, double seconds) {}

    private TrainFashionClassifier() {}

    /**
     * Trains and writes the weights, then prints the test accuracy.
     *
     * @param args the output file, then optionally the seed and the number of epochs
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 3) {
            System.err.println(
                    "usage: TrainFashionClassifier OUT.safetensors [SEED (default "
                            + DEFAULT_SEED
                            + ") [EPOCHS (default "
                            + DEFAULT_EPOCHS
                            + ")]]");
            System.exit(2);
        }
        Path output = Path.of(args[0]);
        int seed = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_SEED;
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_EPOCHS;
        FashionMnist train =
                FashionMnist.read(FashionMnist.DEBIAN_DIRECTORY, FashionMnist.Part.TRAIN);
        FashionMnist test = FashionMnist.bundled();
        Result result = train(train, test, seed, epochs, output);
        System.out.printf(
                Locale.ROOT,
                "test accuracy %.4f on %d images after %d epochs (seed %d, %.0f s); weights in %s%n",
                result.testAccuracy(),
                result.testImages(),
                result.epochs(),
                result.seed(),
                result.seconds(),
                output);
    }

    /**
     * Trains a classifier, writes its weights and measures them.
     *
     * @param train the images to train on
     * @param test the held-out images to measure on
     * @param seed seeds the initialisation (the engine's random seed) and the data order
     * @param epochs passes over {@code train}, at least 1
     * @param output where the safetensors weights go
     * @return the measured accuracy and the run's facts
     */
    public static Result train(
            FashionMnist train, FashionMnist test, int seed, int epochs, Path output)
            throws IOException {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        }
        long start = System.nanoTime();
        Engine.getInstance().setRandomSeed(seed);
        Random order = new Random(seed);
        List<float[]> testImages = FashionImages.all(test);
        try (Model model = Model.newInstance("fashion-cnn", Device.cpu())) {
            FashionCnn block = new FashionCnn();
            model.setBlock(block);
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                            .optDevices(new Device[] {Device.cpu()})
                            .optOptimizer(
                                    Optimizer.adam()
                                            .optLearningRateTracker(Tracker.fixed(LEARNING_RATE))
                                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(FashionCnn.inputShape(BATCH_SIZE));
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    double loss =
                            epoch(trainer, train, Seeds.permutation(train.size(), order), epoch);
                    double accuracy =
                            accuracy(
                                    FashionClassifier.predict(
                                                    block, model.getNDManager(), testImages)
                                            .labels(),
                                    test);
                    logger.info(
                            "epoch {}/{}: mean training loss {}, test accuracy {}",
                            epoch,
                            epochs,
                            String.format(Locale.ROOT, "%.4f", loss),
                            String.format(Locale.ROOT, "%.4f", accuracy));
                }
                ClassifierWeights.write(output, block);
            }
        }
        double accuracy;
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                FashionClassifier classifier = FashionClassifier.load(output, manager)) {
            accuracy = accuracy(classifier.classify(testImages), test);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        logger.info(
                "wrote {}: test accuracy {} after {} s",
                output,
                String.format(Locale.ROOT, "%.4f", accuracy),
                String.format(Locale.ROOT, "%.0f", seconds));
        return new Result(accuracy, test.size(), epochs, seed, seconds);
    }

    /** One pass over the training images in {@code permutation} order; the mean batch loss. */
    private static double epoch(Trainer trainer, FashionMnist train, int[] permutation, int epoch) {
        int steps = (permutation.length + BATCH_SIZE - 1) / BATCH_SIZE;
        double sum = 0;
        double recent = 0;
        for (int step = 0; step < steps; step++) {
            int from = step * BATCH_SIZE;
            int count = Math.min(BATCH_SIZE, permutation.length - from);
            float[] pixels = new float[count * FashionMnist.PIXELS];
            float[] oneHot = new float[count * FashionMnist.NUM_CLASSES];
            for (int i = 0; i < count; i++) {
                int index = permutation[from + i];
                float[] image = FashionImages.toFloats(train.image(index));
                System.arraycopy(image, 0, pixels, i * FashionMnist.PIXELS, FashionMnist.PIXELS);
                oneHot[i * FashionMnist.NUM_CLASSES + train.label(index)] = 1;
            }
            float loss;
            try (NDManager batch = trainer.getManager().newSubManager()) {
                NDArray x = batch.create(pixels, FashionCnn.inputShape(count));
                NDArray y = batch.create(oneHot, new Shape(count, FashionMnist.NUM_CLASSES));
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    NDList out = trainer.forward(new NDList(x));
                    out.attach(batch);
                    NDArray value = out.get(0).logSoftmax(1).mul(y).sum(new int[] {1}).neg().mean();
                    collector.backward(value);
                    loss = value.getFloat();
                }
                trainer.step();
            }
            sum += loss;
            recent += loss;
            if ((step + 1) % LOG_EVERY == 0) {
                logger.info(
                        "epoch {} step {}/{}: mean loss {}",
                        epoch,
                        step + 1,
                        steps,
                        String.format(Locale.ROOT, "%.4f", recent / LOG_EVERY));
                recent = 0;
            }
        }
        return sum / steps;
    }

    /** Share of {@code data} whose label {@code predicted} matches. */
    static double accuracy(int[] predicted, FashionMnist data) {
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i] == data.label(i)) {
                correct++;
            }
        }
        return (double) correct / predicted.length;
    }
}
