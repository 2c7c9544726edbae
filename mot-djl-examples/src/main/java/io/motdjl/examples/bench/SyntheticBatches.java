package io.motdjl.examples.bench;

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
 * Random token sequences in the training layout ({@code data = [tokens, modalities]}, {@code labels
 * = [tokens, modalities]}), with the modalities laid out by a {@link ModalityLayout}: what the
 * training benchmarks feed {@link io.motdjl.train.TrainingRun}. Token ids are uniform over the
 * vocabulary; only the step time matters here, not what is learnt.
 */
public final class SyntheticBatches extends RandomAccessDataset {

    private final long[][] tokens;
    private final long[] modalities;

    private SyntheticBatches(Builder builder, long[][] tokens, long[] modalities) {
        super(builder);
        this.tokens = tokens;
        this.modalities = modalities;
    }

    /**
     * Creates a dataset of random token sequences with a fixed modality layout.
     *
     * @param sequences how many sequences (the run wraps around them)
     * @param length tokens per sequence
     * @param vocab vocabulary size
     * @param layout where the modalities sit
     * @param seed seed of the token ids
     * @return the dataset
     */
    public static SyntheticBatches create(
            int sequences, int length, int vocab, ModalityLayout layout, long seed) {
        Random random = new Random(seed);
        long[][] tokens = new long[sequences][length];
        for (long[] row : tokens) {
            for (int t = 0; t < length; t++) {
                row[t] = random.nextInt(vocab);
            }
        }
        Builder builder = new Builder().setSampling(1, false);
        return new SyntheticBatches(builder, tokens, layout.row(length));
    }

    @Override
    public Record get(NDManager manager, long index) {
        long[] row = tokens[Math.toIntExact(index)];
        NDList data =
                new NDList(
                        named(manager, row, MoTInputs.TOKENS),
                        named(manager, modalities, MoTInputs.MODALITIES));
        NDList labels =
                new NDList(
                        named(manager, row, MoTInputs.TOKENS),
                        named(manager, modalities, MoTInputs.MODALITIES));
        return new Record(data, labels);
    }

    private static NDArray named(NDManager manager, long[] values, String name) {
        NDArray array = manager.create(values, new Shape(values.length));
        array.setName(name);
        return array;
    }

    @Override
    protected long availableSize() {
        return tokens.length;
    }

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
