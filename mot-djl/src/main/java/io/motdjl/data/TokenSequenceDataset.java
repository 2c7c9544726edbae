package io.motdjl.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.BatchSampler;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.training.dataset.Sampler;
import ai.djl.training.dataset.SequenceSampler;
import ai.djl.util.Progress;

import io.motdjl.nn.MoTInputs;

import java.util.List;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * A DJL dataset over pre-tokenized sequences held in memory.
 *
 * <p>Record {@code i}: data {@code [tokens, modalities]} (plus {@code image_span_ids} when {@link
 * Builder#optImageSpans} is set) and labels {@code [tokens, modalities]}, 1-d int64 arrays named as
 * in {@link MoTInputs}. The builder's default batchifiers ({@link MoTSequenceBatchifier}) pad each
 * batch to its longest sequence, so a batch is the {@link MoTInputs} layout plus the padding mask.
 * {@code setSampling(batchSize, true)} shuffles reproducibly with an {@link EpochShuffleSampler} of
 * the builder's seed: a fresh order each time the data is iterated, the order a {@code TrainingRun}
 * with that seed trains in.
 */
public final class TokenSequenceDataset extends RandomAccessDataset {

    private final List<TokenSequence> sequences;
    private final int maxLength;

    private final boolean imageSpans;

    private TokenSequenceDataset(Builder builder) {
        super(builder);
        this.sequences = builder.sequences;
        this.imageSpans = builder.imageSpans;
        this.maxLength = sequences.stream().mapToInt(TokenSequence::length).max().orElse(0);
    }

    /** A builder; {@link Builder#setSequences} and a sampling are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Record get(NDManager manager, long index) {
        TokenSequence sequence = sequence(index);
        NDList data =
                new NDList(
                        array(manager, sequence.tokens(), MoTInputs.TOKENS),
                        array(manager, sequence.modalities(), MoTInputs.MODALITIES));
        if (imageSpans) {
            data.add(array(manager, sequence.imageSpanIds(), MoTInputs.IMAGE_SPAN_IDS));
        }
        NDList labels =
                new NDList(
                        array(manager, sequence.tokens(), MoTInputs.TOKENS),
                        array(manager, sequence.modalities(), MoTInputs.MODALITIES));
        return new Record(data, labels);
    }

    private static NDArray array(NDManager manager, int[] values, String name) {
        long[] longs = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            longs[i] = values[i];
        }
        NDArray array = manager.create(longs);
        array.setName(name);
        return array;
    }

    @Override
    protected long availableSize() {
        return sequences.size();
    }

    /** Nothing to prepare: the sequences are already in memory. */
    @Override
    public void prepare(Progress progress) {}

    /** Sequence {@code index}. */
    public TokenSequence sequence(long index) {
        Objects.checkIndex(index, size());
        return sequences.get((int) index);
    }

    /** All sequences (an unmodifiable list). */
    public List<TokenSequence> sequences() {
        return sequences;
    }

    /** Length of the longest sequence. */
    public int maxLength() {
        return maxLength;
    }

    /** Builder of a {@link TokenSequenceDataset}. */
    public static final class Builder extends RandomAccessDataset.BaseBuilder<Builder> {

        private List<TokenSequence> sequences;
        private long seed;
        private boolean imageSpans;
        // a shuffle asked for by setSampling, made from the seed at build() so that optSeed may
        // come later; null when none is pending
        private LongFunction<Sampler> pendingShuffle;

        private Builder() {
            dataBatchifier = MoTSequenceBatchifier.forData();
            labelBatchifier = MoTSequenceBatchifier.forLabels();
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** The sequences (copied). */
        public Builder setSequences(List<TokenSequence> value) {
            this.sequences = List.copyOf(value);
            return this;
        }

        /**
         * Whether records carry {@code image_span_ids}, which make attention bidirectional inside
         * each image (the Transfusion setting). Default false: the Chameleon setting is causal
         * everywhere, and bidirectional spans would let a next-token loss see its own targets.
         */
        public Builder optImageSpans(boolean value) {
            this.imageSpans = value;
            return this;
        }

        /** Seed of the shuffle that {@code setSampling(batchSize, true)} sets up; default 0. */
        public Builder optSeed(long value) {
            this.seed = value;
            return this;
        }

        /**
         * Batches of {@code batchSize}; shuffled reproducibly ({@link EpochShuffleSampler} with
         * this builder's seed, one epoch per iteration) when {@code random}, in order otherwise.
         * The seed is read at {@link #build}, so {@link #optSeed} may come before or after.
         */
        @Override
        public Builder setSampling(int batchSize, boolean random, boolean dropLast) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
            }
            if (!random) {
                return setSampling(new BatchSampler(new SequenceSampler(), batchSize, dropLast));
            }
            sampler = null;
            pendingShuffle = s -> new EpochShuffleSampler(s, batchSize, dropLast);
            return this;
        }

        /** A sampler of the caller's own (replaces any sampling set before). */
        @Override
        public Builder setSampling(Sampler value) {
            pendingShuffle = null;
            return super.setSampling(value);
        }

        /** Builds the dataset. */
        public TokenSequenceDataset build() {
            if (pendingShuffle != null) {
                super.setSampling(pendingShuffle.apply(seed));
            }
            Objects.requireNonNull(sequences, "setSequences must be called");
            Objects.requireNonNull(
                    sampler, "a sampling must be set (setSampling(batchSize, shuffle))");
            return new TokenSequenceDataset(this);
        }
    }
}
