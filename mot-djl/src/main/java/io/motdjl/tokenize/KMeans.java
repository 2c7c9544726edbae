package io.motdjl.tokenize;

import io.motdjl.util.Seeds;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Lloyd's k-means in plain Java, deterministic for a seed.
 *
 * <p>The assignment step runs in parallel over fixed-size chunks of points and the chunks' sums are
 * combined in chunk order, so the result does not depend on the number of threads.
 */
public final class KMeans {

    private static final Logger logger = LoggerFactory.getLogger(KMeans.class);

    /** Points per parallel work unit; fixed so that results are independent of the thread count. */
    private static final int CHUNK = 4096;

    /** How the first centroids are chosen. */
    public enum Init {
        /** k-means++ (Arthur and Vassilvitskii 2007): spread-out seeds, sampled by D². */
        KMEANS_PLUS_PLUS,
        /** {@code k} distinct points drawn uniformly. */
        RANDOM
    }

    /**
     * Training options.
     *
     * @param k number of centroids
     * @param iterations Lloyd iterations (fewer if the assignment stops changing)
     * @param init how to choose the first centroids
     * @param seed seed of every random choice
     */
    public record Options(int k, int iterations, Init init, long seed) {
        /** Checks that k is positive, the iterations not negative and init given. */
        public Options {
            if (k <= 0 || iterations < 0) {
                throw new IllegalArgumentException(
                        "k must be positive and iterations non-negative, got k = "
                                + k
                                + ", iterations = "
                                + iterations);
            }
            Objects.requireNonNull(init, "init");
        }
    }

    /**
     * A trained clustering.
     *
     * @param centroids {@code k * dim} floats, centroid after centroid
     * @param k number of centroids
     * @param dim dimension of a point
     * @param iterations Lloyd iterations run
     * @param meanSquaredDistance mean squared distance of a point to its nearest centroid (as of
     *     the last assignment step)
     */
    public record Result(
            float[] centroids, int k, int dim, int iterations, double meanSquaredDistance) {}

    private KMeans() {}

    /**
     * Clusters {@code points}.
     *
     * @param points {@code n * dim} floats, point after point ({@code n >= k})
     * @param dim dimension of a point
     * @param options k, iterations, init and seed
     * @return the centroids
     */
    public static Result fit(float[] points, int dim, Options options) {
        if (dim <= 0 || points.length % dim != 0) {
            throw new IllegalArgumentException(
                    points.length + " floats are not a whole number of points of dimension " + dim);
        }
        int n = points.length / dim;
        int k = options.k();
        if (n < k) {
            throw new IllegalArgumentException(
                    "k-means with k = " + k + " needs at least k points, got " + n);
        }
        Random random = new Random(options.seed());
        float[] centroids =
                options.init() == Init.RANDOM
                        ? randomInit(points, n, dim, k, random)
                        : plusPlusInit(points, n, dim, k, random);
        int[] assignment = new int[n];
        Arrays.fill(assignment, -1);
        float[] distance = new float[n];
        double meanSquared = Double.NaN;
        int iteration = 0;
        while (iteration < options.iterations()) {
            Step step = assign(points, n, dim, centroids, k, assignment, distance);
            iteration++;
            meanSquared = step.squaredDistance / n;
            logger.debug(
                    "k-means iteration {}: mean squared distance {}, {} points moved",
                    iteration,
                    meanSquared,
                    step.changed);
            if (step.changed == 0) {
                break; // converged: the update would give the same centroids again
            }
            update(points, dim, k, step, distance, centroids);
        }
        return new Result(centroids, k, dim, iteration, meanSquared);
    }

    /**
     * Index of the centroid nearest to point {@code point} (squared Euclidean distance; the lowest
     * index wins a tie).
     */
    static int nearest(float[] points, int point, int dim, float[] centroids, int k) {
        return nearest(points, point, dim, centroids, k, -1);
    }

    /**
     * As {@link #nearest(float[], int, int, float[], int)}, starting from centroid {@code hint}
     * (its previous assignment, or -1): a close first candidate lets most other centroids be ruled
     * out after a few coordinates. The answer does not depend on the hint.
     */
    private static int nearest(
            float[] points, int point, int dim, float[] centroids, int k, int hint) {
        int base = point * dim;
        int best = hint;
        float bestDistance =
                hint >= 0
                        ? squaredDistance(points, base, centroids, hint * dim, dim)
                        : Float.POSITIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            int cBase = c * dim;
            float d = 0;
            // partial sums only grow: stop once this centroid can neither win nor tie
            for (int j = 0; j < dim && d <= bestDistance; j++) {
                float diff = points[base + j] - centroids[cBase + j];
                d += diff * diff;
            }
            if (d < bestDistance || (d == bestDistance && c < best)) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }

    private static float squaredDistance(float[] a, int aBase, float[] b, int bBase, int dim) {
        float d = 0;
        for (int j = 0; j < dim; j++) {
            float diff = a[aBase + j] - b[bBase + j];
            d += diff * diff;
        }
        return d;
    }

    // ---------------------------------------------------------------- initialisation

    private static float[] randomInit(float[] points, int n, int dim, int k, Random random) {
        int[] order = Seeds.permutation(n, random);
        float[] centroids = new float[k * dim];
        for (int c = 0; c < k; c++) {
            System.arraycopy(points, order[c] * dim, centroids, c * dim, dim);
        }
        return centroids;
    }

    private static float[] plusPlusInit(float[] points, int n, int dim, int k, Random random) {
        float[] centroids = new float[k * dim];
        float[] minDistance = new float[n];
        Arrays.fill(minDistance, Float.POSITIVE_INFINITY);
        int chunks = chunks(n);
        double[] chunkSums = new double[chunks];
        int chosen = random.nextInt(n);
        for (int c = 0; c < k; c++) {
            System.arraycopy(points, chosen * dim, centroids, c * dim, dim);
            int centroid = c;
            IntStream.range(0, chunks)
                    .parallel()
                    .forEach(
                            chunk -> {
                                double sum = 0;
                                for (int i = chunk * CHUNK;
                                        i < Math.min(n, (chunk + 1) * CHUNK);
                                        i++) {
                                    float d =
                                            squaredDistance(
                                                    points,
                                                    i * dim,
                                                    centroids,
                                                    centroid * dim,
                                                    dim);
                                    if (d < minDistance[i]) {
                                        minDistance[i] = d;
                                    }
                                    sum += minDistance[i];
                                }
                                chunkSums[chunk] = sum;
                            });
            if (c + 1 < k) {
                chosen = sampleBySquaredDistance(minDistance, chunkSums, n, random);
            }
        }
        return centroids;
    }

    /** Draws a point with probability proportional to its squared distance (D² sampling). */
    private static int sampleBySquaredDistance(
            float[] minDistance, double[] chunkSums, int n, Random random) {
        double total = 0;
        for (double s : chunkSums) {
            total += s;
        }
        if (!(total > 0)) {
            // every point coincides with a centroid: fewer distinct points than k
            return random.nextInt(n);
        }
        double target = random.nextDouble() * total;
        int chunk = 0;
        while (chunk < chunkSums.length - 1 && target >= chunkSums[chunk]) {
            target -= chunkSums[chunk];
            chunk++;
        }
        int last = -1;
        for (int i = chunk * CHUNK; i < Math.min(n, (chunk + 1) * CHUNK); i++) {
            if (minDistance[i] > 0) {
                last = i;
                target -= minDistance[i];
                if (target < 0) {
                    return i;
                }
            }
        }
        // rounding left a sliver of the chunk's sum: the last positive point takes it
        return last >= 0 ? last : random.nextInt(n);
    }

    // ---------------------------------------------------------------- Lloyd iterations

    /** Per-cluster sums of one assignment step. */
    private record Step(double[] sums, long[] counts, double squaredDistance, long changed) {}

    private record ChunkResult(
            double[] sums, long[] counts, double squaredDistance, long changed) {}

    private static Step assign(
            float[] points,
            int n,
            int dim,
            float[] centroids,
            int k,
            int[] assignment,
            float[] distance) {
        List<ChunkResult> parts =
                IntStream.range(0, chunks(n))
                        .parallel()
                        .mapToObj(
                                chunk ->
                                        assignChunk(
                                                points,
                                                n,
                                                dim,
                                                centroids,
                                                k,
                                                assignment,
                                                distance,
                                                chunk))
                        .toList(); // encounter order: chunks are combined in a fixed order
        double[] sums = new double[k * dim];
        long[] counts = new long[k];
        double squared = 0;
        long changed = 0;
        for (ChunkResult part : parts) {
            for (int i = 0; i < sums.length; i++) {
                sums[i] += part.sums[i];
            }
            for (int c = 0; c < k; c++) {
                counts[c] += part.counts[c];
            }
            squared += part.squaredDistance;
            changed += part.changed;
        }
        return new Step(sums, counts, squared, changed);
    }

    private static ChunkResult assignChunk(
            float[] points,
            int n,
            int dim,
            float[] centroids,
            int k,
            int[] assignment,
            float[] distance,
            int chunk) {
        double[] sums = new double[k * dim];
        long[] counts = new long[k];
        double squared = 0;
        long changed = 0;
        for (int i = chunk * CHUNK; i < Math.min(n, (chunk + 1) * CHUNK); i++) {
            int c = nearest(points, i, dim, centroids, k, assignment[i]);
            if (c != assignment[i]) {
                changed++;
                assignment[i] = c;
            }
            float d = squaredDistance(points, i * dim, centroids, c * dim, dim);
            distance[i] = d;
            squared += d;
            counts[c]++;
            for (int j = 0; j < dim; j++) {
                sums[c * dim + j] += points[i * dim + j];
            }
        }
        return new ChunkResult(sums, counts, squared, changed);
    }

    /**
     * Moves each centroid to the mean of its points. A centroid that lost all its points moves onto
     * the point farthest from its own centroid, which splits the worst-fitted cluster.
     */
    private static void update(
            float[] points, int dim, int k, Step step, float[] distance, float[] centroids) {
        int empty = 0;
        for (int c = 0; c < k; c++) {
            if (step.counts[c] == 0) {
                empty++;
                int far = argmax(distance);
                distance[far] = -1; // not chosen twice
                System.arraycopy(points, far * dim, centroids, c * dim, dim);
                continue;
            }
            for (int j = 0; j < dim; j++) {
                centroids[c * dim + j] = (float) (step.sums[c * dim + j] / step.counts[c]);
            }
        }
        if (empty > 0) {
            logger.debug("k-means: reseeded {} empty cluster(s) at the farthest points", empty);
        }
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private static int chunks(int n) {
        return (n + CHUNK - 1) / CHUNK;
    }
}
