package io.motdjl.generate;

import io.motdjl.tokenize.JointVocabulary;

/**
 * Modality-constrained decoding in the Chameleon scheme: after a begin-image token only image codes
 * may come, exactly as many as one image has, then the end-image token; outside an image only text
 * tokens (bytes, end of sequence, and, when images are allowed, begin-image). Beginning of sequence
 * and padding are never generated.
 */
public final class ChameleonDecodingRule implements DecodingRule {

    private final JointVocabulary vocabulary;
    private final int codesPerImage;
    private final boolean imagesAllowed;

    /**
     * Creates the rule for a joint vocabulary and images of {@code codesPerImage} codes.
     *
     * @param vocabulary the joint vocabulary
     * @param codesPerImage codes in one image
     * @param imagesAllowed whether the model may begin a new image outside one
     */
    public ChameleonDecodingRule(
            JointVocabulary vocabulary, int codesPerImage, boolean imagesAllowed) {
        if (codesPerImage < 1) {
            throw new IllegalArgumentException(
                    "an image needs at least one code, got " + codesPerImage);
        }
        this.vocabulary = vocabulary;
        this.codesPerImage = codesPerImage;
        this.imagesAllowed = imagesAllowed;
    }

    /** Codes in one image. */
    public int codesPerImage() {
        return codesPerImage;
    }

    @Override
    public RowState start(int[] prompt) {
        State state = new State();
        for (int i = 0; i < prompt.length; i++) {
            int token = prompt[i];
            if (token < 0 || token >= vocabulary.vocabSize()) {
                throw new IllegalArgumentException(
                        "prompt token "
                                + token
                                + " at "
                                + i
                                + " is outside the vocabulary [0, "
                                + vocabulary.vocabSize()
                                + ")");
            }
            boolean expected = state.allows(token);
            if (!expected) {
                throw new IllegalArgumentException(
                        "prompt token "
                                + vocabulary.tokenName(token)
                                + " at "
                                + i
                                + " breaks the Chameleon layout ("
                                + state.describe()
                                + ")");
            }
            state.accept(token);
        }
        return state;
    }

    private final class State implements RowState {

        private boolean inImage;
        private int codes;
        private boolean started;

        /**
         * What a prompt may hold here: what may be generated, a leading BOS, and a BOI outside an
         * image even where the rule does not let the model begin one.
         */
        boolean allows(int token) {
            if (!started && token == JointVocabulary.BOS) {
                return true;
            }
            return (!inImage && token == JointVocabulary.BOI) || allowsNext(token);
        }

        private boolean allowsNext(int token) {
            if (inImage) {
                return codes < codesPerImage
                        ? vocabulary.isImageToken(token)
                        : token == JointVocabulary.EOI;
            }
            if (token < JointVocabulary.BYTE_TOKENS || token == JointVocabulary.EOS) {
                return true;
            }
            return imagesAllowed && token == JointVocabulary.BOI;
        }

        String describe() {
            if (inImage) {
                return codes < codesPerImage
                        ? "inside an image after " + codes + " of " + codesPerImage + " codes"
                        : "an image's " + codesPerImage + " codes are complete: EOI must follow";
            }
            return imagesAllowed ? "text: bytes, EOS or BOI" : "text only: bytes or EOS";
        }

        @Override
        public void allowed(boolean[] allowed) {
            for (int t = 0; t < allowed.length; t++) {
                allowed[t] = allowsNext(t);
            }
        }

        @Override
        public void accept(int token) {
            started = true;
            if (token == JointVocabulary.BOI) {
                inImage = true;
                codes = 0;
            } else if (token == JointVocabulary.EOI) {
                inImage = false;
            } else if (inImage) {
                codes++;
            }
        }
    }
}
