package io.motdjl.examples.quality;

import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.zoo.GrayscaleImages;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Images as the quality measures take them: 784 floats in {@code [0, 1]}, row-major, 28 × 28.
 * Converts {@link FashionMnist}'s unsigned bytes and checks images that come from elsewhere.
 */
public final class FashionImages {

    /** How far outside {@code [0, 1]} a pixel may stray (rounding in a generator's output). */
    public static final float TOLERANCE = 1e-3f;

    private FashionImages() {}

    /**
     * One image of unsigned bytes as floats: {@code (b & 0xFF) / 255}.
     *
     * @param image 784 bytes, as {@link FashionMnist#image(int)} returns them
     * @return 784 floats in {@code [0, 1]}
     */
    public static float[] toFloats(byte[] image) {
        if (image.length != FashionMnist.PIXELS) {
            throw new IllegalArgumentException(
                    "an image has " + FashionMnist.PIXELS + " bytes, got " + image.length);
        }
        return GrayscaleImages.pixelsOf(image);
    }

    /** Every image of {@code data} as floats, in order. */
    public static List<float[]> all(FashionMnist data) {
        List<float[]> images = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            images.add(toFloats(data.image(i)));
        }
        return images;
    }

    /**
     * The images of {@code data} as floats, grouped by their label (in data order within a class):
     * real images in the shape {@link ImageQualityEvaluator#evaluate} takes generated ones.
     */
    public static Map<Integer, List<float[]>> byLabel(FashionMnist data) {
        Map<Integer, List<float[]>> groups = new TreeMap<>();
        for (int i = 0; i < data.size(); i++) {
            groups.computeIfAbsent(data.label(i), k -> new ArrayList<>())
                    .add(toFloats(data.image(i)));
        }
        groups.replaceAll((label, images) -> Collections.unmodifiableList(images));
        return Collections.unmodifiableMap(groups);
    }

    /**
     * Checks images: each has 784 finite values in {@code [0, 1]} (within {@link #TOLERANCE}).
     *
     * @param images the images
     * @throws IllegalArgumentException naming the first bad image, pixel and value
     */
    public static void validate(List<float[]> images) {
        Objects.requireNonNull(images, "images");
        for (int i = 0; i < images.size(); i++) {
            float[] image = images.get(i);
            if (image == null) {
                throw new IllegalArgumentException("image " + i + " is null");
            }
            if (image.length != FashionMnist.PIXELS) {
                throw new IllegalArgumentException(
                        "image "
                                + i
                                + " has "
                                + image.length
                                + " values, expected "
                                + FashionMnist.PIXELS
                                + " (28 x 28, row-major)");
            }
            for (int p = 0; p < image.length; p++) {
                float v = image[p];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException(
                            "image " + i + ", pixel " + p + ": value " + v + " is not finite");
                }
                if (v < -TOLERANCE || v > 1 + TOLERANCE) {
                    throw new IllegalArgumentException(
                            "image " + i + ", pixel " + p + ": value " + v + " is outside [0, 1]");
                }
            }
        }
    }
}
