package io.motdjl.train;

/**
 * Where a run is in its data order: the epoch (0-based) and the number of batches of that epoch
 * already consumed. With the seed, this fixes every batch that follows.
 *
 * @param epoch the current epoch, 0-based
 * @param batchInEpoch batches of this epoch already used
 */
public record DataPosition(int epoch, long batchInEpoch) {

    /** The start of the first epoch. */
    public static final DataPosition START = new DataPosition(0, 0);

    /** Checks that the epoch and the batch are not negative. */
    public DataPosition {
        if (epoch < 0 || batchInEpoch < 0) {
            throw new IllegalArgumentException(
                    "a data position needs a non-negative epoch and batch, got epoch "
                            + epoch
                            + ", batch "
                            + batchInEpoch);
        }
    }

    /** The position after one more batch of this epoch. */
    public DataPosition nextBatch() {
        return new DataPosition(epoch, batchInEpoch + 1);
    }

    /** The start of the next epoch. */
    public DataPosition nextEpoch() {
        return new DataPosition(epoch + 1, 0);
    }
}
