package io.motdjl.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.repository.zoo.ModelNotFoundException;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Whatever a command throws, errors included, ends as one line on stderr and status 1. */
class MotCliTest {

    @Test
    void anOutOfMemoryErrorIsOneLineWithWhatToDo() {
        String err = failing(new OutOfMemoryError("Java heap space"));
        assertTrue(err.startsWith("mot: error: out of memory (Java heap space)"), err);
        assertTrue(err.contains("MOT_JAVA_OPTS=-Xmx"), err);
    }

    @Test
    void anyOtherThrowableIsOneLineToo() {
        String err = failing(new StackOverflowError());
        assertTrue(err.startsWith("mot: error: unexpected StackOverflowError"), err);
        assertTrue(err.contains("--verbose"), err);
    }

    @Test
    void djlsGenericModelNotFoundGivesWayToTheLoadersReason() {
        ModelNotFoundException reason =
                new ModelNotFoundException("no artifact of x matches the filter {a=b}");
        String err =
                failing(
                        new ModelNotFoundException(
                                "No model with the specified URI or the matching Input/Output type"
                                        + " is found.",
                                reason));
        assertEquals("mot: error: no artifact of x matches the filter {a=b}", err);
    }

    /** Runs a command that throws {@code failure}; returns stderr, checked to be one line. */
    private static String failing(Throwable failure) {
        Command throwing =
                new Command() {
                    @Override
                    public String name() {
                        return "throw";
                    }

                    @Override
                    public String synopsis() {
                        return "throw";
                    }

                    @Override
                    public String summary() {
                        return "throws";
                    }

                    @Override
                    public int run(List<String> args, PrintStream out) throws Exception {
                        if (failure instanceof Error error) {
                            throw error;
                        }
                        throw (Exception) failure;
                    }
                };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                MotCli.run(
                        new String[] {"throw"},
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        List.of(throwing));
        assertEquals(ExitStatus.FAILURE, status);
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count(), text);
        return text.strip();
    }
}
