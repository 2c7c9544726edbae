package io.motdjl.io;

/** A checkpoint or tensor file that cannot be used: malformed, truncated or not matching. */
public class CheckpointException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what is wrong with the file
     */
    public CheckpointException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the failure that caused it.
     *
     * @param message what is wrong with the file
     * @param cause the failure that revealed it
     */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
