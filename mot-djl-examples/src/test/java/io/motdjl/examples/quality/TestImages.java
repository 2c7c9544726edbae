package io.motdjl.examples.quality;

import io.motdjl.examples.chameleon.FashionMnist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The bundled Fashion-MNIST test split, read once per JVM, and made-up images. */
final class TestImages {

    private static FashionMnist data;

    private TestImages() {}

    /** The 10,000 bundled test images. */
    static synchronized FashionMnist bundled() {
        if (data == null) {
            try {
                data = FashionMnist.bundled();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return data;
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive) of the bundled split. */
    static FashionMnist range(int from, int to) {
        int[] indices = new int[to - from];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = from + i;
        }
        return bundled().select(indices);
    }

    /** {@code n} images of independent uniform noise in {@code [0, 1]}. */
    static List<float[]> noise(int n, long seed) {
        Random random = new Random(seed);
        List<float[]> images = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] image = new float[FashionMnist.PIXELS];
            for (int p = 0; p < image.length; p++) {
                image[p] = random.nextFloat();
            }
            images.add(image);
        }
        return images;
    }

    /** {@code n} all-black images. */
    static List<float[]> black(int n) {
        List<float[]> images = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            images.add(new float[FashionMnist.PIXELS]);
        }
        return images;
    }
}
