package io.motdjl.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;

import io.motdjl.nn.MoTInputs;
import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.util.NativeArrays;

import java.util.Objects;

/**
 * Batches variable-length token sequences for a {@link io.motdjl.nn.MoTModel}: pads each batch on
 * the right to its longest sequence and adds the padding mask.
 *
 * <p>A record is an {@link NDList} of 1-d integer arrays named {@code tokens}, {@code modalities}
 * and (optionally) {@code image_span_ids}. The batch, all {@code (B, T)} int64:
 *
 * <ul>
 *   <li>{@link Layout#DATA}: the {@link MoTInputs} layout — {@code tokens}, {@code modalities},
 *       {@code image_span_ids}, {@code attention_mask} (1 = real token, 0 = padding);
 *   <li>{@link Layout#LABELS}: {@code tokens}, {@code modalities}, {@code attention_mask}.
 * </ul>
 *
 * <p>Padding positions hold the pad token, the pad modality (text) and span id 0.
 */
public final class MoTSequenceBatchifier implements Batchifier {

    private static final long serialVersionUID = 1L;

    /** What a batch holds. */
    public enum Layout {
        /** Model inputs in the {@link MoTInputs} layout. */
        DATA,
        /** Targets for a next-token loss: tokens, modalities, padding mask. */
        LABELS
    }

    private final Layout layout;
    private final long padToken;
    private final long padModality;

    /**
     * A batchifier.
     *
     * @param layout what a batch holds
     * @param padToken token id of padding positions
     * @param padModality modality id of padding positions
     */
    public MoTSequenceBatchifier(Layout layout, long padToken, long padModality) {
        this.layout = Objects.requireNonNull(layout, "layout");
        this.padToken = padToken;
        this.padModality = padModality;
    }

    /** Model inputs padded with {@link JointVocabulary#PAD} (text modality). */
    public static MoTSequenceBatchifier forData() {
        return new MoTSequenceBatchifier(Layout.DATA, JointVocabulary.PAD, JointVocabulary.TEXT);
    }

    /** Labels padded with {@link JointVocabulary#PAD} (text modality). */
    public static MoTSequenceBatchifier forLabels() {
        return new MoTSequenceBatchifier(Layout.LABELS, JointVocabulary.PAD, JointVocabulary.TEXT);
    }

    /** What a batch holds. */
    public Layout layout() {
        return layout;
    }

    @Override
    public NDList batchify(NDList[] inputs) {
        if (inputs.length == 0) {
            throw new IllegalArgumentException("cannot batchify an empty list of records");
        }
        int batch = inputs.length;
        long[][] tokens = new long[batch][];
        long[][] modalities = new long[batch][];
        long[][] spans = new long[batch][];
        boolean anySpans = false;
        int length = 0;
        for (int b = 0; b < batch; b++) {
            NDList record = inputs[b];
            tokens[b] = vector(record, MoTInputs.TOKENS, 0, b);
            modalities[b] = vector(record, MoTInputs.MODALITIES, 1, b);
            NDArray span = find(record, MoTInputs.IMAGE_SPAN_IDS);
            anySpans |= span != null;
            spans[b] = span == null ? new long[tokens[b].length] : toVector(span, b);
            if (modalities[b].length != tokens[b].length || spans[b].length != tokens[b].length) {
                throw new IllegalArgumentException(
                        "record "
                                + b
                                + ": tokens ("
                                + tokens[b].length
                                + "), modalities ("
                                + modalities[b].length
                                + ") and image span ids ("
                                + spans[b].length
                                + ") differ in length");
            }
            length = Math.max(length, tokens[b].length);
        }
        if (length == 0) {
            throw new IllegalArgumentException("every record of the batch is empty");
        }
        long[] tokenBatch = new long[batch * length];
        long[] modalityBatch = new long[batch * length];
        long[] spanBatch = new long[batch * length];
        long[] valid = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            int row = b * length;
            int n = tokens[b].length;
            System.arraycopy(tokens[b], 0, tokenBatch, row, n);
            System.arraycopy(modalities[b], 0, modalityBatch, row, n);
            System.arraycopy(spans[b], 0, spanBatch, row, n);
            for (int t = 0; t < length; t++) {
                boolean real = t < n;
                valid[row + t] = real ? 1 : 0;
                if (!real) {
                    tokenBatch[row + t] = padToken;
                    modalityBatch[row + t] = padModality;
                }
            }
        }
        NDManager manager = inputs[0].head().getManager();
        Shape shape = new Shape(batch, length);
        // native copies: an array wrapping a Java buffer must not outlive its wrapper in autograd
        NDArray tokenArray = NativeArrays.of(manager, tokenBatch, shape);
        NDArray modalityArray = NativeArrays.of(manager, modalityBatch, shape);
        NDArray validArray = NativeArrays.of(manager, valid, shape);
        if (layout == Layout.LABELS) {
            tokenArray.setName(MoTInputs.TOKENS);
            modalityArray.setName(MoTInputs.MODALITIES);
            validArray.setName(MoTInputs.VALID_TOKENS);
            return new NDList(tokenArray, modalityArray, validArray);
        }
        // spans only when the records carry them: they switch attention to bidirectional
        NDArray spanArray = anySpans ? NativeArrays.of(manager, spanBatch, shape) : null;
        return new MoTInputs(tokenArray, modalityArray, spanArray, validArray, null, null)
                .toNDList();
    }

    /**
     * Splits a batch into its records, dropping each row's padding (counted from the padding mask);
     * records hold 1-d arrays named as the batch's, without the mask.
     */
    @Override
    public NDList[] unbatchify(NDList inputs) {
        NDArray tokens = required(inputs, MoTInputs.TOKENS);
        NDArray modalities = required(inputs, MoTInputs.MODALITIES);
        NDArray valid = required(inputs, MoTInputs.VALID_TOKENS);
        NDArray spans = find(inputs, MoTInputs.IMAGE_SPAN_IDS);
        int batch = Math.toIntExact(tokens.getShape().get(0));
        long[] validValues = valid.toLongArray();
        int length = Math.toIntExact(tokens.getShape().get(1));
        NDList[] records = new NDList[batch];
        for (int b = 0; b < batch; b++) {
            int n = 0;
            while (n < length && validValues[b * length + n] != 0) {
                n++;
            }
            String range = b + ", :" + n;
            NDList record = new NDList();
            record.add(named(tokens.get(range), MoTInputs.TOKENS));
            record.add(named(modalities.get(range), MoTInputs.MODALITIES));
            if (spans != null) {
                record.add(named(spans.get(range), MoTInputs.IMAGE_SPAN_IDS));
            }
            records[b] = record;
        }
        return records;
    }

    private static long[] vector(NDList record, String name, int position, int b) {
        NDArray array = find(record, name);
        if (array == null) {
            if (record.size() <= position) {
                throw new IllegalArgumentException(
                        "record "
                                + b
                                + " has no \""
                                + name
                                + "\" array (nor one at position "
                                + position
                                + ")");
            }
            array = record.get(position);
        }
        return toVector(array, b);
    }

    private static long[] toVector(NDArray array, int b) {
        if (array.getShape().dimension() != 1) {
            throw new IllegalArgumentException(
                    "record "
                            + b
                            + ": \""
                            + array.getName()
                            + "\" must be 1-d, got shape "
                            + array.getShape());
        }
        if (!array.getDataType().isInteger()) {
            throw new IllegalArgumentException(
                    "record "
                            + b
                            + ": \""
                            + array.getName()
                            + "\" must hold integers, got "
                            + array.getDataType());
        }
        return array.toType(DataType.INT64, false).toLongArray();
    }

    private static NDArray required(NDList list, String name) {
        NDArray array = find(list, name);
        if (array == null) {
            throw new IllegalArgumentException("the batch has no \"" + name + "\" array");
        }
        return array;
    }

    private static NDArray find(NDList list, String name) {
        for (NDArray array : list) {
            if (name.equals(array.getName())) {
                return array;
            }
        }
        return null;
    }

    private static NDArray named(NDArray array, String name) {
        array.setName(name);
        return array;
    }
}
