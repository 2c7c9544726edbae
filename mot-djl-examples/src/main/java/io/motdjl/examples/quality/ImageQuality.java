package io.motdjl.examples.quality;

import io.motdjl.examples.chameleon.FashionMnist;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The quality of a set of generated images, as {@link ImageQualityEvaluator} measures it.
 *
 * @param images number of generated images measured
 * @param captionFidelity share of all images that the classifier labels with their intended class
 * @param perClassFidelity that share for each intended class that has images, by label
 * @param perClassImages number of images of each intended class that has images, by label
 * @param fashionMnistFeatureFid the Fashion-MNIST-feature FID: the Fréchet distance between
 *     Gaussians fitted to the classifier's penultimate features of the generated and of the
 *     reference images (not comparable with Inception FID numbers)
 * @param referenceImages number of real images the reference Gaussian was fitted to
 * @param featureWidth width F of the features; below {@code F + 1} images a set's covariance is
 *     rank-deficient
 */
public record ImageQuality(
        int images,
        double captionFidelity,
        Map<Integer, Double> perClassFidelity,
        Map<Integer, Integer> perClassImages,
        double fashionMnistFeatureFid,
        int referenceImages,
        int featureWidth) {

    /** Copies the per-class maps into sorted, unmodifiable ones. */
    public ImageQuality {
        perClassFidelity = Collections.unmodifiableMap(new TreeMap<>(perClassFidelity));
        perClassImages = Collections.unmodifiableMap(new TreeMap<>(perClassImages));
    }

    /**
     * The results as a JSON-ready map (numbers, strings and nested maps; per-class entries keyed by
     * the class's caption name, e.g. {@code "ankle boot"}), for a {@code results.json}: {@code
     * images}, {@code caption_fidelity}, {@code caption_fidelity_per_class}, {@code
     * images_per_class}, {@code fashion_mnist_feature_fid}, {@code reference_images}, {@code
     * feature_width}.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("images", images);
        map.put("caption_fidelity", captionFidelity);
        map.put("caption_fidelity_per_class", byCaptionName(perClassFidelity));
        map.put("images_per_class", byCaptionName(perClassImages));
        map.put("fashion_mnist_feature_fid", fashionMnistFeatureFid);
        map.put("reference_images", referenceImages);
        map.put("feature_width", featureWidth);
        return map;
    }

    private static <V> Map<String, V> byCaptionName(Map<Integer, V> byLabel) {
        Map<String, V> named = new LinkedHashMap<>();
        byLabel.forEach((label, value) -> named.put(FashionMnist.captionName(label), value));
        return named;
    }
}
