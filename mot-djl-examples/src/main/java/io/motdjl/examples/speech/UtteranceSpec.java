package io.motdjl.examples.speech;

import io.motdjl.examples.chameleon.FashionMnist;

import java.util.Objects;

/**
 * One utterance to synthesise: what is said, by which voice, how, and where it belongs.
 *
 * @param id a unique name, also the WAV file's base name, e.g. {@code flite_slt_t1_c7_d2}
 * @param text the spoken caption, e.g. "a photo of a sneaker"
 * @param label the Fashion-MNIST class, 0 to 9
 * @param engine the synthesizer
 * @param voice the voice as the program takes it
 * @param template index of the caption template in {@link CorpusPlan#TEMPLATES}
 * @param draw which of the voice's prosody draws for this caption, from 0
 * @param prosody speed and pitch
 * @param split the part of the corpus
 */
public record UtteranceSpec(
        String id,
        String text,
        int label,
        Engine engine,
        String voice,
        int template,
        int draw,
        Prosody prosody,
        Split split) {

    /** Checks the fields. */
    public UtteranceSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(voice, "voice");
        Objects.requireNonNull(prosody, "prosody");
        Objects.requireNonNull(split, "split");
        if (!id.matches("[A-Za-z0-9_+.-]+")) {
            throw new IllegalArgumentException(
                    "utterance id \"" + id + "\" is not a safe file name");
        }
        if (text.isBlank() || text.startsWith("-")) {
            throw new IllegalArgumentException("invalid caption text \"" + text + "\"");
        }
        Objects.checkIndex(label, FashionMnist.NUM_CLASSES);
        if (template < 0 || draw < 0) {
            throw new IllegalArgumentException(
                    "template and draw must be non-negative, got " + template + ", " + draw);
        }
        if (prosody.engine() != engine) {
            throw new IllegalArgumentException(
                    "utterance "
                            + id
                            + ": "
                            + engine
                            + " voice with "
                            + prosody.engine()
                            + " prosody options");
        }
    }
}
