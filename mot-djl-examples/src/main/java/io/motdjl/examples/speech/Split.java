package io.motdjl.examples.speech;

/** Which part of the spoken-caption corpus an utterance belongs to. */
public enum Split {
    /** Training voices saying the training templates. */
    TRAIN("train"),
    /** Training voices saying the held-out template: unseen utterances of seen voices. */
    HELDOUT_UTTERANCE("heldout-utterance"),
    /** Voices never trained on, saying every template. */
    HELDOUT_VOICE("heldout-voice");

    private final String id;

    Split(String id) {
        this.id = id;
    }

    /** The split's name in the corpus file, e.g. {@code heldout-voice}. */
    public String id() {
        return id;
    }

    /**
     * The split named {@code id}.
     *
     * @throws IllegalArgumentException if no split has that name
     */
    public static Split ofId(String id) {
        for (Split s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException(
                "unknown split \"" + id + "\"; expected train, heldout-utterance or heldout-voice");
    }

    @Override
    public String toString() {
        return id;
    }
}
