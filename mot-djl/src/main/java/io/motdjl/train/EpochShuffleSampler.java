package io.motdjl.train;

import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;
import io.motdjl.util.Seeds;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A DJL {@link Sampler} that visits a dataset in a seeded random order, a fresh permutation per
 * epoch, and can start part way through an epoch (for resuming). The permutation depends only on
 * the seed, the epoch and the dataset size, and uses {@link java.util.Random}, whose algorithm the
 * Java specification fixes: the same seed gives the same order on every JVM, for every model.
 */
public final class EpochShuffleSampler implements Sampler {

    /**
     * The {@link Seeds} stream of the data order. Its value is {@code 0x632BE59BD9B4E019} divided
     * by the stream multiplier mod 2^64, the offset this sampler added before the seed mixers were
     * merged: orders are unchanged.
     */
    private static final long STREAM = 0xDD5FA37F43500DB3L;

    private final long seed;
    private final int epoch;
    private final int batchSize;
    private final boolean dropLast;
    private final long firstBatch;

    /**
     * @param seed the run's seed
     * @param epoch which epoch's permutation to use
     * @param batchSize indices per batch
     * @param dropLast whether to skip a last batch smaller than {@code batchSize}
     * @param firstBatch how many batches of the epoch to skip
     */
    public EpochShuffleSampler(
            long seed, int epoch, int batchSize, boolean dropLast, long firstBatch) {
        if (batchSize < 1 || epoch < 0 || firstBatch < 0) {
            throw new IllegalArgumentException(
                    "need batchSize >= 1, epoch >= 0 and firstBatch >= 0, got "
                            + batchSize
                            + ", "
                            + epoch
                            + ", "
                            + firstBatch);
        }
        this.seed = seed;
        this.epoch = epoch;
        this.batchSize = batchSize;
        this.dropLast = dropLast;
        this.firstBatch = firstBatch;
    }

    /** The order of {@code size} records in {@code epoch} (a Fisher–Yates shuffle). */
    public static int[] permutation(long seed, int epoch, int size) {
        return Seeds.permutation(size, seed, STREAM, epoch);
    }

    /** Number of batches in one epoch over {@code size} records. */
    public static long batchesPerEpoch(long size, int batchSize, boolean dropLast) {
        return dropLast ? size / batchSize : (size + batchSize - 1) / batchSize;
    }

    /** {@inheritDoc} */
    @Override
    public Iterator<List<Long>> sample(RandomAccessDataset dataset) {
        long size = dataset.size();
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "datasets of more than 2^31 records are not supported, got " + size);
        }
        int[] order = permutation(seed, epoch, (int) size);
        long batches = batchesPerEpoch(size, batchSize, dropLast);
        return new Iterator<>() {
            private long batch = firstBatch;

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
