package io.motdjl.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * One part of an interleaved sequence: a text, an image's codes or a speech utterance's units.
 * Immutable; the ids are those of the tokenizers (image codes in {@code [0, K)}, speech units in
 * {@code [0, U)}), which {@link InterleavedSequenceBuilder} maps into the joint vocabulary.
 */
public final class SequencePart {

    /** What a part holds. */
    public enum Kind {
        /** UTF-8 text, as byte tokens. */
        TEXT,
        /** An image: {@code [BOI] codes [EOI]}. */
        IMAGE,
        /** Speech: {@code [BOSP] units [EOSP]}. */
        SPEECH
    }

    private final Kind kind;
    private final String text;
    private final int[] ids;

    private SequencePart(Kind kind, String text, int[] ids) {
        this.kind = kind;
        this.text = text;
        this.ids = ids;
    }

    /** A text part (may be empty, as a caption may be). */
    public static SequencePart text(String text) {
        return new SequencePart(Kind.TEXT, Objects.requireNonNull(text, "text"), new int[0]);
    }

    /**
     * The text of a text part.
     *
     * @throws IllegalStateException for another kind
     */
    public String text() {
        if (kind != Kind.TEXT) {
            throw new IllegalStateException("a " + kind + " part has no text");
        }
        return text;
    }

    /**
     * An image part.
     *
     * @param codes the image tokenizer's codes, at least one
     * @throws IllegalArgumentException if there is no code
     */
    public static SequencePart image(int[] codes) {
        return new SequencePart(Kind.IMAGE, null, nonEmpty(codes, "an image", "code"));
    }

    /**
     * A speech part.
     *
     * @param units the speech tokenizer's units (25 per second by default), at least one
     * @throws IllegalArgumentException if there is no unit
     */
    public static SequencePart speech(int[] units) {
        return new SequencePart(Kind.SPEECH, null, nonEmpty(units, "a speech part", "unit"));
    }

    /** What the part holds. */
    public Kind kind() {
        return kind;
    }

    /**
     * The codes of an image part or the units of a speech part (a copy).
     *
     * @throws IllegalStateException for a text part
     */
    public int[] ids() {
        if (kind == Kind.TEXT) {
            throw new IllegalStateException("a text part has no codes or units");
        }
        return ids.clone();
    }

    private static int[] nonEmpty(int[] ids, String what, String unit) {
        Objects.requireNonNull(ids, unit + "s");
        if (ids.length == 0) {
            throw new IllegalArgumentException(what + " needs at least one " + unit + ", got none");
        }
        return ids.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequencePart p
                && p.kind == kind
                && Objects.equals(p.text, text)
                && Arrays.equals(p.ids, ids);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, text, Arrays.hashCode(ids));
    }

    @Override
    public String toString() {
        return kind == Kind.TEXT
                ? "SequencePart[TEXT \"" + text + "\"]"
                : "SequencePart[" + kind + ", " + ids.length + " ids]";
    }
}
