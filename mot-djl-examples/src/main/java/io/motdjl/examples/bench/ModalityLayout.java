package io.motdjl.examples.bench;

/**
 * Where each modality's tokens sit in a benchmark sequence. Every row of a batch has the same
 * layout, as in the PyTorch anchor ({@code shared/anchors/pytorch/bench.py}).
 */
public enum ModalityLayout {

    /** One modality everywhere: the dense baseline's input. */
    DENSE(1),

    /**
     * Two modalities of equal share, as the anchor lays them out: text {@code [0, T/4)}, image
     * {@code [T/4, 3T/4)}, text {@code [3T/4, T)}.
     */
    TWO_MODALITIES(2),

    /**
     * Three modalities of equal share: text, image, speech, each a third of the row in that order.
     */
    THREE_MODALITIES(3);

    private final int modalities;

    ModalityLayout(int modalities) {
        this.modalities = modalities;
    }

    /** Number of modalities M of the model this layout feeds. */
    public int modalities() {
        return modalities;
    }

    /** A short label for tables: dense, MoT-2, MoT-3. */
    public String label() {
        return modalities == 1 ? "dense" : "MoT-" + modalities;
    }

    /** Modality id of each of the {@code length} positions of a row. */
    public long[] row(int length) {
        long[] ids = new long[length];
        for (int t = 0; t < length; t++) {
            switch (this) {
                case DENSE -> ids[t] = 0;
                case TWO_MODALITIES -> ids[t] = t >= length / 4 && t < 3 * length / 4 ? 1 : 0;
                case THREE_MODALITIES -> ids[t] = Math.min(2, (3L * t) / length);
                default -> throw new AssertionError(this);
            }
        }
        return ids;
    }

    /** Modality ids of a whole batch, row-major {@code (batch, length)}. */
    public long[] batch(int batch, int length) {
        long[] row = row(length);
        long[] ids = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(row, 0, ids, b * length, length);
        }
        return ids;
    }

    /** Tokens of each modality in a batch of {@code batch} rows of {@code length}. */
    public long[] tokensPerModality(int batch, int length) {
        long[] counts = new long[modalities];
        for (long id : row(length)) {
            counts[(int) id] += batch;
        }
        return counts;
    }
}
