package io.motdjl.generate;

import io.motdjl.tokenize.JointVocabulary;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Modality-constrained decoding over the joint vocabulary's text with image and speech spans.
 * Outside a span only text tokens may come (bytes, EOS) and the begin marker of each kind of span
 * the caller lets the model open (BOI, BOSP); inside an image exactly {@code codesPerImage} codes,
 * then EOI; inside speech at least one and at most {@code maxSpeechUnits} units, EOSP allowed after
 * the first and the only choice after the last. BOS and PAD are never generated.
 *
 * <p>A prompt may also hold a leading BOS and the begin marker of any kind of span the rule knows
 * (configured with {@link Builder#images} or {@link Builder#speech}), even one the model may not
 * open itself: a prompt {@code [BOS] [BOSP] units [EOSP]} asks for text under a rule that opens
 * nothing. A span the rule does not know is refused in prompts and never generated. {@link
 * ChameleonDecodingRule} is this rule with image spans only.
 */
public final class SpanDecodingRule implements DecodingRule {

    private final JointVocabulary vocabulary;
    private final int codesPerImage;
    private final boolean imagesAllowed;
    private final int maxSpeechUnits;
    private final boolean speechAllowed;

    private SpanDecodingRule(Builder b) {
        this.vocabulary = b.vocabulary;
        this.codesPerImage = b.codesPerImage;
        this.imagesAllowed = b.imagesAllowed;
        this.maxSpeechUnits = b.maxSpeechUnits;
        this.speechAllowed = b.speechAllowed;
    }

    /** A builder of a rule over {@code vocabulary}; with neither span kind it allows text only. */
    public static Builder builder(JointVocabulary vocabulary) {
        return new Builder(vocabulary);
    }

    /** Codes in one image; 0 when the rule knows no image spans. */
    public int codesPerImage() {
        return codesPerImage;
    }

    /** The most units in one speech span; 0 when the rule knows no speech spans. */
    public int maxSpeechUnits() {
        return maxSpeechUnits;
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
            if (!state.allowsInPrompt(token)) {
                throw new IllegalArgumentException(
                        "prompt token "
                                + vocabulary.tokenName(token)
                                + " at "
                                + i
                                + " breaks the "
                                + layoutName()
                                + " layout ("
                                + state.describe()
                                + ")");
            }
            state.accept(token);
        }
        return state;
    }

    private boolean knowsImages() {
        return codesPerImage > 0;
    }

    private boolean knowsSpeech() {
        return maxSpeechUnits > 0;
    }

    private String layoutName() {
        return knowsSpeech() ? "Chameleon + speech" : "Chameleon";
    }

    private boolean isBosp(int token) {
        return knowsSpeech() && token == vocabulary.bosp();
    }

    private boolean isEosp(int token) {
        return knowsSpeech() && token == vocabulary.eosp();
    }

    /** Where a row is: in text, or inside a span of some kind. */
    private enum Place {
        TEXT,
        IMAGE,
        SPEECH
    }

    private final class State implements RowState {

        private Place place = Place.TEXT;
        private int spanTokens;
        private boolean started;

        /**
         * What a prompt may hold here: what may be generated, a leading BOS, and outside a span the
         * begin marker of any span kind the rule knows, even where it may not be generated.
         */
        boolean allowsInPrompt(int token) {
            if (!started && token == JointVocabulary.BOS) {
                return true;
            }
            boolean opensKnownSpan =
                    (knowsImages() && token == JointVocabulary.BOI) || isBosp(token);
            return (place == Place.TEXT && opensKnownSpan) || allowsNext(token);
        }

        private boolean allowsNext(int token) {
            switch (place) {
                case IMAGE:
                    return spanTokens < codesPerImage
                            ? vocabulary.isImageToken(token)
                            : token == JointVocabulary.EOI;
                case SPEECH:
                    if (spanTokens >= maxSpeechUnits) {
                        return isEosp(token);
                    }
                    return vocabulary.isSpeechUnitToken(token) || (spanTokens > 0 && isEosp(token));
                default:
                    if (token < JointVocabulary.BYTE_TOKENS || token == JointVocabulary.EOS) {
                        return true;
                    }
                    return (imagesAllowed && token == JointVocabulary.BOI)
                            || (speechAllowed && isBosp(token));
            }
        }

        String describe() {
            switch (place) {
                case IMAGE:
                    return spanTokens < codesPerImage
                            ? "inside an image after "
                                    + spanTokens
                                    + " of "
                                    + codesPerImage
                                    + " codes"
                            : "an image's "
                                    + codesPerImage
                                    + " codes are complete: EOI must follow";
                case SPEECH:
                    if (spanTokens == 0) {
                        return "a speech span has begun: a unit must follow";
                    }
                    return spanTokens < maxSpeechUnits
                            ? "inside speech after "
                                    + spanTokens
                                    + " of at most "
                                    + maxSpeechUnits
                                    + " units: a unit or EOSP"
                            : "a speech span has its most "
                                    + maxSpeechUnits
                                    + " units: EOSP must follow";
                default:
                    return describeText();
            }
        }

        private String describeText() {
            List<String> openers = new ArrayList<>();
            if (imagesAllowed) {
                openers.add("BOI");
            }
            if (speechAllowed) {
                openers.add("BOSP");
            }
            if (openers.isEmpty()) {
                return "text only: bytes or EOS";
            }
            return "text: bytes, EOS"
                    + (openers.size() > 1 ? ", " + openers.get(0) : "")
                    + " or "
                    + openers.get(openers.size() - 1);
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
                enter(Place.IMAGE);
            } else if (isBosp(token)) {
                enter(Place.SPEECH);
            } else if (token == JointVocabulary.EOI || isEosp(token)) {
                place = Place.TEXT;
            } else if (place != Place.TEXT) {
                spanTokens++;
            }
        }

        private void enter(Place span) {
            place = span;
            spanTokens = 0;
        }
    }

    /** Which kinds of span a rule knows, their sizes, and which the model may open. */
    public static final class Builder {
        private final JointVocabulary vocabulary;
        private int codesPerImage;
        private boolean imagesAllowed;
        private int maxSpeechUnits;
        private boolean speechAllowed;

        private Builder(JointVocabulary vocabulary) {
            this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
        }

        /**
         * Image spans of {@code codesPerImage} codes.
         *
         * @param codesPerImage codes in one image, at least one
         * @param mayOpen whether the model may begin a new image (BOI) outside a span
         * @return this builder
         */
        public Builder images(int codesPerImage, boolean mayOpen) {
            if (codesPerImage < 1) {
                throw new IllegalArgumentException(
                        "an image needs at least one code, got " + codesPerImage);
            }
            this.codesPerImage = codesPerImage;
            this.imagesAllowed = mayOpen;
            return this;
        }

        /**
         * Speech spans of one to {@code maxUnits} units (at 25 units per second, 250 is 10 s).
         *
         * @param maxUnits the most units in one span, at least one
         * @param mayOpen whether the model may begin a new speech span (BOSP) outside a span
         * @return this builder
         * @throws IllegalArgumentException if the vocabulary has no speech or {@code maxUnits < 1}
         */
        public Builder speech(int maxUnits, boolean mayOpen) {
            if (!vocabulary.hasSpeech()) {
                throw new IllegalArgumentException(
                        "speech spans need a vocabulary with speech units"
                                + " (JointVocabulary.withSpeech(K, U)); this one is "
                                + vocabulary);
            }
            if (maxUnits < 1) {
                throw new IllegalArgumentException(
                        "a speech span needs room for at least one unit, got a maximum of "
                                + maxUnits);
            }
            this.maxSpeechUnits = maxUnits;
            this.speechAllowed = mayOpen;
            return this;
        }

        /** The rule. */
        public SpanDecodingRule build() {
            return new SpanDecodingRule(this);
        }
    }
}
