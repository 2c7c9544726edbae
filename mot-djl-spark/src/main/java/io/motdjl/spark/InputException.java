package io.motdjl.spark;

/**
 * A refusal of the program's arguments or input, with the exit status it ends with: {@value #USAGE}
 * for a bad command line, {@value #BAD_INPUT} for an input that cannot be used.
 */
public final class InputException extends Exception {

    /** Exit status of a bad command line. */
    public static final int USAGE = 2;

    /** Exit status of an input file or output directory that cannot be used. */
    public static final int BAD_INPUT = 1;

    private static final long serialVersionUID = 1L;

    private final int status;

    private InputException(int status, String message) {
        super(message);
        this.status = status;
    }

    /**
     * A bad command line.
     *
     * @param message one line that says what is wrong
     * @return the exception
     */
    public static InputException usage(String message) {
        return new InputException(USAGE, message);
    }

    /**
     * An input that cannot be used.
     *
     * @param message one line that says what is wrong
     * @return the exception
     */
    public static InputException badInput(String message) {
        return new InputException(BAD_INPUT, message);
    }

    /**
     * The exit status.
     *
     * @return {@link #USAGE} or {@link #BAD_INPUT}
     */
    public int status() {
        return status;
    }
}
