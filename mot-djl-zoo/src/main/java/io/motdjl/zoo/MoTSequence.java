package io.motdjl.zoo;

import java.util.Arrays;
import java.util.Objects;

/**
 * One interleaved token sequence to score, the input of the record translator ({@link
 * SequenceScoringTranslator}): token ids in the model's joint vocabulary, and optionally the
 * modality of each token and image span ids.
 *
 * @param tokens token ids, at least one
 * @param modalities modality id of each token; null to derive them from the config's {@code
 *     modality_token_ranges}
 * @param imageSpanIds image span id of each token (0 outside spans, bidirectional attention within
 *     a span); null for causal attention everywhere
 */
public record MoTSequence(int[] tokens, int[] modalities, int[] imageSpanIds) {

    /**
     * Requires at least one token and, for the optional arrays, one entry per token; copies the
     * arrays.
     */
    public MoTSequence {
        Objects.requireNonNull(tokens, "tokens");
        if (tokens.length == 0) {
            throw new IllegalArgumentException("a sequence needs at least one token");
        }
        tokens = tokens.clone();
        modalities = checkLength(modalities, tokens.length, "modalities");
        imageSpanIds = checkLength(imageSpanIds, tokens.length, "imageSpanIds");
    }

    /** Tokens whose modalities follow from the config's token ranges. */
    public static MoTSequence of(int[] tokens) {
        return new MoTSequence(tokens, null, null);
    }

    /** Tokens with their modalities. */
    public static MoTSequence of(int[] tokens, int[] modalities) {
        return new MoTSequence(tokens, modalities, null);
    }

    /** Number of tokens. */
    public int length() {
        return tokens.length;
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public int[] modalities() {
        return modalities == null ? null : modalities.clone();
    }

    @Override
    public int[] imageSpanIds() {
        return imageSpanIds == null ? null : imageSpanIds.clone();
    }

    private static int[] checkLength(int[] values, int length, String name) {
        if (values == null) {
            return null;
        }
        if (values.length != length) {
            throw new IllegalArgumentException(
                    name
                            + " has "
                            + values.length
                            + " entries but there are "
                            + length
                            + " tokens");
        }
        return values.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MoTSequence s
                && Arrays.equals(s.tokens, tokens)
                && Arrays.equals(s.modalities, modalities)
                && Arrays.equals(s.imageSpanIds, imageSpanIds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                Arrays.hashCode(tokens),
                Arrays.hashCode(modalities),
                Arrays.hashCode(imageSpanIds));
    }

    @Override
    public String toString() {
        return "MoTSequence["
                + tokens.length
                + " tokens"
                + (imageSpanIds == null ? "" : ", image spans")
                + "]";
    }
}
