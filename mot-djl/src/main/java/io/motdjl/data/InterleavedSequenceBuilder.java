package io.motdjl.data;

import io.motdjl.tokenize.JointVocabulary;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Lays out parts of up to three modalities (text, image codes, speech units) as one sequence of the
 * joint vocabulary: {@code [BOS] part part ... [EOS]}, where a text part is its UTF-8 bytes, an
 * image part {@code [BOI] codes [EOI]} and a speech part {@code [BOSP] units [EOSP]}.
 *
 * <p>Modality ids come from the vocabulary's token ranges: BOS, EOS, BOI and EOI are text tokens,
 * BOSP and EOSP speech tokens ({@link JointVocabulary} says why). The codes of the i-th image, and
 * only they, get image span id i (from {@value #FIRST_IMAGE_SPAN_ID}), so that a bidirectional
 * in-image attention mask (Transfusion) can be built from the same data; speech units get span id
 * 0, since speech is generated causally, unit by unit, like text.
 *
 * <p>{@link ChameleonSequenceBuilder} is this layout for one caption and one image.
 */
public final class InterleavedSequenceBuilder {

    /** Span id of a sequence's first image. */
    public static final int FIRST_IMAGE_SPAN_ID = 1;

    private final JointVocabulary vocabulary;

    /** A builder for sequences of {@code vocabulary} (with speech, for speech parts). */
    public InterleavedSequenceBuilder(JointVocabulary vocabulary) {
        this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
    }

    /** The vocabulary. */
    public JointVocabulary vocabulary() {
        return vocabulary;
    }

    /**
     * Builds one sequence of a spoken, captioned image's parts in a pairing's order; the part the
     * pairing does not use may be null.
     *
     * @param pairing which two parts, in which order
     * @param caption the caption text
     * @param imageCodes the image's codes, each in {@code [0, K)}
     * @param speechUnits the spoken caption's units, each in {@code [0, U)}
     * @return {@code [BOS] first second [EOS]}
     * @throws IllegalArgumentException if a part the pairing needs is missing or invalid
     */
    public TokenSequence build(
            Pairing pairing, String caption, int[] imageCodes, int[] speechUnits) {
        Objects.requireNonNull(pairing, "pairing");
        return build(
                part(pairing, pairing.first(), caption, imageCodes, speechUnits),
                part(pairing, pairing.second(), caption, imageCodes, speechUnits));
    }

    /**
     * Builds one sequence: {@code [BOS] parts [EOS]}.
     *
     * @param parts one or more parts, in sequence order
     * @return the sequence
     * @throws IllegalArgumentException if there is no part, a code or unit is outside its range, or
     *     there is a speech part and the vocabulary has no speech
     */
    public TokenSequence build(SequencePart... parts) {
        return build(List.of(parts));
    }

    /**
     * Builds one sequence: {@code [BOS] parts [EOS]}.
     *
     * @param parts one or more parts, in sequence order
     * @return the sequence
     * @throws IllegalArgumentException if there is no part, a code or unit is outside its range, or
     *     there is a speech part and the vocabulary has no speech
     */
    public TokenSequence build(List<SequencePart> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a sequence needs at least one part, got none");
        }
        Layout layout = new Layout();
        layout.add(JointVocabulary.BOS, 0);
        int imageSpan = FIRST_IMAGE_SPAN_ID;
        for (SequencePart part : parts) {
            switch (Objects.requireNonNull(part, "part").kind()) {
                case IMAGE -> {
                    int[] codes = vocabulary.imageTokens(part.ids());
                    layout.add(JointVocabulary.BOI, 0);
                    layout.addAll(codes, imageSpan++);
                    layout.add(JointVocabulary.EOI, 0);
                }
                case SPEECH -> {
                    int[] units = speechTokens(part.ids());
                    layout.add(vocabulary.bosp(), 0);
                    layout.addAll(units, 0);
                    layout.add(vocabulary.eosp(), 0);
                }
                default -> layout.addAll(JointVocabulary.encodeText(part.text()), 0); // TEXT
            }
        }
        layout.add(JointVocabulary.EOS, 0);
        return layout.toSequence(vocabulary);
    }

    private int[] speechTokens(int[] units) {
        if (!vocabulary.hasSpeech()) {
            throw new IllegalArgumentException(
                    "a speech part needs a vocabulary with speech units"
                            + " (JointVocabulary.withSpeech(K, U)); this one is "
                            + vocabulary);
        }
        return vocabulary.speechTokens(units);
    }

    private static SequencePart part(
            Pairing pairing,
            SequencePart.Kind kind,
            String caption,
            int[] imageCodes,
            int[] speechUnits) {
        return switch (kind) {
            case TEXT -> SequencePart.text(required(caption, pairing, kind));
            case IMAGE -> SequencePart.image(required(imageCodes, pairing, kind));
            case SPEECH -> SequencePart.speech(required(speechUnits, pairing, kind));
        };
    }

    private static <T> T required(T content, Pairing pairing, SequencePart.Kind kind) {
        if (content == null) {
            throw new IllegalArgumentException(
                    pairing
                            + " needs the "
                            + kind.name().toLowerCase(Locale.ROOT)
                            + " part, got null");
        }
        return content;
    }

    /** Tokens and span ids as they are laid out. */
    private static final class Layout {
        private final List<int[]> pieces = new ArrayList<>();
        private final List<Integer> spans = new ArrayList<>();
        private int length;

        void add(int token, int span) {
            addAll(new int[] {token}, span);
        }

        void addAll(int[] tokens, int span) {
            pieces.add(tokens);
            spans.add(span);
            length += tokens.length;
        }

        TokenSequence toSequence(JointVocabulary vocabulary) {
            int[] tokens = new int[length];
            int[] spanIds = new int[length];
            int[] modalities = new int[length];
            int at = 0;
            for (int p = 0; p < pieces.size(); p++) {
                for (int token : pieces.get(p)) {
                    tokens[at] = token;
                    spanIds[at] = spans.get(p);
                    modalities[at] = vocabulary.modalityOf(token);
                    at++;
                }
            }
            return new TokenSequence(tokens, modalities, spanIds);
        }
    }
}
