package io.motdjl.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Pins the values {@link Seeds} gives, recorded before the seed helpers of the data pipeline, the
 * training sampler and token sampling were merged into it: a change here changes every seeded
 * result of the project.
 */
class SeedsTest {

    private static final long CAPT = 0x43415054L;
    private static final long SAMP = 0x53414d50L;

    @Test
    void choicesArePinned() {
        int[] expected = {2, 2, 1, 1, 0, 4, 0, 0, 3, 4, 4, 4, 0, 1, 3, 5, 2, 4, 5, 0};
        int[] got = new int[expected.length];
        for (int i = 0; i < got.length; i++) {
            got[i] = Seeds.choose(0, CAPT, i, 6);
        }
        assertArrayEquals(expected, got);
        assertEquals(5, Seeds.choose(0, CAPT, 1L << 32, 6));
        assertThrows(IllegalArgumentException.class, () -> Seeds.choose(0, CAPT, 0, 0));
    }

    @Test
    void permutationsArePinned() {
        assertArrayEquals(
                new int[] {11, 9, 1, 5, 8, 2, 3, 7, 6, 10, 4, 0},
                Seeds.permutation(12, 42, SAMP, 0));
        assertArrayEquals(
                new int[] {5, 9, 6, 7, 2, 1, 3, 10, 4, 11, 0, 8},
                Seeds.permutation(12, Long.MAX_VALUE, SAMP, 5));
        int[] sorted = Seeds.permutation(1000, 7, SAMP, 3);
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    @Test
    void splittableRandomsArePinned() {
        SplittableRandom row1 = Seeds.splittableRandom(5, 1);
        assertEquals(-4373826470845021568L, row1.nextLong());
        assertEquals(0.877348686764173, row1.nextDouble());
        assertEquals(7042660769813076436L, Seeds.splittableRandom(-3, 0).nextLong());
    }
}
