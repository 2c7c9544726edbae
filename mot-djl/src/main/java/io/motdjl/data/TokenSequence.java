package io.motdjl.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tokenized training sequence, position by position: token id, modality id and image span id (a
 * positive id shared by the codes of one image, 0 elsewhere). Immutable.
 */
public final class TokenSequence {

    private final int[] tokens;
    private final int[] modalities;
    private final int[] imageSpanIds;

    /**
     * A sequence; the three arrays are copied and must have the same, positive length.
     *
     * @param tokens token ids
     * @param modalities modality id of each token, non-negative
     * @param imageSpanIds image span id of each token, non-negative
     */
    public TokenSequence(int[] tokens, int[] modalities, int[] imageSpanIds) {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(modalities, "modalities");
        Objects.requireNonNull(imageSpanIds, "imageSpanIds");
        if (tokens.length == 0
                || modalities.length != tokens.length
                || imageSpanIds.length != tokens.length) {
            throw new IllegalArgumentException(
                    "tokens, modalities and image span ids must have the same positive length, got "
                            + tokens.length
                            + ", "
                            + modalities.length
                            + ", "
                            + imageSpanIds.length);
        }
        for (int t = 0; t < tokens.length; t++) {
            if (tokens[t] < 0 || modalities[t] < 0 || imageSpanIds[t] < 0) {
                throw new IllegalArgumentException(
                        "position "
                                + t
                                + ": token "
                                + tokens[t]
                                + ", modality "
                                + modalities[t]
                                + ", span "
                                + imageSpanIds[t]
                                + "; none may be negative");
            }
        }
        this.tokens = tokens.clone();
        this.modalities = modalities.clone();
        this.imageSpanIds = imageSpanIds.clone();
    }

    /** Number of positions. */
    public int length() {
        return tokens.length;
    }

    /** Token ids (a copy). */
    public int[] tokens() {
        return tokens.clone();
    }

    /** Modality ids (a copy). */
    public int[] modalities() {
        return modalities.clone();
    }

    /** Image span ids (a copy). */
    public int[] imageSpanIds() {
        return imageSpanIds.clone();
    }

    /** Token id at {@code position}. */
    public int token(int position) {
        return tokens[position];
    }

    /** Modality id at {@code position}. */
    public int modality(int position) {
        return modalities[position];
    }

    /** Image span id at {@code position}. */
    public int imageSpanId(int position) {
        return imageSpanIds[position];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenSequence s
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
        return "TokenSequence[length "
                + tokens.length
                + ", tokens "
                + Arrays.toString(tokens)
                + "]";
    }
}
