package io.motdjl.util;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * The one place where a seed becomes pseudo-random choices: the training data order, dataset
 * shuffles, k-means seeding, token sampling and the examples' splits, caption templates and
 * directions all derive from here, so the same seed gives the same choices on every JVM.
 *
 * <p>A choice is identified by {@code (seed, stream, index)}: the stream keeps unrelated choices
 * made with the same seed independent (conventionally four ASCII letters, e.g. {@code "CAPT"} for
 * caption templates), the index numbers the choices of one stream (an example, an epoch, a row).
 */
public final class Seeds {

    /** SplitMix64's increment, {@code 2^64 / φ} rounded to odd. */
    public static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    /** An odd multiplier that spreads stream ids over the 64 bits before mixing. */
    private static final long STREAM_MULTIPLIER = 0xD1B54A32D192ED03L;

    private Seeds() {}

    /**
     * A well-mixed 64-bit value for {@code (seed, stream, index)}: SplitMix64's finaliser over
     * {@code seed · γ + stream · c + index}, so that nearby seeds, streams or indices give
     * unrelated values.
     */
    public static long mix(long seed, long stream, long index) {
        long z = seed * GOLDEN_GAMMA + stream * STREAM_MULTIPLIER + index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A value in {@code [0, bound)} for {@code (seed, stream, index)}. */
    public static int choose(long seed, long stream, long index, int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        return (int) Long.remainderUnsigned(mix(seed, stream, index), bound);
    }

    /**
     * A uniformly random permutation of {@code [0, n)}: Fisher-Yates from the last position down,
     * drawing {@code random.nextInt(i + 1)} for position {@code i}. {@link Random}'s algorithm is
     * fixed by the Java specification, so a seeded generator gives the same order on every JVM.
     */
    public static int[] permutation(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }

    /**
     * A uniformly random permutation of {@code [0, n)} for {@code (seed, stream, index)}: {@link
     * #permutation(int, Random)} with a {@link Random} seeded by {@link #mix}.
     */
    public static int[] permutation(int n, long seed, long stream, long index) {
        return permutation(n, new Random(mix(seed, stream, index)));
    }

    /**
     * A {@link SplittableRandom} for {@code (seed, index)}, seeded with {@code seed · γ + index}
     * (SplittableRandom mixes its seed itself): one independent generator per index, e.g. per
     * generated row.
     */
    public static SplittableRandom splittableRandom(long seed, long index) {
        return new SplittableRandom(seed * GOLDEN_GAMMA + index);
    }
}
