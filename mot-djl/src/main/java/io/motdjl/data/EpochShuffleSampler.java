package io.motdjl.data;

import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;

import io.motdjl.util.Seeds;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A DJL {@link Sampler} that visits a dataset in batches, in a seeded random order: a fresh
 * permutation per epoch, which depends only on the seed, the epoch and the dataset size ({@link
 * #permutation}). It is the one shuffled order of mot-djl: {@code TrainingRun} reads its data in
 * it, and {@link TokenSequenceDataset}'s shuffled sampling uses it, so a dataset iterated on its
 * own visits its records in the order a run with the same seed trains on them.
 *
 * <p>Each {@link #sample} call plays the next epoch: the first plays {@code firstEpoch} from batch
 * {@code firstBatch} (to resume part way through an epoch), each later one the epoch after, from
 * its first batch.
 *
 * <p>Why not DJL's {@code RandomSampler}: in DJL 0.36 it draws from the process-wide {@code
 * RandomUtils.RANDOM}, whose state depends on everything else that used it (it is only reset by
 * {@code Engine.setRandomSeed}), and its swap loop picks {@code j < i}, which yields only cyclic
 * permutations (Sattolo's algorithm): no element ever stays in place.
 */
public final class EpochShuffleSampler implements Sampler {

    /**
     * The {@link Seeds} stream of the data order. Its value is {@code 0x632BE59BD9B4E019} divided
     * by the stream multiplier mod 2^64, the offset this sampler added before the seed mixers were
     * merged: orders are unchanged.
     */
    private static final long STREAM = 0xDD5FA37F43500DB3L;

    private final long seed;
    private final int batchSize;
    private final boolean dropLast;
    // the next sample() call's epoch and first batch; guarded by this
    private int nextEpoch;
    private long firstBatch;

    /**
     * A sampler whose first {@link #sample} call plays epoch 0 from its start.
     *
     * @param seed the seed of the order
     * @param batchSize indices per batch
     * @param dropLast whether to skip a last batch smaller than {@code batchSize}
     */
    public EpochShuffleSampler(long seed, int batchSize, boolean dropLast) {
        this(seed, 0, batchSize, dropLast, 0);
    }

    /**
     * A sampler that starts part way through the data order (to resume a run).
     *
     * @param seed the seed of the order
     * @param firstEpoch the epoch the first {@link #sample} call plays
     * @param batchSize indices per batch
     * @param dropLast whether to skip a last batch smaller than {@code batchSize}
     * @param firstBatch how many batches of the first epoch to skip
     */
    public EpochShuffleSampler(
            long seed, int firstEpoch, int batchSize, boolean dropLast, long firstBatch) {
        if (batchSize < 1 || firstEpoch < 0 || firstBatch < 0) {
            throw new IllegalArgumentException(
                    "need batchSize >= 1, epoch >= 0 and firstBatch >= 0, got "
                            + batchSize
                            + ", "
                            + firstEpoch
                            + ", "
                            + firstBatch);
        }
        this.seed = seed;
        this.batchSize = batchSize;
        this.dropLast = dropLast;
        this.nextEpoch = firstEpoch;
        this.firstBatch = firstBatch;
    }

    /**
     * The order of {@code size} records in {@code epoch}: a uniformly random permutation
     * (Fisher–Yates over {@link java.util.Random}, whose algorithm the Java specification fixes),
     * the same on every JVM.
     */
    public static int[] permutation(long seed, int epoch, int size) {
        return Seeds.permutation(size, seed, STREAM, epoch);
    }

    /** Number of batches in one epoch over {@code size} records. */
    public static long batchesPerEpoch(long size, int batchSize, boolean dropLast) {
        return dropLast ? size / batchSize : (size + batchSize - 1) / batchSize;
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    /** The epoch the next {@link #sample} call plays. */
    public synchronized int nextEpoch() {
        return nextEpoch;
    }

    /** Batches of the next epoch's order. */
    @Override
    public Iterator<List<Long>> sample(RandomAccessDataset dataset) {
        long size = dataset.size();
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "datasets of more than 2^31 records are not supported, got " + size);
        }
        long skip;
        int epoch;
        synchronized (this) {
            epoch = nextEpoch++;
            skip = firstBatch;
            firstBatch = 0;
        }
        int[] order = permutation(seed, epoch, (int) size);
        long batches = batchesPerEpoch(size, batchSize, dropLast);
        return new Iterator<>() {
            private long batch = skip;

            @Override
            public boolean hasNext() {
                return batch < batches;
            }

            @Override
            public List<Long> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int from = Math.toIntExact(batch * batchSize);
                int to = Math.min(from + batchSize, order.length);
                List<Long> indices = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    indices.add((long) order[i]);
                }
                batch++;
                return indices;
            }
        };
    }

    /** {@inheritDoc} */
    @Override
    public int getBatchSize() {
        return batchSize;
    }
}
