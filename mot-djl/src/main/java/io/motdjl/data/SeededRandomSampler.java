package io.motdjl.data;

import ai.djl.training.dataset.BatchSampler;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;

import io.motdjl.util.Seeds;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A shuffling {@link Sampler.SubSampler} whose order is a function of a seed and an epoch number:
 * epoch {@code e} visits the dataset in {@link #order(int, long) order(size, e)}, and each call of
 * {@link #sample} starts the next epoch. Two samplers with the same seed therefore produce the same
 * sequence of epochs.
 *
 * <p>Why not DJL's {@code RandomSampler}: in DJL 0.36 it draws from the process-wide {@code
 * RandomUtils.RANDOM}, whose state depends on everything else that used it (it is only reset by
 * {@code Engine.setRandomSeed}), and its swap loop picks {@code j < i}, which yields only cyclic
 * permutations (Sattolo's algorithm): no element ever stays in place.
 */
public final class SeededRandomSampler implements Sampler.SubSampler {

    /** Keeps epoch orders independent of other seeded choices made with the same seed. */
    private static final long STREAM = 0x53414d50L; // "SAMP"

    private final long seed;
    private final AtomicLong nextEpoch;

    /** A sampler whose first epoch is epoch 0. */
    public SeededRandomSampler(long seed) {
        this(seed, 0);
    }

    /**
     * A sampler that starts at {@code firstEpoch} (to resume training where it stopped).
     *
     * @param seed the seed
     * @param firstEpoch the epoch the first {@link #sample} call plays
     */
    public SeededRandomSampler(long seed, long firstEpoch) {
        if (firstEpoch < 0) {
            throw new IllegalArgumentException("firstEpoch must be >= 0, got " + firstEpoch);
        }
        this.seed = seed;
        this.nextEpoch = new AtomicLong(firstEpoch);
    }

    /**
     * Batches of shuffled indices, reproducible for {@code seed}.
     *
     * @param seed the seed
     * @param batchSize indices per batch
     * @param dropLast whether to drop a last, smaller batch
     * @return a sampler for {@code RandomAccessDataset.BaseBuilder#setSampling(Sampler)}
     */
    public static Sampler batches(long seed, int batchSize, boolean dropLast) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        return new BatchSampler(new SeededRandomSampler(seed), batchSize, dropLast);
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    /** The epoch the next {@link #sample} call will play. */
    public long nextEpoch() {
        return nextEpoch.get();
    }

    /**
     * The visiting order of epoch {@code epoch} over {@code size} records: a uniformly random
     * permutation of {@code [0, size)} (Fisher-Yates) drawn from the seed and the epoch.
     */
    public int[] order(int size, long epoch) {
        return Seeds.permutation(size, seed, STREAM, epoch);
    }

    @Override
    public Iterator<Long> sample(RandomAccessDataset dataset) {
        int[] order = order(Math.toIntExact(dataset.size()), nextEpoch.getAndIncrement());
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < order.length;
            }

            @Override
            public Long next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return (long) order[next++];
            }
        };
    }
}
