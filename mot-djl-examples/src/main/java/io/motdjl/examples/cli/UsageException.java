package io.motdjl.examples.cli;

/** The command line is wrong (exit status 2), as opposed to the data it names. */
final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
