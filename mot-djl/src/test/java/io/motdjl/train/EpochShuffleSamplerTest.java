package io.motdjl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class EpochShuffleSamplerTest {

    @Test
    void eachEpochIsAPermutationFixedBySeedAndEpoch() {
        int[] order = EpochShuffleSampler.permutation(42, 0, 100);
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
        assertArrayEquals(order, EpochShuffleSampler.permutation(42, 0, 100));
        assertFalse(Arrays.equals(order, EpochShuffleSampler.permutation(42, 1, 100)));
        assertFalse(Arrays.equals(order, EpochShuffleSampler.permutation(43, 0, 100)));
    }

    /**
     * Orders recorded before the seed helpers were merged into {@code Seeds}: the data order of
     * every training run depends on them.
     */
    @Test
    void ordersArePinned() {
        assertArrayEquals(
                new int[] {8, 6, 11, 0, 1, 2, 9, 7, 3, 10, 4, 5},
                EpochShuffleSampler.permutation(0, 0, 12));
        assertArrayEquals(
                new int[] {9, 8, 5, 0, 3, 11, 6, 2, 10, 7, 1, 4},
                EpochShuffleSampler.permutation(42, 1, 12));
        assertArrayEquals(
                new int[] {0, 9, 1, 4, 5, 8, 2, 10, 6, 11, 7, 3},
                EpochShuffleSampler.permutation(-7, 5, 12));
        assertArrayEquals(
                new int[] {11, 7, 8, 6, 1, 9, 10, 5, 3, 2, 4, 0},
                EpochShuffleSampler.permutation(Long.MAX_VALUE, 5, 12));
    }

    @Test
    void startingPartWayContinuesTheSameOrder() {
        SyntheticSequences data = SyntheticSequences.create(10, 0);
        List<List<Long>> full = batches(new EpochShuffleSampler(3, 2, 3, true, 0), data);
        List<List<Long>> tail = batches(new EpochShuffleSampler(3, 2, 3, true, 2), data);
        assertEquals(3, full.size()); // 10 records in 3s, the last one dropped
        assertEquals(full.subList(2, 3), tail);
        List<List<Long>> kept = batches(new EpochShuffleSampler(3, 2, 3, false, 0), data);
        assertEquals(4, kept.size());
        assertEquals(1, kept.get(3).size());
        assertEquals(3, EpochShuffleSampler.batchesPerEpoch(10, 3, true));
        assertEquals(4, EpochShuffleSampler.batchesPerEpoch(10, 3, false));
    }

    private static List<List<Long>> batches(EpochShuffleSampler sampler, SyntheticSequences data) {
        List<List<Long>> out = new ArrayList<>();
        for (Iterator<List<Long>> it = sampler.sample(data); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }
}
