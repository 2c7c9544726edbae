package io.motdjl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.motdjl.nn.MoTInputs;

import java.util.Set;

/**
 * Checks that a batch follows the training contract, so that a mistake fails loudly instead of,
 * say, an unnamed padding mask being silently ignored. The contract:
 *
 * <ul>
 *   <li>data: the {@link MoTInputs} layout, {@code tokens} and {@code modalities} {@code (B, T)}
 *       first, then optional arrays <em>named</em> {@code image_span_ids}, {@code attention_mask}
 *       or {@code document_ids} (the model finds them by name), each {@code (B, T)}, and extras an
 *       input adapter reads (any other name; shape {@code (B, T, ...)});
 *   <li>labels: {@code [tokens, modalities]} or {@code [tokens, modalities, attention_mask]}, each
 *       {@code (B, T)}.
 * </ul>
 */
final class BatchLayout {

    private static final Set<String> OPTIONAL_INPUTS =
            Set.of(MoTInputs.IMAGE_SPAN_IDS, MoTInputs.VALID_TOKENS, MoTInputs.DOCUMENT_IDS);

    private BatchLayout() {}

    /** Checks a next-token batch (no image spans); see {@link #check(NDList, NDList, boolean)}. */
    static void check(NDList data, NDList labels) {
        check(data, labels, false);
    }

    /**
     * Throws {@link IllegalArgumentException} naming what is wrong.
     *
     * @param imageSpansAllowed whether the objective allows image spans (a diffusion objective
     *     predicts no token inside them)
     */
    static void check(NDList data, NDList labels, boolean imageSpansAllowed) {
        if (data.size() < 2) {
            throw new IllegalArgumentException(
                    "a training batch needs data [tokens, modalities, ...], got "
                            + data.size()
                            + " array(s)");
        }
        Shape shape = data.get(0).getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("batch tokens must be (B, T), got shape " + shape);
        }
        for (int i = 1; i < data.size(); i++) {
            NDArray array = data.get(i);
            String name = array.getName();
            if (i >= 2 && (name == null || name.isEmpty())) {
                throw new IllegalArgumentException(
                        "batch data array "
                                + i
                                + " has no name; optional inputs are found by name: one of "
                                + OPTIONAL_INPUTS
                                + ", or an extra an input adapter reads");
            }
            if (i < 2 || OPTIONAL_INPUTS.contains(name)) {
                requireShape("batch data array " + i, array, shape);
            } else if (array.getShape().dimension() < 2
                    || !array.getShape().slice(0, 2).equals(shape)) {
                throw new IllegalArgumentException(
                        "batch extra input "
                                + quoted(name)
                                + " has shape "
                                + array.getShape()
                                + ", expected "
                                + shape
                                + " followed by its own dimensions");
            }
        }
        if (labels.size() < 2 || labels.size() > 3) {
            throw new IllegalArgumentException(
                    "batch labels must be [tokens, modalities, attention_mask (optional)], got "
                            + labels.size()
                            + " array(s)");
        }
        for (int i = 0; i < labels.size(); i++) {
            requireShape("batch label " + i, labels.get(i), shape);
        }
        NDArray spans = named(data, MoTInputs.IMAGE_SPAN_IDS);
        if (!imageSpansAllowed
                && spans != null
                && spans.max().toType(DataType.INT64, false).getLong() > 0) {
            // inside a bidirectional span position t sees token t+1: a next-token loss would leak
            throw new IllegalArgumentException(
                    "the batch has image spans (image_span_ids > 0), which make attention"
                            + " bidirectional inside each image; a next-token loss would then see"
                            + " its own targets. Train the Chameleon setting without image_span_ids");
        }
    }

    /** Sequence length T of a checked batch. */
    static int sequenceLength(NDList data) {
        return Math.toIntExact(data.get(0).getShape().get(1));
    }

    /**
     * Real (non-padding) input tokens of each modality: where the data's {@code attention_mask}
     * (else the third label) is non-zero, every token when there is neither.
     */
    static long[] realTokensPerModality(NDList data, NDList labels, int numModalities) {
        NDArray mask = named(data, MoTInputs.VALID_TOKENS);
        if (mask == null && labels.size() > 2) {
            mask = labels.get(2);
        }
        long[] ids = data.get(1).toType(DataType.INT64, false).toLongArray();
        long[] valid = mask == null ? null : mask.toType(DataType.INT64, false).toLongArray();
        long[] counts = new long[numModalities];
        for (int i = 0; i < ids.length; i++) {
            if (valid == null || valid[i] != 0) {
                counts[(int) ids[i]]++;
            }
        }
        return counts;
    }

    private static NDArray named(NDList list, String name) {
        for (int i = 2; i < list.size(); i++) {
            if (name.equals(list.get(i).getName())) {
                return list.get(i);
            }
        }
        return null;
    }

    private static void requireShape(String what, NDArray array, Shape expected) {
        if (!array.getShape().equals(expected)) {
            throw new IllegalArgumentException(
                    what
                            + " has shape "
                            + array.getShape()
                            + ", expected "
                            + expected
                            + " like the tokens");
        }
    }

    private static String quoted(String name) {
        return name == null ? "(no name)" : "\"" + name + "\"";
    }
}
