package io.motdjl.examples.quality;

import io.motdjl.examples.chameleon.FashionMnist;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Measures generated images against a reference set of real held-out images with a {@link
 * FashionClassifier}: caption fidelity (the share of images made for class c that the classifier
 * labels c) and the Fashion-MNIST-feature FID ({@link FrechetDistance} between the Gaussians of the
 * classifier's penultimate features).
 *
 * <p>The reference features are computed once, in the constructor. The FID of a set of {@code n}
 * images is biased upward, the more so the smaller {@code n}: compare sets of the same size only.
 */
public final class ImageQualityEvaluator {

    private static final Logger logger = LoggerFactory.getLogger(ImageQualityEvaluator.class);

    private final FashionClassifier classifier;
    private final FeatureStatistics reference;

    /**
     * Fits the reference Gaussian.
     *
     * @param classifier the classifier (not closed by the evaluator; keep it open while evaluating)
     * @param reference real held-out images (784 floats in {@code [0, 1]} each), at least two and
     *     preferably many more than {@link FashionClassifier#featureWidth()}
     * @throws IllegalArgumentException if an image is malformed or there are fewer than two
     */
    public ImageQualityEvaluator(FashionClassifier classifier, List<float[]> reference) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        if (reference.size() < 2) {
            throw new IllegalArgumentException(
                    "the reference set needs at least 2 images, got " + reference.size());
        }
        this.reference = FeatureStatistics.of(classifier.features(reference));
        if (!this.reference.canBeFullRank()) {
            logger.warn(
                    "{} reference images for {} features: the covariance is rank-deficient",
                    reference.size(),
                    classifier.featureWidth());
        }
    }

    /**
     * Measures generated images.
     *
     * @param imagesByClass the generated images by the class their caption asked for (labels in
     *     {@code [0, 10)}); at least two images in all
     * @return caption fidelity, overall and per class, and the Fashion-MNIST-feature FID against
     *     the reference set
     * @throws IllegalArgumentException if a label is out of range, an image is malformed or there
     *     are fewer than two images
     */
    public ImageQuality evaluate(Map<Integer, ? extends List<float[]>> imagesByClass) {
        List<float[]> images = new ArrayList<>();
        List<Integer> intended = new ArrayList<>();
        for (Map.Entry<Integer, ? extends List<float[]>> e :
                new TreeMap<>(imagesByClass).entrySet()) {
            int label = e.getKey();
            if (label < 0 || label >= FashionMnist.NUM_CLASSES) {
                throw new IllegalArgumentException(
                        "class label "
                                + label
                                + " is outside [0, "
                                + FashionMnist.NUM_CLASSES
                                + ")");
            }
            try {
                FashionImages.validate(e.getValue());
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException("class " + label + ": " + bad.getMessage(), bad);
            }
            for (float[] image : e.getValue()) {
                images.add(image);
                intended.add(label);
            }
        }
        if (images.size() < 2) {
            throw new IllegalArgumentException(
                    "the Fashion-MNIST-feature FID needs at least 2 generated images, got "
                            + images.size());
        }
        FashionClassifier.Predictions predictions = classifier.predict(images);
        int[] correct = new int[FashionMnist.NUM_CLASSES];
        int[] total = new int[FashionMnist.NUM_CLASSES];
        int allCorrect = 0;
        for (int i = 0; i < images.size(); i++) {
            int label = intended.get(i);
            total[label]++;
            if (predictions.labels()[i] == label) {
                correct[label]++;
                allCorrect++;
            }
        }
        Map<Integer, Double> perClassFidelity = new TreeMap<>();
        Map<Integer, Integer> perClassImages = new TreeMap<>();
        for (int c = 0; c < FashionMnist.NUM_CLASSES; c++) {
            if (total[c] > 0) {
                perClassFidelity.put(c, (double) correct[c] / total[c]);
                perClassImages.put(c, total[c]);
            }
        }
        FeatureStatistics generated = FeatureStatistics.of(predictions.features());
        if (!generated.canBeFullRank()) {
            logger.warn(
                    "{} generated images for {} features: the covariance is rank-deficient and the"
                            + " Fashion-MNIST-feature FID strongly biased upward",
                    images.size(),
                    classifier.featureWidth());
        }
        double fid = FrechetDistance.between(generated, reference);
        ImageQuality quality =
                new ImageQuality(
                        images.size(),
                        (double) allCorrect / images.size(),
                        perClassFidelity,
                        perClassImages,
                        fid,
                        reference.count(),
                        classifier.featureWidth());
        logger.debug(
                "{} images: caption fidelity {}, Fashion-MNIST-feature FID {}",
                quality.images(),
                quality.captionFidelity(),
                quality.fashionMnistFeatureFid());
        return quality;
    }

    /** The reference Gaussian's statistics. */
    public FeatureStatistics reference() {
        return reference;
    }
}
