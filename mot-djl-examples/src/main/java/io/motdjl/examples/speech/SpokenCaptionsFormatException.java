package io.motdjl.examples.speech;

import java.io.IOException;

/** A spoken-caption corpus file that is corrupt, truncated or of another format or version. */
public class SpokenCaptionsFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message that names the file and what is wrong.
     *
     * @param message the message
     */
    public SpokenCaptionsFormatException(String message) {
        super(message);
    }

    /**
     * An exception with a message and its cause.
     *
     * @param message the message
     * @param cause what was thrown underneath
     */
    public SpokenCaptionsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
