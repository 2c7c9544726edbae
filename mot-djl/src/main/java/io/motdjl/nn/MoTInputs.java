package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import java.util.HashSet;
import java.util.Set;

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
 * @param extras further named arrays the trunk ignores and an input adapter reads (the Transfusion
 *     setting's {@code image_patches} and {@code diffusion_timesteps}); never null, each named
 */
public record MoTInputs(
        NDArray tokens,
        NDArray modalities,
        NDArray imageSpanIds,
        NDArray validTokens,
        NDArray documentIds,
        NDList extras) {

    public static final String TOKENS = "tokens";
    public static final String MODALITIES = "modalities";
    public static final String IMAGE_SPAN_IDS = "image_span_ids";
    public static final String VALID_TOKENS = "attention_mask";
    public static final String DOCUMENT_IDS = "document_ids";

    /** Names the core reads; an extra array may not take one of them. */
    private static final Set<String> CORE_NAMES =
            Set.of(TOKENS, MODALITIES, IMAGE_SPAN_IDS, VALID_TOKENS, DOCUMENT_IDS);

    /**
     * Checks that every extra array has a name of its own.
     *
     * @throws IllegalArgumentException for an unnamed extra, a repeated name or a core input's name
     */
    public MoTInputs {
        if (tokens == null || modalities == null) {
            throw new IllegalArgumentException(
                    "a MoT forward needs token ids and modality ids, integer (B, T); got "
                            + (tokens == null ? "no tokens" : "tokens")
                            + " and "
                            + (modalities == null ? "no modalities" : "modalities"));
        }
        extras = extras == null ? new NDList() : extras;
        Set<String> seen = new HashSet<>();
        for (NDArray extra : extras) {
            String name = extra.getName();
            if (name == null || name.isEmpty() || CORE_NAMES.contains(name) || !seen.add(name)) {
                throw new IllegalArgumentException(
                        "extra input arrays need distinct names other than "
                                + CORE_NAMES
                                + ", got "
                                + (name == null || name.isEmpty()
                                        ? "an unnamed array (arrays after tokens and modalities"
                                                + " are read by name, e.g. \""
                                                + VALID_TOKENS
                                                + "\": name each with NDArray.setName; DJL's"
                                                + " ArrayDataset drops names)"
                                        : "\"" + name + "\""));
            }
        }
    }

    /** Inputs with tokens and modalities only. */
    public static MoTInputs of(NDArray tokens, NDArray modalities) {
        return new MoTInputs(tokens, modalities, null, null, null, null);
    }

    /** A copy with image span ids. */
    public MoTInputs withImageSpanIds(NDArray spans) {
        return new MoTInputs(tokens, modalities, spans, validTokens, documentIds, extras);
    }

    /** A copy with a padding mask (1 = real token, 0 = padding). */
    public MoTInputs withValidTokens(NDArray valid) {
        return new MoTInputs(tokens, modalities, imageSpanIds, valid, documentIds, extras);
    }

    /** A copy with packed-document ids. */
    public MoTInputs withDocumentIds(NDArray documents) {
        return new MoTInputs(tokens, modalities, imageSpanIds, validTokens, documents, extras);
    }

    /**
     * A copy with a further named array, replacing any extra of that name.
     *
     * @throws IllegalArgumentException if the name is missing or a core input's
     */
    public MoTInputs withExtra(String name, NDArray array) {
        NDList next = new NDList();
        for (NDArray e : extras) {
            if (!e.getName().equals(name)) {
                next.add(e);
            }
        }
        next.add(named(array, name));
        return new MoTInputs(tokens, modalities, imageSpanIds, validTokens, documentIds, next);
    }

    /** The extra array called {@code name}, or null. */
    public NDArray extra(String name) {
        for (NDArray e : extras) {
            if (e.getName().equals(name)) {
                return e;
            }
        }
        return null;
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
        list.addAll(extras);
        return list;
    }

    /**
     * Reads the layout written by {@link #toNDList()}: arrays after the first two are found by
     * name; any with a name the core does not read is an extra.
     */
    public static MoTInputs from(NDList list) {
        if (list == null || list.size() < 2) {
            throw new IllegalArgumentException(
                    "a MoT forward needs at least tokens and modalities (B, T), got "
                            + (list == null ? "null" : list.size() + " array(s)"));
        }
        return new MoTInputs(
                list.get(0),
                list.get(1),
                optional(list, IMAGE_SPAN_IDS),
                optional(list, VALID_TOKENS),
                optional(list, DOCUMENT_IDS),
                extras(list));
    }

    private static NDArray optional(NDList list, String name) {
        for (int i = 2; i < list.size(); i++) {
            if (name.equals(list.get(i).getName())) {
                return list.get(i);
            }
        }
        return null;
    }

    private static NDList extras(NDList list) {
        NDList out = new NDList();
        for (int i = 2; i < list.size(); i++) {
            String name = list.get(i).getName();
            // an unnamed array is an extra, which the constructor refuses with the reason
            if (name == null || !CORE_NAMES.contains(name)) {
                out.add(list.get(i));
            }
        }
        return out;
    }

    private static NDArray named(NDArray array, String name) {
        array.setName(name);
        return array;
    }
}
