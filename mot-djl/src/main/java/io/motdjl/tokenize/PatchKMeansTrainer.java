package io.motdjl.tokenize;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;

/**
 * Learns a {@link PatchKMeansTokenizer}: k-means over every patch of the training images, then the
 * centroids rounded to unsigned bytes.
 *
 * <p>Cost grows with images × patches × K × patch pixels; 5,000 28 × 28 images with the default
 * options take a few seconds on two cores. Train on the training part only, so that reconstruction
 * measured on held-out images ({@link ReconstructionReport}) is honest.
 */
public final class PatchKMeansTrainer {

    private static final Logger logger = LoggerFactory.getLogger(PatchKMeansTrainer.class);

    /**
     * Tokenizer training options.
     *
     * @param patchSize side of a square patch; must divide the image sides
     * @param codebookSize number of codes K
     * @param iterations Lloyd iterations
     * @param init how k-means chooses its first centroids
     * @param seed seed of every random choice
     */
    public record Options(
            int patchSize, int codebookSize, int iterations, KMeans.Init init, long seed) {

        /** Default patch side: 49 codes for a 28 × 28 image. */
        public static final int DEFAULT_PATCH_SIZE = 4;

        /** Default codebook size. */
        public static final int DEFAULT_CODEBOOK_SIZE = 256;

        /** Default number of Lloyd iterations. */
        public static final int DEFAULT_ITERATIONS = 20;

        /** Checks that the sizes are positive, the iterations not negative and init given. */
        public Options {
            if (patchSize <= 0 || codebookSize <= 0 || iterations < 0) {
                throw new IllegalArgumentException(
                        "patchSize and codebookSize must be positive and iterations non-negative,"
                                + " got "
                                + patchSize
                                + ", "
                                + codebookSize
                                + ", "
                                + iterations);
            }
            Objects.requireNonNull(init, "init");
        }

        /** 4 × 4 patches, 256 codes, 20 iterations, k-means++ seeding, seed 0. */
        public static Options defaults() {
            return new Options(
                    DEFAULT_PATCH_SIZE,
                    DEFAULT_CODEBOOK_SIZE,
                    DEFAULT_ITERATIONS,
                    KMeans.Init.KMEANS_PLUS_PLUS,
                    0);
        }

        /** These options with patch side {@code value}. */
        public Options withPatchSize(int value) {
            return new Options(value, codebookSize, iterations, init, seed);
        }

        /** These options with codebook size {@code value}. */
        public Options withCodebookSize(int value) {
            return new Options(patchSize, value, iterations, init, seed);
        }

        /** These options with {@code value} Lloyd iterations. */
        public Options withIterations(int value) {
            return new Options(patchSize, codebookSize, value, init, seed);
        }

        /** These options with centroid initialisation {@code value}. */
        public Options withInit(KMeans.Init value) {
            return new Options(patchSize, codebookSize, iterations, value, seed);
        }

        /** These options with seed {@code value}. */
        public Options withSeed(long value) {
            return new Options(patchSize, codebookSize, iterations, init, value);
        }
    }

    private PatchKMeansTrainer() {}

    /**
     * Trains on {@code images}.
     *
     * @param images unsigned-byte images, row-major, all {@code height × width}
     * @param height image height
     * @param width image width
     * @param options patch size, K, iterations, init, seed
     * @return the tokenizer
     */
    public static PatchKMeansTokenizer train(
            List<byte[]> images, int height, int width, Options options) {
        PatchGrid grid = new PatchGrid(height, width, options.patchSize());
        int dim = grid.patchDim();
        int perImage = grid.patchCount();
        long pointCount = (long) images.size() * perImage;
        if (pointCount * dim > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    images.size() + " images have too many patches for one array; train on fewer");
        }
        float[] points = new float[(int) pointCount * dim];
        for (int i = 0; i < images.size(); i++) {
            byte[] image = images.get(i);
            for (int p = 0; p < perImage; p++) {
                grid.extract(image, p, points, (i * perImage + p) * dim);
            }
        }
        long start = System.nanoTime();
        KMeans.Result result =
                KMeans.fit(
                        points,
                        dim,
                        new KMeans.Options(
                                options.codebookSize(),
                                options.iterations(),
                                options.init(),
                                options.seed()));
        double seconds = (System.nanoTime() - start) / 1e9;
        PatchKMeansTokenizer tokenizer =
                new PatchKMeansTokenizer(grid, toBytes(result.centroids()));
        logger.info(
                "Trained a {}-code tokenizer ({}) on {} images ({} patches) in {} s:"
                        + " {} iteration(s), patch RMSE {} on [0, 1], {} distinct entries",
                options.codebookSize(),
                grid,
                images.size(),
                pointCount,
                String.format("%.2f", seconds),
                result.iterations(),
                String.format("%.4f", Math.sqrt(result.meanSquaredDistance() / dim) / 255.0),
                tokenizer.distinctEntries());
        return tokenizer;
    }

    /** Centroids in pixel units, rounded and clamped to unsigned bytes. */
    private static byte[] toBytes(float[] centroids) {
        byte[] bytes = new byte[centroids.length];
        for (int i = 0; i < centroids.length; i++) {
            bytes[i] = (byte) Math.max(0, Math.min(255, Math.round(centroids[i])));
        }
        return bytes;
    }
}
