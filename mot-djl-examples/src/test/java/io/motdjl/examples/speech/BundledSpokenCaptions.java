package io.motdjl.examples.speech;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The bundled spoken-caption corpus ({@link SpokenCaptions#bundled()}), read once per JVM. */
final class BundledSpokenCaptions {

    private static SpokenCaptions corpus;

    private BundledSpokenCaptions() {}

    /** The 2,940 utterances. */
    static synchronized SpokenCaptions get() {
        if (corpus == null) {
            try {
                corpus = SpokenCaptions.bundled();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return corpus;
    }
}
