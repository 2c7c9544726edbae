package io.motdjl.examples.cli;

/** A file or directory named on the command line cannot be used (exit status 1). */
final class BadInputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    BadInputException(String message) {
        super(message);
    }
}
