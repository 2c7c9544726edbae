package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.util.PairList;
import io.motdjl.routing.ModalityRouting;

/**
 * What a MoT forward pass computes once and hands to every layer: the modality routing, the
 * additive attention mask and the rotary tables. It travels in the {@code params} of DJL's {@code
 * Block.forward}, so the layers stay ordinary DJL blocks.
 *
 * @param routing index masks by modality id
 * @param attentionMask additive mask {@code (B, 1, T, T)}: 0 where attention is allowed, -inf where
 *     not; {@code null} only for blocks that do not attend
 * @param rotary cos/sin tables for positions {@code 0..T-1}; {@code null} only for blocks that do
 *     not attend
 */
public record ForwardContext(
        ModalityRouting routing, NDArray attentionMask, RotaryEmbedding.Tables rotary) {

    /** Key under which the context travels in a block's {@code params}. */
    public static final String KEY = "mot.forward-context";

    /** Wraps this context as DJL block {@code params}. */
    public PairList<String, Object> asParams() {
        PairList<String, Object> params = new PairList<>();
        params.add(KEY, this);
        return params;
    }

    /**
     * Finds the context in a block's {@code params}.
     *
     * @param params the params given to {@code forward}
     * @param block the block asking, for the error message
     * @return the context
     * @throws IllegalArgumentException if there is none
     */
    public static ForwardContext from(PairList<String, Object> params, String block) {
        Object value = params == null ? null : params.get(KEY);
        if (!(value instanceof ForwardContext context)) {
            throw new IllegalArgumentException(
                    block
                            + " needs a ForwardContext (modality routing, attention mask, rotary"
                            + " tables) in its forward params under \""
                            + KEY
                            + "\"; MoTModel passes one, standalone use must build it with"
                            + " ForwardContext.create(...)");
        }
        return context;
    }
}
