package io.motdjl.examples.speech;

import java.util.Objects;

/**
 * One utterance of a {@link SpokenCaptions} corpus: what was synthesised and how long it is.
 *
 * @param index its position in the corpus, for {@link SpokenCaptions#frames(int)}
 * @param spec text, class, voice, engine, prosody and split
 * @param samples its length at the front end's sample rate after trimming the pauses
 * @param frames its number of log-mel frames
 */
public record Utterance(int index, UtteranceSpec spec, int samples, int frames) {

    /** Checks the fields. */
    public Utterance {
        Objects.requireNonNull(spec, "spec");
        if (index < 0 || samples <= 0 || frames <= 0) {
            throw new IllegalArgumentException(
                    "utterance "
                            + spec.id()
                            + ": index must be non-negative, samples and frames positive; got "
                            + index
                            + ", "
                            + samples
                            + ", "
                            + frames);
        }
    }

    /** Its unique name, e.g. {@code flite_slt_t1_c7_d2}. */
    public String id() {
        return spec.id();
    }

    /** The spoken caption. */
    public String text() {
        return spec.text();
    }

    /** The Fashion-MNIST class, 0 to 9. */
    public int label() {
        return spec.label();
    }

    /** The voice, e.g. {@code en-gb+m1}. */
    public String voice() {
        return spec.voice();
    }

    /** The synthesizer. */
    public Engine engine() {
        return spec.engine();
    }

    /** The part of the corpus it belongs to. */
    public Split split() {
        return spec.split();
    }
}
