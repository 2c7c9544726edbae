package io.motdjl.data;

import java.util.Random;

/** Deterministic pseudo-randomness for the data pipeline: every choice derives from a seed. */
final class Seeds {

    private Seeds() {}

    /**
     * A well-mixed 64-bit value for {@code (seed, stream, index)}: SplitMix64's finaliser over a
     * combination of the three, so that nearby indices (or streams) give unrelated values.
     */
    static long mix(long seed, long stream, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + stream * 0xD1B54A32D192ED03L + index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A value in {@code [0, bound)} for {@code (seed, stream, index)}. */
    static int choose(long seed, long stream, long index, int bound) {
        return (int) Long.remainderUnsigned(mix(seed, stream, index), bound);
    }

    /** A uniformly random permutation of {@code [0, n)} (Fisher-Yates). */
    static int[] permutation(int n, Random random) {
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
}
