package io.motdjl.io;

/** A checkpoint or tensor file that cannot be used: malformed, truncated or not matching. */
public class CheckpointException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
