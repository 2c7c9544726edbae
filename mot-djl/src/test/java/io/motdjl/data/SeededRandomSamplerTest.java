package io.motdjl.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

class SeededRandomSamplerTest {

    private static final RandomAccessDataset DATASET = dataset(103);

    @Test
    void sameSeedSameEpochs() {
        SeededRandomSampler a = new SeededRandomSampler(42);
        SeededRandomSampler b = new SeededRandomSampler(42);
        List<Long> firstA = drain(a.sample(DATASET));
        List<Long> secondA = drain(a.sample(DATASET));
        assertEquals(firstA, drain(b.sample(DATASET)));
        assertEquals(secondA, drain(b.sample(DATASET)));
        assertNotEquals(firstA, secondA, "each epoch has its own order");
        assertNotEquals(firstA, drain(new SeededRandomSampler(43).sample(DATASET)));
        assertEquals(secondA, drain(new SeededRandomSampler(42, 1).sample(DATASET)), "resume");
        assertEquals(2, a.nextEpoch());
    }

    @Test
    void everyEpochIsAPermutationThatCanKeepElementsInPlace() {
        SeededRandomSampler sampler = new SeededRandomSampler(7);
        int fixedPoints = 0;
        for (int epoch = 0; epoch < 20; epoch++) {
            int[] order = sampler.order(103, epoch);
            int[] sorted = order.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < sorted.length; i++) {
                assertEquals(i, sorted[i]);
                if (order[i] == i) {
                    fixedPoints++;
                }
            }
        }
        // a uniform permutation has one fixed point on average; DJL's RandomSampler has none
        assertTrue(fixedPoints > 5, "fixed points over 20 epochs: " + fixedPoints);
    }

    @Test
    void batchesCoverTheDataset() {
        Sampler sampler = SeededRandomSampler.batches(3, 10, false);
        Iterator<List<Long>> batches = sampler.sample(DATASET);
        List<Long> all = new ArrayList<>();
        int count = 0;
        while (batches.hasNext()) {
            List<Long> batch = batches.next();
            assertTrue(batch.size() == 10 || (!batches.hasNext() && batch.size() == 3));
            all.addAll(batch);
            count++;
        }
        assertEquals(11, count);
        assertEquals(103, all.stream().distinct().count());
        assertEquals(10, sampler.getBatchSize());
    }

    private static List<Long> drain(Iterator<Long> iterator) {
        List<Long> list = new ArrayList<>();
        iterator.forEachRemaining(list::add);
        return list;
    }

    private static RandomAccessDataset dataset(int size) {
        List<TokenSequence> sequences = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            sequences.add(new TokenSequence(new int[] {i}, new int[] {0}, new int[] {0}));
        }
        return TokenSequenceDataset.builder().setSequences(sequences).setSampling(1, false).build();
    }
}
