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
 * in-image attention mask (Transfusion) can be built from the same data.
 */
public final class ChameleonSequenceBuilder {

    /** Span id of the (single) image of a sequence. */
    public static final int IMAGE_SPAN_ID = 1;

    /** Tokens a sequence adds around its caption and codes: BOS, BOI, EOI, EOS. */
    public static final int FRAMING_TOKENS = 4;

    private final JointVocabulary vocabulary;

    /** A builder for sequences of {@code vocabulary}. */
    public ChameleonSequenceBuilder(JointVocabulary vocabulary) {
        this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
    }

    /** The vocabulary. */
    public JointVocabulary vocabulary() {
        return vocabulary;
    }

    /**
     * Builds one sequence.
     *
     * @param caption the caption (UTF-8 bytes become text tokens)
     * @param imageCodes the image's codes, each in {@code [0, K)}
     * @param direction which comes first
     * @return the sequence
     */
    public TokenSequence build(String caption, int[] imageCodes, Direction direction) {
        int[] text = JointVocabulary.encodeText(caption);
        int[] image = vocabulary.imageTokens(imageCodes);
        int length = text.length + image.length + FRAMING_TOKENS;
        int[] tokens = new int[length];
        int[] spans = new int[length];
        int at = 0;
        tokens[at++] = JointVocabulary.BOS;
        if (direction == Direction.CAPTION_TO_IMAGE) {
            at = put(text, tokens, at);
        }
        tokens[at++] = JointVocabulary.BOI;
        for (int token : image) {
            spans[at] = IMAGE_SPAN_ID;
            tokens[at++] = token;
        }
        tokens[at++] = JointVocabulary.EOI;
        if (direction == Direction.IMAGE_TO_CAPTION) {
            at = put(text, tokens, at);
        }
        tokens[at] = JointVocabulary.EOS;
        int[] modalities = new int[length];
        for (int t = 0; t < length; t++) {
            modalities[t] = vocabulary.modalityOf(tokens[t]);
        }
        return new TokenSequence(tokens, modalities, spans);
    }

    private static int put(int[] source, int[] target, int at) {
        System.arraycopy(source, 0, target, at, source.length);
        return at + source.length;
    }
}
