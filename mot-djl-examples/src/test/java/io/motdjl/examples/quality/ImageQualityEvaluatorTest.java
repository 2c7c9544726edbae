package io.motdjl.examples.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;

import io.motdjl.examples.chameleon.FashionMnist;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

class ImageQualityEvaluatorTest {

    private static NDManager manager;
    private static FashionClassifier classifier;

    /** Real images 5,000..6,999, the reference; the tests measure images from 0..1,999. */
    private static ImageQualityEvaluator evaluator;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        classifier = FashionClassifier.loadBundled(manager);
        evaluator =
                new ImageQualityEvaluator(
                        classifier, FashionImages.all(TestImages.range(5000, 7000)));
    }

    @AfterAll
    static void close() {
        classifier.close();
        manager.close();
    }

    @Test
    void captionFidelityOfRealImagesIsTheClassifiersAccuracy() {
        FashionMnist real = TestImages.range(0, 1000);
        int[] predicted = classifier.classify(FashionImages.all(real));
        int correct = 0;
        int[] correctPerClass = new int[FashionMnist.NUM_CLASSES];
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i] == real.label(i)) {
                correct++;
                correctPerClass[real.label(i)]++;
            }
        }
        ImageQuality quality = evaluator.evaluate(FashionImages.byLabel(real));
        assertEquals(1000, quality.images());
        assertEquals(correct / 1000.0, quality.captionFidelity(), 1e-12);
        int[] counts = real.classCounts();
        for (int c = 0; c < FashionMnist.NUM_CLASSES; c++) {
            assertEquals(counts[c], quality.perClassImages().get(c), "images of class " + c);
            assertEquals(
                    (double) correctPerClass[c] / counts[c],
                    quality.perClassFidelity().get(c),
                    1e-12,
                    "fidelity of class " + c);
        }
        assertEquals(2000, quality.referenceImages());
        assertEquals(FashionCnn.FEATURE_WIDTH, quality.featureWidth());
    }

    @Test
    void featureFidSeparatesRealImagesFromNoiseAndBlack() {
        double realVsReal = fid(FashionImages.byLabel(TestImages.range(0, 2000)));
        double realVsNoise = fid(Map.of(0, TestImages.noise(2000, 7)));
        double realVsBlack = fid(Map.of(0, TestImages.black(2000)));
        String values =
                String.format(
                        Locale.ROOT,
                        "Fashion-MNIST-feature FID real vs real %.3f, vs noise %.3f, vs black %.3f",
                        realVsReal,
                        realVsNoise,
                        realVsBlack);
        assertTrue(realVsReal > 0, values);
        assertTrue(realVsReal < 0.1 * realVsNoise, values);
        assertTrue(realVsReal < 0.1 * realVsBlack, values);
    }

    private static double fid(Map<Integer, List<float[]>> images) {
        return evaluator.evaluate(images).fashionMnistFeatureFid();
    }

    @Test
    void onlyTheClassesGivenAreReported() {
        FashionMnist real = TestImages.range(0, 300);
        Map<Integer, List<float[]>> byLabel = FashionImages.byLabel(real);
        ImageQuality quality = evaluator.evaluate(Map.of(9, byLabel.get(9), 1, byLabel.get(1)));
        assertEquals(List.of(1, 9), List.copyOf(quality.perClassFidelity().keySet()));
        assertEquals(byLabel.get(1).size() + byLabel.get(9).size(), quality.images());
        Map<String, Object> map = quality.toMap();
        assertEquals(
                List.of(
                        "images",
                        "caption_fidelity",
                        "caption_fidelity_per_class",
                        "images_per_class",
                        "fashion_mnist_feature_fid",
                        "reference_images",
                        "feature_width"),
                List.copyOf(map.keySet()));
        @SuppressWarnings("unchecked")
        Map<String, Double> perClass = (Map<String, Double>) map.get("caption_fidelity_per_class");
        assertEquals(List.of("trouser", "ankle boot"), List.copyOf(perClass.keySet()));
        assertEquals(quality.fashionMnistFeatureFid(), map.get("fashion_mnist_feature_fid"));
    }

    @Test
    void rejectsBadInput() {
        List<float[]> two = FashionImages.all(TestImages.range(0, 2));
        IllegalArgumentException label =
                assertThrows(
                        IllegalArgumentException.class, () -> evaluator.evaluate(Map.of(10, two)));
        assertTrue(label.getMessage().contains("class label 10"), label.getMessage());
        IllegalArgumentException one =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> evaluator.evaluate(Map.of(3, two.subList(0, 1))));
        assertTrue(one.getMessage().contains("at least 2 generated images"), one.getMessage());
        float[] bright = new float[FashionMnist.PIXELS];
        bright[5] = 3.0f;
        IllegalArgumentException image =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> evaluator.evaluate(Map.of(3, List.of(two.get(0), bright))));
        assertTrue(
                image.getMessage()
                        .contains("class 3: image 1, pixel 5: value 3.0 is outside [0, 1]"),
                image.getMessage());
        IllegalArgumentException reference =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new ImageQualityEvaluator(classifier, two.subList(0, 1)));
        assertTrue(reference.getMessage().contains("at least 2 images"), reference.getMessage());
    }
}
