package io.motdjl.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;

class KMeansTest {

    /** Four tight 2-d blobs around the corners of a square. */
    private static final float[][] CENTRES = {{0, 0}, {100, 0}, {0, 100}, {100, 100}};

    private static float[] blobs(int perBlob, long seed) {
        Random random = new Random(seed);
        float[] points = new float[CENTRES.length * perBlob * 2];
        int at = 0;
        for (int i = 0; i < perBlob; i++) {
            for (float[] centre : CENTRES) {
                points[at++] = centre[0] + (float) random.nextGaussian();
                points[at++] = centre[1] + (float) random.nextGaussian();
            }
        }
        return points;
    }

    @ParameterizedTest
    @EnumSource(KMeans.Init.class)
    void findsWellSeparatedClusters(KMeans.Init init) {
        KMeans.Result result = KMeans.fit(blobs(2000, 1), 2, new KMeans.Options(4, 20, init, 3));
        for (float[] centre : CENTRES) {
            double best = Double.MAX_VALUE;
            for (int c = 0; c < 4; c++) {
                double dx = result.centroids()[2 * c] - centre[0];
                double dy = result.centroids()[2 * c + 1] - centre[1];
                best = Math.min(best, Math.sqrt(dx * dx + dy * dy));
            }
            assertTrue(
                    best < 0.2,
                    "a centroid within 0.2 of " + Arrays.toString(centre) + ": " + best);
        }
        // unit-variance blobs in 2-d: mean squared distance about 2
        assertEquals(2.0, result.meanSquaredDistance(), 0.15);
        assertTrue(result.iterations() < 20, "converges early: " + result.iterations());
    }

    @Test
    void deterministicForASeedAndDifferentAcrossSeeds() {
        float[] points = new float[3000 * 3];
        Random random = new Random(5);
        for (int i = 0; i < points.length; i++) {
            points[i] = random.nextFloat() * 10;
        }
        KMeans.Options options = new KMeans.Options(16, 5, KMeans.Init.KMEANS_PLUS_PLUS, 11);
        float[] a = KMeans.fit(points, 3, options).centroids();
        float[] b = KMeans.fit(points, 3, options).centroids();
        assertArrayEquals(a, b, 0f);
        float[] c =
                KMeans.fit(points, 3, new KMeans.Options(16, 5, KMeans.Init.KMEANS_PLUS_PLUS, 12))
                        .centroids();
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    void resultDoesNotDependOnTheNumberOfThreads() throws Exception {
        float[] points = blobs(5000, 9); // 20,000 points: several parallel chunks
        KMeans.Options options = new KMeans.Options(8, 6, KMeans.Init.KMEANS_PLUS_PLUS, 4);
        float[] parallel = KMeans.fit(points, 2, options).centroids();
        // parallel streams started inside a pool run in that pool: one thread here
        ForkJoinPool single = new ForkJoinPool(1);
        try {
            float[] sequential =
                    single.submit(() -> KMeans.fit(points, 2, options)).get().centroids();
            assertArrayEquals(parallel, sequential, 0f);
        } finally {
            single.shutdown();
        }
    }

    @Test
    void survivesFewerDistinctPointsThanCentroids() {
        // 3 distinct points repeated: k = 5 leaves duplicate centroids but must not fail
        float[] points = new float[60];
        for (int i = 0; i < 60; i++) {
            points[i] = (i / 2) % 3 * 10;
        }
        KMeans.Result result =
                KMeans.fit(points, 2, new KMeans.Options(5, 10, KMeans.Init.KMEANS_PLUS_PLUS, 0));
        assertEquals(0.0, result.meanSquaredDistance(), 1e-9);
        for (float value : result.centroids()) {
            assertTrue(value == 0 || value == 10 || value == 20, "a data point: " + value);
        }
    }

    @Test
    void nearestPrefersTheLowestIndexOnTies() {
        float[] centroids = {1, 1, 0, 0, 0, 0};
        assertEquals(1, KMeans.nearest(new float[] {0, 0}, 0, 2, centroids, 3));
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(
                IllegalArgumentException.class,
                () -> KMeans.fit(new float[6], 2, new KMeans.Options(4, 1, KMeans.Init.RANDOM, 0)));
        assertThrows(
                IllegalArgumentException.class,
                () -> KMeans.fit(new float[5], 2, new KMeans.Options(1, 1, KMeans.Init.RANDOM, 0)));
        assertThrows(
                IllegalArgumentException.class,
                () -> new KMeans.Options(0, 1, KMeans.Init.RANDOM, 0));
    }
}
