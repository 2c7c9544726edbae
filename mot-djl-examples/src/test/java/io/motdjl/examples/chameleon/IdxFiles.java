package io.motdjl.examples.chameleon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Small synthetic IDX files for tests. */
final class IdxFiles {

    private IdxFiles() {}

    /** An images file: header {@code (magic, count, rows, cols)} and the pixels. */
    static byte[] images(int magic, int count, int rows, int cols, byte[] pixels) {
        ByteBuffer buffer = ByteBuffer.allocate(16 + pixels.length);
        buffer.putInt(magic).putInt(count).putInt(rows).putInt(cols).put(pixels);
        return buffer.array();
    }

    /** A labels file: header {@code (magic, count)} and the labels. */
    static byte[] labels(int magic, int count, byte[] labels) {
        ByteBuffer buffer = ByteBuffer.allocate(8 + labels.length);
        buffer.putInt(magic).putInt(count).put(labels);
        return buffer.array();
    }

    /**
     * {@code n} 28 × 28 images whose pixel {@code j} of image {@code i} is {@code (i + j) % 256}.
     */
    static byte[] pixels(int n) {
        byte[] pixels = new byte[n * FashionMnist.PIXELS];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < FashionMnist.PIXELS; j++) {
                pixels[i * FashionMnist.PIXELS + j] = (byte) (i + j);
            }
        }
        return pixels;
    }

    /** Labels {@code i % 10}. */
    static byte[] labelValues(int n) {
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
        }
        return labels;
    }

    static byte[] validImages(int n) {
        return images(IdxReader.IMAGES_MAGIC, n, 28, 28, pixels(n));
    }

    static byte[] validLabels(int n) {
        return labels(IdxReader.LABELS_MAGIC, n, labelValues(n));
    }

    static byte[] gzip(byte[] bytes) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(bytes);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a test or train pair of {@code n} images into {@code dir}. */
    static void writePart(Path dir, FashionMnist.Part part, int n, boolean gzip)
            throws IOException {
        String suffix = gzip ? ".gz" : "";
        Files.write(
                dir.resolve(part.imagesFile() + suffix),
                gzip ? gzip(validImages(n)) : validImages(n));
        Files.write(
                dir.resolve(part.labelsFile() + suffix),
                gzip ? gzip(validLabels(n)) : validLabels(n));
    }
}
