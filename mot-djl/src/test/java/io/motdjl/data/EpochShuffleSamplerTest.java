package io.motdjl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.RandomAccessDataset;

import io.motdjl.tokenize.JointVocabulary;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

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
    void permutationsCanKeepElementsInPlace() {
        int fixedPoints = 0;
        for (int epoch = 0; epoch < 20; epoch++) {
            int[] order = EpochShuffleSampler.permutation(7, epoch, 103);
            for (int i = 0; i < order.length; i++) {
                if (order[i] == i) {
                    fixedPoints++;
                }
            }
        }
        // a uniform permutation has one fixed point on average; DJL's RandomSampler has none
        assertTrue(fixedPoints > 5, "fixed points over 20 epochs: " + fixedPoints);
    }

    @Test
    void startingPartWayContinuesTheSameOrder() {
        RandomAccessDataset data = dataset(10);
        List<List<Long>> full = batches(new EpochShuffleSampler(3, 2, 3, true, 0), data);
        List<List<Long>> tail = batches(new EpochShuffleSampler(3, 2, 3, true, 2), data);
        assertEquals(3, full.size()); // 10 records in 3s, the last one dropped
        assertEquals(full.subList(2, 3), tail);
        List<List<Long>> kept = batches(new EpochShuffleSampler(3, 2, 3, false, 0), data);
        assertEquals(4, kept.size());
        assertEquals(1, kept.get(3).size());
        assertEquals(3, EpochShuffleSampler.batchesPerEpoch(10, 3, true));
        assertEquals(4, EpochShuffleSampler.batchesPerEpoch(10, 3, false));
        assertThrows(IllegalArgumentException.class, () -> new EpochShuffleSampler(0, 0, false));
    }

    @Test
    void eachSampleCallPlaysTheNextEpoch() {
        RandomAccessDataset data = dataset(103);
        EpochShuffleSampler a = new EpochShuffleSampler(42, 10, false);
        EpochShuffleSampler b = new EpochShuffleSampler(42, 10, false);
        List<Long> firstA = flat(batches(a, data));
        List<Long> secondA = flat(batches(a, data));
        assertEquals(2, a.nextEpoch());
        assertEquals(firstA, flat(batches(b, data)));
        assertEquals(secondA, flat(batches(b, data)));
        assertNotEquals(firstA, secondA, "each epoch has its own order");
        assertEquals(103, secondA.stream().distinct().count());
        assertNotEquals(firstA, flat(batches(new EpochShuffleSampler(43, 10, false), data)));
        // resuming part way plays the rest of that epoch, then whole epochs
        EpochShuffleSampler resumed = new EpochShuffleSampler(42, 0, 10, false, 4);
        assertEquals(firstA.subList(40, 103), flat(batches(resumed, data)));
        assertEquals(secondA, flat(batches(resumed, data)));
        List<Long> order = new ArrayList<>();
        for (int i : EpochShuffleSampler.permutation(42, 1, 103)) {
            order.add((long) i);
        }
        assertEquals(order, secondA);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aShuffledDatasetIteratesInTheSamplersOrder(boolean seedFirst) throws Exception {
        List<TokenSequence> sequences = sequences(25);
        // the seed counts whether it is given before or after the sampling
        TokenSequenceDataset shuffled =
                seedFirst
                        ? TokenSequenceDataset.builder()
                                .setSequences(sequences)
                                .optSeed(9)
                                .setSampling(4, true)
                                .build()
                        : TokenSequenceDataset.builder()
                                .setSequences(sequences)
                                .setSampling(4, true)
                                .optSeed(9)
                                .build();
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int epoch = 0; epoch < 2; epoch++) {
                List<Long> seen = new ArrayList<>();
                for (Batch batch : shuffled.getData(manager)) {
                    try (batch) {
                        for (long token : batch.getData().get(0).toLongArray()) {
                            if (token != JointVocabulary.PAD) {
                                seen.add(token);
                            }
                        }
                    }
                }
                List<Long> expected = new ArrayList<>();
                for (int i : EpochShuffleSampler.permutation(9, epoch, 25)) {
                    expected.add((long) i);
                }
                assertEquals(expected, seen, "epoch " + epoch);
            }
        }
    }

    private static List<List<Long>> batches(EpochShuffleSampler sampler, RandomAccessDataset data) {
        List<List<Long>> out = new ArrayList<>();
        for (Iterator<List<Long>> it = sampler.sample(data); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    private static List<Long> flat(List<List<Long>> batches) {
        List<Long> all = new ArrayList<>();
        batches.forEach(all::addAll);
        return all;
    }

    /** Sequence {@code i} is the single token {@code i}. */
    private static List<TokenSequence> sequences(int size) {
        List<TokenSequence> sequences = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            sequences.add(new TokenSequence(new int[] {i}, new int[] {0}, new int[] {0}));
        }
        return sequences;
    }

    private static RandomAccessDataset dataset(int size) {
        return TokenSequenceDataset.builder()
                .setSequences(sequences(size))
                .setSampling(1, false)
                .build();
    }
}
