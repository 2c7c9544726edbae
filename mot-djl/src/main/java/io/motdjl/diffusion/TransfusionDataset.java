package io.motdjl.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;

import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.PatchAdapter;
import io.motdjl.tokenize.JointVocabulary;

import java.util.List;
import java.util.Objects;

/**
 * Transfusion sequences as a DJL dataset, each padded to one length so that batches stack. Data:
 * {@code [tokens, modalities, image_span_ids, attention_mask, image_patches (T, P),
 * diffusion_timestep_limit]}; labels: {@code [tokens, modalities, attention_mask]} — the layout
 * {@link TransfusionObjective#prepare} noises. Padding positions are {@link JointVocabulary#PAD},
 * modality text, mask 0.
 */
public final class TransfusionDataset extends RandomAccessDataset {

    private final List<TransfusionSequence> sequences;
    private final int length;
    private final int patchValues;

    private TransfusionDataset(Builder builder) {
        super(builder);
        this.sequences = builder.sequences;
        this.patchValues = builder.patchValues;
        int longest = 0;
        for (TransfusionSequence s : sequences) {
            longest = Math.max(longest, s.length());
            if (s.patches().length != s.length() * patchValues) {
                throw new IllegalArgumentException(
                        "every sequence needs "
                                + patchValues
                                + " patch values per position, one has "
                                + s.patches().length
                                + " for "
                                + s.length()
                                + " positions");
            }
        }
        this.length = longest;
    }

    /** A builder; {@link Builder#setSequences} and a sampling are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The padded length T of every sequence. */
    public int sequenceLength() {
        return length;
    }

    /** The sequence at {@code index}, unpadded. */
    public TransfusionSequence sequence(int index) {
        return sequences.get(index);
    }

    @Override
    public Record get(NDManager manager, long index) {
        TransfusionSequence s = sequences.get(Math.toIntExact(index));
        long[] tokens = new long[length];
        long[] modalities = new long[length];
        long[] spans = new long[length];
        long[] mask = new long[length];
        long[] limits = new long[length];
        float[] patches = new float[length * patchValues];
        java.util.Arrays.fill(tokens, JointVocabulary.PAD);
        System.arraycopy(s.tokens(), 0, tokens, 0, s.length());
        System.arraycopy(s.modalities(), 0, modalities, 0, s.length());
        System.arraycopy(s.spans(), 0, spans, 0, s.length());
        System.arraycopy(s.timestepLimit(), 0, limits, 0, s.length());
        System.arraycopy(s.patches(), 0, patches, 0, s.patches().length);
        java.util.Arrays.fill(mask, 0, s.length(), 1);
        NDList data =
                new NDList(
                        named(manager.create(tokens), MoTInputs.TOKENS),
                        named(manager.create(modalities), MoTInputs.MODALITIES),
                        named(manager.create(spans), MoTInputs.IMAGE_SPAN_IDS),
                        named(manager.create(mask), MoTInputs.VALID_TOKENS),
                        named(
                                manager.create(patches, new Shape(length, patchValues)),
                                PatchAdapter.PATCHES),
                        named(manager.create(limits), TransfusionObjective.TIMESTEP_LIMIT));
        NDList labels =
                new NDList(
                        named(manager.create(tokens), MoTInputs.TOKENS),
                        named(manager.create(modalities), MoTInputs.MODALITIES),
                        named(manager.create(mask), MoTInputs.VALID_TOKENS));
        return new Record(data, labels);
    }

    private static NDArray named(NDArray array, String name) {
        array.setName(name);
        return array;
    }

    @Override
    protected long availableSize() {
        return sequences.size();
    }

    @Override
    public void prepare(Progress progress) {}

    /** Builder of {@link TransfusionDataset}. */
    public static final class Builder extends RandomAccessDataset.BaseBuilder<Builder> {
        private List<TransfusionSequence> sequences;
        private int patchValues;

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * The sequences and their patch width P.
         *
         * @throws IllegalArgumentException for an empty list or P below 1
         */
        public Builder setSequences(List<TransfusionSequence> value, int patchValuesPerRow) {
            if (value == null || value.isEmpty() || patchValuesPerRow < 1) {
                throw new IllegalArgumentException(
                        "a Transfusion dataset needs sequences and a positive patch width, got "
                                + (value == null ? "none" : value.size() + " sequence(s)")
                                + " and P="
                                + patchValuesPerRow);
            }
            this.sequences = List.copyOf(value);
            this.patchValues = patchValuesPerRow;
            return this;
        }

        /** Builds the dataset. */
        public TransfusionDataset build() {
            Objects.requireNonNull(sequences, "setSequences must be called");
            return new TransfusionDataset(this);
        }
    }
}
