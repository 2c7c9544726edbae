package io.motdjl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;

import io.motdjl.nn.MoTInputs;

import java.util.Random;

/**
 * A learnable two-modality task in the training layout. Each row is a "text" segment (modality 0,
 * tokens 0..15 counting up by 1 mod 16 from a random start) followed by an "image" segment
 * (modality 1, tokens 16..31 stepping by 5 mod 16 from a start fixed by the last text token). A
 * third of the rows end in 1 to 3 padding positions (token 0, modality 0, mask 0). Everything but
 * the first text token is predictable.
 */
final class SyntheticSequences extends RandomAccessDataset {

    static final int LENGTH = 12;

    private final long[][] tokens;
    private final long[][] modalities;
    private final long[][] mask;

    private SyntheticSequences(
            Builder builder, long[][] tokens, long[][] modalities, long[][] mask) {
        super(builder);
        this.tokens = tokens;
        this.modalities = modalities;
        this.mask = mask;
    }

    /** {@code rows} sequences of length {@link #LENGTH}, drawn with {@code seed}. */
    static SyntheticSequences create(int rows, long seed) {
        Random random = new Random(seed);
        long[][] tokens = new long[rows][LENGTH];
        long[][] modalities = new long[rows][LENGTH];
        long[][] mask = new long[rows][LENGTH];
        for (int r = 0; r < rows; r++) {
            int padding = random.nextInt(3) == 0 ? 1 + random.nextInt(3) : 0;
            int real = LENGTH - padding;
            int textLength = 2 + random.nextInt(real - 3);
            long text = random.nextInt(16);
            for (int t = 0; t < textLength; t++) {
                tokens[r][t] = text;
                mask[r][t] = 1;
                text = (text + 1) % 16;
            }
            long image = (tokens[r][textLength - 1] * 3 + 1) % 16;
            for (int t = textLength; t < real; t++) {
                tokens[r][t] = 16 + image;
                modalities[r][t] = 1;
                mask[r][t] = 1;
                image = (image + 5) % 16;
            }
        }
        Builder builder = new Builder().setSampling(4, false);
        return new SyntheticSequences(builder, tokens, modalities, mask);
    }

    /** {@inheritDoc} */
    @Override
    public Record get(NDManager manager, long index) {
        int i = Math.toIntExact(index);
        NDList data =
                new NDList(
                        named(manager, tokens[i], MoTInputs.TOKENS),
                        named(manager, modalities[i], MoTInputs.MODALITIES),
                        named(manager, mask[i], MoTInputs.VALID_TOKENS));
        NDList labels =
                new NDList(
                        named(manager, tokens[i], MoTInputs.TOKENS),
                        named(manager, modalities[i], MoTInputs.MODALITIES),
                        named(manager, mask[i], MoTInputs.VALID_TOKENS));
        return new Record(data, labels);
    }

    private static NDArray named(NDManager manager, long[] values, String name) {
        NDArray array = manager.create(values, new Shape(values.length));
        array.setName(name);
        return array;
    }

    /** {@inheritDoc} */
    @Override
    protected long availableSize() {
        return tokens.length;
    }

    /** {@inheritDoc} */
    @Override
    public void prepare(Progress progress) {}

    /** Builder required by {@link RandomAccessDataset}; the run uses its own sampler. */
    static final class Builder extends BaseBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
