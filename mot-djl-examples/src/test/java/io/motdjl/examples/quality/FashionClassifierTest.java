package io.motdjl.examples.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.io.CheckpointException;
import io.motdjl.io.SafetensorsFile;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

class FashionClassifierTest {

    private static NDManager manager;
    private static FashionClassifier classifier;

    @TempDir Path dir;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        classifier = FashionClassifier.loadBundled(manager);
    }

    @AfterAll
    static void close() {
        classifier.close();
        manager.close();
    }

    @Test
    void classifiesTheBundledTestImages() {
        FashionMnist first = TestImages.range(0, 1000);
        int[] predicted = classifier.classify(FashionImages.all(first));
        assertEquals(1000, predicted.length);
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            assertTrue(predicted[i] >= 0 && predicted[i] < FashionMnist.NUM_CLASSES);
            if (predicted[i] == first.label(i)) {
                correct++;
            }
        }
        double accuracy = correct / 1000.0;
        assertTrue(
                accuracy >= 0.85,
                String.format(
                        Locale.ROOT,
                        "accuracy on the first 1,000 bundled test images: %.3f (%d correct),"
                                + " expected at least 0.85",
                        accuracy,
                        correct));
    }

    @Test
    void featuresAreFinitePenultimateActivations() {
        List<float[]> images = FashionImages.all(TestImages.range(0, 20));
        float[][] features = classifier.features(images);
        assertEquals(20, features.length);
        int active = 0;
        for (float[] row : features) {
            assertEquals(FashionCnn.FEATURE_WIDTH, row.length);
            assertEquals(classifier.featureWidth(), row.length);
            for (float x : row) {
                assertTrue(Float.isFinite(x) && x >= 0, "relu output " + x);
                if (x > 0) {
                    active++;
                }
            }
        }
        assertTrue(active > 20, "features are not all zero: " + active + " active");
        FashionClassifier.Predictions both = classifier.predict(images);
        assertArrayEquals(classifier.classify(images), both.labels());
        for (int i = 0; i < features.length; i++) {
            assertArrayEquals(features[i], both.features()[i], "image " + i);
        }
    }

    @Test
    void batchingDoesNotChangeTheResults() {
        // 600 images span a batch boundary (BATCH_SIZE = 500)
        List<float[]> images = FashionImages.all(TestImages.range(0, 600));
        int[] together = classifier.classify(images);
        float[][] featuresTogether = classifier.features(images);
        List<float[]> tail = new ArrayList<>(images.subList(495, 505));
        int[] alone = classifier.classify(tail);
        float[][] featuresAlone = classifier.features(tail);
        for (int i = 0; i < tail.size(); i++) {
            assertEquals(together[495 + i], alone[i], "label of image " + (495 + i));
            assertArrayEquals(featuresTogether[495 + i], featuresAlone[i], 1e-4f, "image " + i);
        }
        assertEquals(0, classifier.classify(List.of()).length);
    }

    @Test
    void rejectsMalformedImages() {
        float[] good = new float[FashionMnist.PIXELS];
        assertMessage(List.of(good, new float[100]), "image 1 has 100 values, expected 784");
        float[] nan = new float[FashionMnist.PIXELS];
        nan[17] = Float.NaN;
        assertMessage(List.of(nan), "image 0, pixel 17: value NaN is not finite");
        float[] bright = new float[FashionMnist.PIXELS];
        bright[300] = 3.0f;
        assertMessage(
                List.of(good, good, bright), "image 2, pixel 300: value 3.0 is outside [0, 1]");
        float[] negative = new float[FashionMnist.PIXELS];
        negative[0] = -0.5f;
        assertMessage(List.of(negative), "value -0.5 is outside [0, 1]");
        // rounding just outside [0, 1] is tolerated
        float[] rounded = new float[FashionMnist.PIXELS];
        rounded[0] = 1.0001f;
        rounded[1] = -0.0001f;
        assertEquals(1, classifier.classify(List.of(rounded)).length);
    }

    private static void assertMessage(List<float[]> images, String expected) {
        IllegalArgumentException classify =
                assertThrows(IllegalArgumentException.class, () -> classifier.classify(images));
        assertTrue(classify.getMessage().contains(expected), classify.getMessage());
        IllegalArgumentException features =
                assertThrows(IllegalArgumentException.class, () -> classifier.features(images));
        assertTrue(features.getMessage().contains(expected), features.getMessage());
    }

    @Test
    void convertsBytesToUnitFloats() {
        byte[] image = new byte[FashionMnist.PIXELS];
        image[0] = (byte) 255;
        image[1] = (byte) 128;
        float[] pixels = FashionImages.toFloats(image);
        assertEquals(1f, pixels[0]);
        assertEquals(128 / 255f, pixels[1]);
        assertEquals(0f, pixels[2]);
        assertThrows(IllegalArgumentException.class, () -> FashionImages.toFloats(new byte[10]));
    }

    @Test
    void loadsWrittenWeightsAndRejectsBadFiles() throws IOException {
        Path missing = dir.resolve("missing.safetensors");
        assertThrows(NoSuchFileException.class, () -> FashionClassifier.load(missing, manager));

        Path garbage = dir.resolve("garbage.safetensors");
        Files.write(garbage, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        CheckpointException corrupt =
                assertThrows(
                        CheckpointException.class, () -> FashionClassifier.load(garbage, manager));
        assertTrue(corrupt.getMessage().contains(garbage.toString()), corrupt.getMessage());

        Path other = dir.resolve("other.safetensors");
        try (NDManager scratch = manager.newSubManager()) {
            SafetensorsFile.write(other, Map.of("01conv1_weight", scratch.zeros(new Shape(2, 2))));
        }
        CheckpointException wrong =
                assertThrows(
                        CheckpointException.class, () -> FashionClassifier.load(other, manager));
        assertTrue(
                wrong.getMessage().contains("'01conv1_weight' is float32 (2, 2)"),
                wrong.getMessage());

        // the bundled weights written back out load to the same classifier
        Path copy = dir.resolve("copy.safetensors");
        try (var in =
                FashionClassifier.class
                        .getClassLoader()
                        .getResourceAsStream(FashionClassifier.BUNDLED_RESOURCE)) {
            Files.write(copy, in.readAllBytes());
        }
        List<float[]> images = FashionImages.all(TestImages.range(0, 50));
        try (FashionClassifier loaded = FashionClassifier.load(copy, manager)) {
            assertArrayEquals(classifier.classify(images), loaded.classify(images));
        }
    }
}
