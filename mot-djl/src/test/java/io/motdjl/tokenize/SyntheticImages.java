package io.motdjl.tokenize;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Small grayscale images made by the tests themselves (no data set needed): on a dark background, a
 * few rectangles and discs of random brightness with a little noise, so that patches vary in
 * position of their edges and in level the way photographs of objects do.
 */
final class SyntheticImages {

    /** Side of the square images, as in Fashion-MNIST. */
    static final int SIZE = 28;

    private SyntheticImages() {}

    /** {@code n} images of {@link #SIZE} × {@link #SIZE}, a function of {@code seed}. */
    static List<byte[]> create(int n, long seed) {
        Random random = new Random(seed);
        List<byte[]> images = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            images.add(image(random));
        }
        return images;
    }

    private static byte[] image(Random random) {
        int[] pixels = new int[SIZE * SIZE];
        int shapes = 1 + random.nextInt(3);
        for (int s = 0; s < shapes; s++) {
            int level = 60 + random.nextInt(196);
            int top = random.nextInt(SIZE - 4);
            int left = random.nextInt(SIZE - 4);
            int height = 4 + random.nextInt(SIZE - top - 3);
            int width = 4 + random.nextInt(SIZE - left - 3);
            boolean disc = random.nextBoolean();
            double cy = top + height / 2.0;
            double cx = left + width / 2.0;
            for (int y = top; y < Math.min(SIZE, top + height); y++) {
                for (int x = left; x < Math.min(SIZE, left + width); x++) {
                    double dy = (y + 0.5 - cy) / (height / 2.0);
                    double dx = (x + 0.5 - cx) / (width / 2.0);
                    if (!disc || dx * dx + dy * dy <= 1) {
                        pixels[y * SIZE + x] = level;
                    }
                }
            }
        }
        byte[] image = new byte[SIZE * SIZE];
        for (int j = 0; j < image.length; j++) {
            int noisy = pixels[j] == 0 ? pixels[j] : pixels[j] + random.nextInt(17) - 8;
            image[j] = (byte) Math.max(0, Math.min(255, noisy));
        }
        return image;
    }
}
