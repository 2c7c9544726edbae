package io.motdjl.examples.cli;

/** The exit statuses of the {@code mot} command line. */
final class ExitStatus {

    static final int OK = 0;

    /** Bad input or data: missing or malformed files, inputs that do not fit the model. */
    static final int FAILURE = 1;

    /** The command line itself is wrong: unknown command or option, missing argument. */
    static final int USAGE = 2;

    private ExitStatus() {}
}
