package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * The inputs of a {@link MoTModel} forward pass, and their layout in an {@link NDList}: {@code
 * tokens} and {@code modalities} first (integer, {@code (B, T)}), then optional arrays found by
 * name.
 *
 * @param tokens token ids {@code (B, T)} in the joint vocabulary
 * @param modalities modality id of each token {@code (B, T)}, in {@code [0, M)}
 * @param imageSpanIds image span id of each token {@code (B, T)}, 0 outside spans; null for none
 * @param validTokens 1 for real tokens and 0 for padding {@code (B, T)}; null when nothing is
 *     padded
 * @param documentIds packed-document id of each token {@code (B, T)}; null for one document a row
 */
public record MoTInputs(
        NDArray tokens,
        NDArray modalities,
        NDArray imageSpanIds,
        NDArray validTokens,
        NDArray documentIds) {

    public static final String TOKENS = "tokens";
    public static final String MODALITIES = "modalities";
    public static final String IMAGE_SPAN_IDS = "image_span_ids";
    public static final String VALID_TOKENS = "attention_mask";
    public static final String DOCUMENT_IDS = "document_ids";

    /** Inputs with tokens and modalities only. */
    public static MoTInputs of(NDArray tokens, NDArray modalities) {
        return new MoTInputs(tokens, modalities, null, null, null);
    }

    /** A copy with image span ids. */
    public MoTInputs withImageSpanIds(NDArray spans) {
        return new MoTInputs(tokens, modalities, spans, validTokens, documentIds);
    }

    /** A copy with a padding mask (1 = real token, 0 = padding). */
    public MoTInputs withValidTokens(NDArray valid) {
        return new MoTInputs(tokens, modalities, imageSpanIds, valid, documentIds);
    }

    /** A copy with packed-document ids. */
    public MoTInputs withDocumentIds(NDArray documents) {
        return new MoTInputs(tokens, modalities, imageSpanIds, validTokens, documents);
    }

    /** The NDList layout that {@link MoTModel} reads. */
    public NDList toNDList() {
        NDList list = new NDList(named(tokens, TOKENS), named(modalities, MODALITIES));
        if (imageSpanIds != null) {
            list.add(named(imageSpanIds, IMAGE_SPAN_IDS));
        }
        if (validTokens != null) {
            list.add(named(validTokens, VALID_TOKENS));
        }
        if (documentIds != null) {
            list.add(named(documentIds, DOCUMENT_IDS));
        }
        return list;
    }

    /** Reads the layout written by {@link #toNDList()}. */
    public static MoTInputs from(NDList list) {
        if (list.size() < 2) {
            throw new IllegalArgumentException(
                    "a MoT forward needs at least tokens and modalities (B, T), got "
                            + list.size()
                            + " array(s)");
        }
        return new MoTInputs(
                list.get(0),
                list.get(1),
                optional(list, IMAGE_SPAN_IDS),
                optional(list, VALID_TOKENS),
                optional(list, DOCUMENT_IDS));
    }

    private static NDArray optional(NDList list, String name) {
        for (int i = 2; i < list.size(); i++) {
            if (name.equals(list.get(i).getName())) {
                return list.get(i);
            }
        }
        return null;
    }

    private static NDArray named(NDArray array, String name) {
        array.setName(name);
        return array;
    }
}
