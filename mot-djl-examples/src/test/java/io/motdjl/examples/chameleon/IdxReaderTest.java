package io.motdjl.examples.chameleon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;

class IdxReaderTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readsImagesAndLabelsRawOrGzip(boolean gzip) throws IOException {
        byte[] images = IdxFiles.validImages(3);
        byte[] labels = IdxFiles.validLabels(3);
        IdxReader.Images read =
                IdxReader.readImages(stream(gzip ? IdxFiles.gzip(images) : images), "images");
        assertEquals(3, read.count());
        assertEquals(28, read.rows());
        assertEquals(28, read.cols());
        assertArrayEquals(IdxFiles.pixels(3), read.pixels());
        byte[] readLabels =
                IdxReader.readLabels(stream(gzip ? IdxFiles.gzip(labels) : labels), "labels");
        assertArrayEquals(IdxFiles.labelValues(3), readLabels);
    }

    @Test
    void readsNonSquareImagesAndEmptyFiles() throws IOException {
        byte[] pixels = {1, 2, 3, 4, 5, 6};
        IdxReader.Images read =
                IdxReader.readImages(
                        stream(IdxFiles.images(IdxReader.IMAGES_MAGIC, 1, 2, 3, pixels)), "x");
        assertEquals(2, read.rows());
        assertEquals(3, read.cols());
        assertArrayEquals(pixels, read.pixels());
        assertEquals(0, IdxReader.readLabels(stream(IdxFiles.validLabels(0)), "x").length);
    }

    @Test
    void rejectsWrongMagicNumbers() {
        IdxFormatException labelsAsImages =
                assertThrows(
                        IdxFormatException.class,
                        () -> IdxReader.readImages(stream(IdxFiles.validLabels(2)), "f.idx"));
        assertTrue(labelsAsImages.getMessage().contains("f.idx"), labelsAsImages.getMessage());
        assertTrue(labelsAsImages.getMessage().contains("2051"), labelsAsImages.getMessage());
        IdxFormatException imagesAsLabels =
                assertThrows(
                        IdxFormatException.class,
                        () -> IdxReader.readLabels(stream(IdxFiles.validImages(2)), "f"));
        assertTrue(imagesAsLabels.getMessage().contains("2049"), imagesAsLabels.getMessage());
        byte[] text = "not an idx file at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThrows(IdxFormatException.class, () -> IdxReader.readImages(stream(text), "t"));
    }

    @Test
    void rejectsInvalidDimensions() {
        for (int[] dims : new int[][] {{-1, 28, 28}, {1, 0, 28}, {1, 28, -3}, {1, 5000, 1}}) {
            byte[] file =
                    IdxFiles.images(IdxReader.IMAGES_MAGIC, dims[0], dims[1], dims[2], new byte[0]);
            IdxFormatException e =
                    assertThrows(
                            IdxFormatException.class,
                            () -> IdxReader.readImages(stream(file), "dims"),
                            Arrays.toString(dims));
            assertTrue(e.getMessage().contains("dimensions"), e.getMessage());
        }
        byte[] huge = IdxFiles.images(IdxReader.IMAGES_MAGIC, 1 << 20, 4096, 4096, new byte[0]);
        assertThrows(IdxFormatException.class, () -> IdxReader.readImages(stream(huge), "huge"));
        byte[] negative = IdxFiles.labels(IdxReader.LABELS_MAGIC, -5, new byte[0]);
        assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(stream(negative), "n"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void rejectsTruncatedFiles(boolean gzip) {
        byte[] images = IdxFiles.validImages(4);
        for (int cut : new int[] {0, 3, 10, 16, 17, images.length - 1}) {
            byte[] truncated = Arrays.copyOf(images, cut);
            byte[] content = gzip ? IdxFiles.gzip(truncated) : truncated;
            IdxFormatException e =
                    assertThrows(
                            IdxFormatException.class,
                            () -> IdxReader.readImages(stream(content), "cut"),
                            "cut at " + cut);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
        byte[] labels = IdxFiles.validLabels(5);
        byte[] truncatedLabels = Arrays.copyOf(labels, labels.length - 2);
        assertThrows(
                IdxFormatException.class,
                () ->
                        IdxReader.readLabels(
                                stream(gzip ? IdxFiles.gzip(truncatedLabels) : truncatedLabels),
                                "labels"));
    }

    @Test
    void rejectsTruncatedOrCorruptGzipStreams() {
        byte[] gz = IdxFiles.gzip(IdxFiles.validImages(4));
        for (int cut : new int[] {2, 10, gz.length / 2, gz.length - 4}) {
            byte[] truncated = Arrays.copyOf(gz, cut);
            assertThrows(
                    IdxFormatException.class,
                    () -> IdxReader.readImages(stream(truncated), "gz"),
                    "gzip cut at " + cut);
        }
        byte[] corrupt = gz.clone();
        for (int i = 12; i < corrupt.length - 8; i += 7) {
            corrupt[i] ^= 0x5a;
        }
        assertThrows(IdxFormatException.class, () -> IdxReader.readImages(stream(corrupt), "gz"));
    }

    @Test
    void rejectsTrailingData() {
        byte[] images = IdxFiles.validImages(2);
        byte[] longer = Arrays.copyOf(images, images.length + 1);
        IdxFormatException e =
                assertThrows(
                        IdxFormatException.class,
                        () -> IdxReader.readImages(stream(longer), "long"));
        assertTrue(e.getMessage().contains("after"), e.getMessage());
        byte[] labels = IdxFiles.validLabels(2);
        byte[] longerLabels = Arrays.copyOf(labels, labels.length + 3);
        assertThrows(
                IdxFormatException.class,
                () -> IdxReader.readLabels(stream(IdxFiles.gzip(longerLabels)), "long"));
    }

    private static ByteArrayInputStream stream(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }
}
