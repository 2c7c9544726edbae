package io.motdjl.train;

import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.translate.TranslateException;

import io.motdjl.data.EpochShuffleSampler;

import java.io.IOException;
import java.util.Iterator;

/**
 * An endless stream of training batches: epochs wrap around, and every batch is fixed by the seed
 * and the {@link DataPosition}, so a stream reopened at a saved position continues exactly.
 *
 * <p>A {@link RandomAccessDataset} is visited in the order of an {@link EpochShuffleSampler} (the
 * dataset's own sampler is not used). Any other {@link Dataset} is read in its own order and batch
 * size, and resuming skips the batches already used; that is exact only if the dataset yields the
 * same batches each time it is iterated.
 *
 * <p>Each epoch's iteration owns a sub-manager of the given manager, closed when the epoch ends or
 * the stream closes; each batch is the caller's to close.
 */
final class BatchStream implements AutoCloseable {

    private final Dataset dataset;
    private final NDManager parent;
    private final long seed;
    private final int batchSize;
    private final boolean dropLast;
    private DataPosition position;
    private NDManager epochManager;
    private Iterator<Batch> batches;

    BatchStream(
            Dataset dataset,
            NDManager parent,
            long seed,
            int batchSize,
            boolean dropLast,
            DataPosition start) {
        this.dataset = dataset;
        this.parent = parent;
        this.seed = seed;
        this.batchSize = batchSize;
        this.dropLast = dropLast;
        this.position = start;
    }

    /** The position of the next batch. */
    DataPosition position() {
        return position;
    }

    /**
     * The next batch, starting a new epoch when the current one is used up.
     *
     * @throws IllegalStateException if an epoch has no batch at all
     */
    Batch next() throws IOException, TranslateException {
        boolean freshEpoch = false;
        while (true) {
            if (batches == null) {
                open();
                freshEpoch = position.batchInEpoch() == 0;
            }
            if (batches.hasNext()) {
                Batch batch = batches.next();
                position = position.nextBatch();
                return batch;
            }
            if (freshEpoch) {
                throw new IllegalStateException(
                        "the training dataset yields no batch of "
                                + batchSize
                                + " sequences in an epoch"
                                + (dropLast ? " (the last, smaller batch is dropped)" : ""));
            }
            closeEpoch();
            position = position.nextEpoch();
        }
    }

    private void open() throws IOException, TranslateException {
        epochManager = parent.newSubManager();
        epochManager.setName("epoch-" + position.epoch());
        if (dataset instanceof RandomAccessDataset randomAccess) {
            EpochShuffleSampler sampler =
                    new EpochShuffleSampler(
                            seed, position.epoch(), batchSize, dropLast, position.batchInEpoch());
            batches = randomAccess.getData(epochManager, sampler).iterator();
        } else {
            batches = dataset.getData(epochManager).iterator();
            for (long i = 0; i < position.batchInEpoch() && batches.hasNext(); i++) {
                batches.next().close();
            }
        }
    }

    private void closeEpoch() {
        batches = null;
        if (epochManager != null) {
            epochManager.close();
            epochManager = null;
        }
    }

    /** Frees the current epoch's iteration; the position is kept. */
    @Override
    public void close() {
        closeEpoch();
    }
}
