package io.motdjl.data;

/**
 * Which two of a spoken, captioned image's parts a sequence holds, and in which order: the six
 * directions of the Chameleon + speech setting, each laid out as {@code [BOS] first second [EOS]}
 * by {@link InterleavedSequenceBuilder}. The first part is the condition, the second what a model
 * learns to generate from it.
 */
public enum Pairing {
    /** {@code [BOS] caption [BOI] codes [EOI] [EOS]}: text-to-image ({@link Direction}'s too). */
    CAPTION_TO_IMAGE(SequencePart.Kind.TEXT, SequencePart.Kind.IMAGE),
    /** {@code [BOS] [BOI] codes [EOI] caption [EOS]}: image captioning. */
    IMAGE_TO_CAPTION(SequencePart.Kind.IMAGE, SequencePart.Kind.TEXT),
    /** {@code [BOS] caption [BOSP] units [EOSP] [EOS]}: text-to-speech. */
    CAPTION_TO_SPEECH(SequencePart.Kind.TEXT, SequencePart.Kind.SPEECH),
    /** {@code [BOS] [BOSP] units [EOSP] caption [EOS]}: speech recognition. */
    SPEECH_TO_CAPTION(SequencePart.Kind.SPEECH, SequencePart.Kind.TEXT),
    /** {@code [BOS] [BOI] codes [EOI] [BOSP] units [EOSP] [EOS]}: a spoken caption of an image. */
    IMAGE_TO_SPEECH(SequencePart.Kind.IMAGE, SequencePart.Kind.SPEECH),
    /**
     * {@code [BOS] [BOSP] units [EOSP] [BOI] codes [EOI] [EOS]}: an image from a spoken caption.
     */
    SPEECH_TO_IMAGE(SequencePart.Kind.SPEECH, SequencePart.Kind.IMAGE);

    private final SequencePart.Kind first;
    private final SequencePart.Kind second;

    Pairing(SequencePart.Kind first, SequencePart.Kind second) {
        this.first = first;
        this.second = second;
    }

    /** The kind of the first part (the condition). */
    public SequencePart.Kind first() {
        return first;
    }

    /** The kind of the second part (the generated one). */
    public SequencePart.Kind second() {
        return second;
    }

    /** Whether a sequence of this pairing holds speech. */
    public boolean hasSpeech() {
        return first == SequencePart.Kind.SPEECH || second == SequencePart.Kind.SPEECH;
    }

    /** The pairing of a caption-image {@link Direction}. */
    public static Pairing of(Direction direction) {
        return direction == Direction.CAPTION_TO_IMAGE ? CAPTION_TO_IMAGE : IMAGE_TO_CAPTION;
    }
}
