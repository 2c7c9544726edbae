package io.motdjl.examples.chameleon;

import java.io.IOException;

/** An IDX file (MNIST's format) that is malformed, truncated or not what was expected. */
public final class IdxFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** An exception with a message that names the file and says what was wrong. */
    public IdxFormatException(String message) {
        super(message);
    }

    /** An exception caused by a lower-level failure (a corrupt gzip stream, say). */
    public IdxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
