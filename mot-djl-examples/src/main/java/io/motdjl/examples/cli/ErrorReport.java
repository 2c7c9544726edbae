package io.motdjl.examples.cli;

import ai.djl.engine.EngineException;
import ai.djl.repository.zoo.ModelNotFoundException;

import io.motdjl.io.CheckpointException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/**
 * Turns a failure into the command line's contract: one line {@code mot: error: ...} on stderr and
 * an exit status; the stack trace only with {@code --verbose}.
 */
final class ErrorReport {

    private ErrorReport() {}

    /**
     * Reports {@code failure} and returns the exit status to use.
     *
     * @param failure what went wrong
     * @param verbose whether to print the stack trace as well
     * @param err where the report goes
     * @return {@link ExitStatus#USAGE} for usage errors, else {@link ExitStatus#FAILURE}
     */
    static int report(Throwable failure, boolean verbose, PrintStream err) {
        err.println("mot: error: " + oneLine(describe(failure)));
        if (verbose) {
            failure.printStackTrace(err);
        }
        err.flush();
        return failure instanceof UsageException ? ExitStatus.USAGE : ExitStatus.FAILURE;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof UsageException
                || e instanceof BadInputException
                || e instanceof CheckpointException
                || e instanceof IllegalArgumentException) {
            // the library's messages already say what was wrong and what was expected
            return message;
        }
        if (e instanceof ModelNotFoundException) {
            // DJL wraps a loader's precise reason in a generic "No model ... is found"
            return innermostModelNotFound(e).getMessage();
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory ("
                    + message
                    + "): the model or its data does not fit the Java heap; give the JVM more"
                    + " with MOT_JAVA_OPTS=-Xmx<size> or use a smaller model";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file: " + message;
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + message;
        }
        if (e instanceof IOException) {
            return "cannot read or write a file: " + message;
        }
        if (e instanceof EngineException || e instanceof LinkageError) {
            return "the DJL engine failed: " + message;
        }
        return "unexpected "
                + e.getClass().getSimpleName()
                + ": "
                + message
                + " (run with --verbose for the stack trace)";
    }

    private static Throwable innermostModelNotFound(Throwable e) {
        Throwable found = e;
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c instanceof ModelNotFoundException && c.getMessage() != null) {
                found = c;
            }
        }
        return found;
    }

    /** The first line of a message; native errors can carry whole C++ back traces. */
    private static String oneLine(String message) {
        String[] lines = message.strip().split("\\R", 2);
        return lines.length > 1 ? lines[0].strip() + " ..." : lines[0];
    }
}
