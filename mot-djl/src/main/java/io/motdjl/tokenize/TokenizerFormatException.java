package io.motdjl.tokenize;

import java.io.IOException;

/** A saved tokenizer file that is malformed or does not describe a valid tokenizer. */
public final class TokenizerFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** An exception whose message names the file and says what was wrong. */
    public TokenizerFormatException(String message) {
        super(message);
    }

    /** An exception caused by a lower-level failure. */
    public TokenizerFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
