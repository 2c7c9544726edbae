package io.motdjl.data;

import io.motdjl.tokenize.JointVocabulary;

import java.util.Objects;

/**
 * Lays out a caption and an image's codes as one sequence of the joint vocabulary.
 *
 * <pre>
 *   caption -> image: [BOS] caption [BOI] codes [EOI] [EOS]
 *   image -> caption: [BOS] [BOI] codes [EOI] caption [EOS]
 * </pre>
 *
 * <p>Modality ids come from the vocabulary's token ranges (BOI and EOI are text tokens); the
 * image's codes, and only they, get image span id {@value #IMAGE_SPAN_ID}, so that a bidirectional
 * in-image attention mask (Transfusion) can be built from the same data. This is {@link
 * InterleavedSequenceBuilder}'s layout for the two caption-image {@link Pairing}s.
 */
public final class ChameleonSequenceBuilder {

    /** Span id of the (single) image of a sequence. */
    public static final int IMAGE_SPAN_ID = 1;

    /** Tokens a sequence adds around its caption and codes: BOS, BOI, EOI, EOS. */
    public static final int FRAMING_TOKENS = 4;

    private final JointVocabulary vocabulary;
    private final InterleavedSequenceBuilder layout;

    /** A builder for sequences of {@code vocabulary}. */
    public ChameleonSequenceBuilder(JointVocabulary vocabulary) {
        this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
        this.layout = new InterleavedSequenceBuilder(vocabulary);
    }

    /** The vocabulary. */
    public JointVocabulary vocabulary() {
        return vocabulary;
    }

    /**
     * Builds one sequence.
     *
     * @param caption the caption (UTF-8 bytes become text tokens)
     * @param imageCodes the image's codes, at least one, each in {@code [0, K)}
     * @param direction which comes first
     * @return the sequence
     * @throws IllegalArgumentException if there is no code or a code is outside {@code [0, K)}
     */
    public TokenSequence build(String caption, int[] imageCodes, Direction direction) {
        return layout.build(Pairing.of(direction), caption, imageCodes, null);
    }
}
