package io.motdjl.examples.chameleon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

class FashionMnistTest {

    @TempDir Path dir;

    @Test
    void readsTheBundledTestSplit() {
        FashionMnist data = BundledFashionMnist.get();
        assertEquals(10_000, data.size());
        int[] counts = data.classCounts();
        for (int c = 0; c < FashionMnist.NUM_CLASSES; c++) {
            assertEquals(1000, counts[c], "class " + c);
        }
        // the first test image is an ankle boot, as in every Fashion-MNIST loader
        assertEquals(9, data.label(0));
        assertEquals("Ankle boot", FashionMnist.className(data.label(0)));
        assertEquals(FashionMnist.PIXELS, data.image(0).length);
        int max = 0;
        for (byte b : data.image(0)) {
            max = Math.max(max, Byte.toUnsignedInt(b));
        }
        assertTrue(max > 200, "pixels are unsigned bytes: brightest " + max);
    }

    @Test
    void classNames() {
        assertEquals(
                java.util.List.of(
                        "T-shirt/top",
                        "Trouser",
                        "Pullover",
                        "Dress",
                        "Coat",
                        "Sandal",
                        "Shirt",
                        "Sneaker",
                        "Bag",
                        "Ankle boot"),
                FashionMnist.CLASS_NAMES);
        assertEquals("ankle boot", FashionMnist.captionName(9));
        assertThrows(IndexOutOfBoundsException.class, () -> FashionMnist.className(10));
    }

    @Test
    void readsADirectoryWithTheTestPartOnly() throws IOException {
        IdxFiles.writePart(dir, FashionMnist.Part.TEST, 5, true);
        FashionMnist data = FashionMnist.readDirectory(dir);
        assertEquals(5, data.size());
        assertArrayEquals(Arrays.copyOf(IdxFiles.pixels(5), FashionMnist.PIXELS), data.image(0));
        assertEquals(3, data.label(3));
        assertEquals(Byte.toUnsignedInt((byte) (2 + 28 + 5)), data.pixel(2, 1, 5));
    }

    @Test
    void readsTestThenTrainWhenBothArePresent() throws IOException {
        IdxFiles.writePart(dir, FashionMnist.Part.TEST, 3, false);
        IdxFiles.writePart(dir, FashionMnist.Part.TRAIN, 4, true);
        FashionMnist all = FashionMnist.readDirectory(dir);
        assertEquals(7, all.size());
        assertEquals(0, all.label(3)); // first training label follows the three test labels
        assertEquals(4, FashionMnist.read(dir, FashionMnist.Part.TRAIN).size());
        assertEquals(3, FashionMnist.read(dir, FashionMnist.Part.TEST).size());
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        NoSuchFileException e =
                assertThrows(NoSuchFileException.class, () -> FashionMnist.readDirectory(dir));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte"), e.getMessage());
        IdxFiles.writePart(dir, FashionMnist.Part.TEST, 2, true);
        Files.write(dir.resolve(FashionMnist.Part.TRAIN.imagesFile()), IdxFiles.validImages(2));
        NoSuchFileException missingLabels =
                assertThrows(NoSuchFileException.class, () -> FashionMnist.readDirectory(dir));
        assertTrue(
                missingLabels.getMessage().contains("train-labels-idx1-ubyte"),
                missingLabels.getMessage());
    }

    @Test
    void rejectsMismatchedCountsWrongSizesAndBadLabels() {
        IdxFormatException counts =
                assertThrows(
                        IdxFormatException.class,
                        () -> read(IdxFiles.validImages(3), IdxFiles.validLabels(2)));
        assertTrue(counts.getMessage().contains("3 images but 2 labels"), counts.getMessage());
        byte[] small = IdxFiles.images(IdxReader.IMAGES_MAGIC, 1, 2, 2, new byte[4]);
        IdxFormatException size =
                assertThrows(IdxFormatException.class, () -> read(small, IdxFiles.validLabels(1)));
        assertTrue(size.getMessage().contains("2 x 2"), size.getMessage());
        byte[] badLabel = IdxFiles.labels(IdxReader.LABELS_MAGIC, 2, new byte[] {1, 10});
        IdxFormatException label =
                assertThrows(
                        IdxFormatException.class, () -> read(IdxFiles.validImages(2), badLabel));
        assertTrue(label.getMessage().contains("label 10"), label.getMessage());
    }

    @Test
    void readsClasspathResources() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("data/fm"));
        IdxFiles.writePart(folder, FashionMnist.Part.TEST, 6, true);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            FashionMnist data =
                    FashionMnist.readResources(loader, "data/fm", FashionMnist.Part.TEST);
            assertEquals(6, data.size());
            assertThrows(
                    NoSuchFileException.class,
                    () -> FashionMnist.readResources(loader, "data/fm", FashionMnist.Part.TRAIN));
        }
    }

    @Test
    void splitIsDeterministicDisjointAndComplete() {
        FashionMnist data = BundledFashionMnist.get().head(500);
        FashionMnist.Split a = data.split(0.2, 7);
        FashionMnist.Split b = data.split(0.2, 7);
        FashionMnist.Split c = data.split(0.2, 8);
        assertEquals(100, a.heldOut().size());
        assertEquals(400, a.train().size());
        assertArrayEquals(a.heldOut().image(0), b.heldOut().image(0));
        assertArrayEquals(a.train().image(399), b.train().image(399));
        Set<String> train = fingerprints(a.train());
        Set<String> heldOut = fingerprints(a.heldOut());
        Set<String> all = fingerprints(data);
        assertFalse(train.stream().anyMatch(heldOut::contains), "parts overlap");
        Set<String> union = new HashSet<>(train);
        union.addAll(heldOut);
        assertEquals(all, union);
        assertNotEquals(fingerprints(c.heldOut()), heldOut, "another seed, another split");
        assertThrows(IllegalArgumentException.class, () -> data.split(1.5, 0));
        assertThrows(IllegalArgumentException.class, () -> data.splitByCount(501, 0));
    }

    @Test
    void ofValidatesAndCopies() {
        byte[] pixels = IdxFiles.pixels(2);
        byte[] labels = {3, 4};
        FashionMnist data = FashionMnist.of(pixels, labels);
        labels[0] = 9;
        assertEquals(3, data.label(0));
        assertThrows(IllegalArgumentException.class, () -> FashionMnist.of(pixels, new byte[3]));
        assertThrows(
                IllegalArgumentException.class,
                () -> FashionMnist.of(pixels, new byte[] {0, (byte) 200}));
    }

    private static FashionMnist read(byte[] images, byte[] labels) throws IOException {
        return FashionMnist.read(
                new ByteArrayInputStream(images), new ByteArrayInputStream(labels), "test");
    }

    /** Image bytes plus label; the bundled images are distinct enough to identify examples. */
    private static Set<String> fingerprints(FashionMnist data) {
        Set<String> set = new HashSet<>();
        for (int i = 0; i < data.size(); i++) {
            set.add(Arrays.toString(data.image(i)) + data.label(i));
        }
        return set;
    }
}
