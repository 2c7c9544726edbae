package io.motdjl.generate;

import io.motdjl.tokenize.JointVocabulary;

/**
 * Modality-constrained decoding in the Chameleon scheme: after a begin-image token only image codes
 * may come, exactly as many as one image has, then the end-image token; outside an image only text
 * tokens (bytes, end of sequence, and, when images are allowed, begin-image). Beginning of sequence
 * and padding are never generated. This is {@link SpanDecodingRule} with image spans only (speech
 * tokens, in a vocabulary that has them, are refused).
 */
public final class ChameleonDecodingRule implements DecodingRule {

    private final SpanDecodingRule rule;

    /**
     * Creates the rule for a joint vocabulary and images of {@code codesPerImage} codes.
     *
     * @param vocabulary the joint vocabulary
     * @param codesPerImage codes in one image
     * @param imagesAllowed whether the model may begin a new image outside one
     */
    public ChameleonDecodingRule(
            JointVocabulary vocabulary, int codesPerImage, boolean imagesAllowed) {
        this.rule =
                SpanDecodingRule.builder(vocabulary).images(codesPerImage, imagesAllowed).build();
    }

    /** Codes in one image. */
    public int codesPerImage() {
        return rule.codesPerImage();
    }

    @Override
    public RowState start(int[] prompt) {
        return rule.start(prompt);
    }
}
