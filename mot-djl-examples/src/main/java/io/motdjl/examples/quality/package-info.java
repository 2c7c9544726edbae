/**
 * Measures the quality of generated 28 × 28 Fashion-MNIST-like images with a small classifier
 * trained in Java and bundled in this module: caption fidelity (the share of images made for class
 * c that the classifier labels c) and the Fashion-MNIST-feature FID (the Fréchet distance between
 * Gaussians fitted to the classifier's penultimate-layer features of generated and of real held-out
 * images; not comparable with Inception FID numbers).
 *
 * <pre>{@code
 * try (NDManager manager = NDManager.newBaseManager();
 *         FashionClassifier classifier = FashionClassifier.loadBundled(manager)) {
 *     List<float[]> reference = FashionImages.all(heldOut);
 *     ImageQualityEvaluator evaluator = new ImageQualityEvaluator(classifier, reference);
 *     ImageQuality quality = evaluator.evaluate(generatedByClass);
 *     results.put("image_quality", quality.toMap());
 * }
 * }</pre>
 *
 * <p>{@link io.motdjl.examples.quality.TrainFashionClassifier} made the bundled weights; see {@code
 * docs/image-quality.md}.
 */
package io.motdjl.examples.quality;
