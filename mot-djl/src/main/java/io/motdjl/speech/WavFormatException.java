package io.motdjl.speech;

import java.io.IOException;

/** A WAV file that is malformed or not in the one format this package reads. */
public final class WavFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** An exception whose message names the file, what was found and what was expected. */
    public WavFormatException(String message) {
        super(message);
    }
}
