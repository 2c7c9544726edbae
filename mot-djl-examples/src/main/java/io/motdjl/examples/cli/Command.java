package io.motdjl.examples.cli;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of the {@code mot} command line. */
interface Command {

    /** The word that selects this command, e.g. {@code forward}. */
    String name();

    /** How to call it, without the leading {@code mot}, e.g. {@code forward --input FILE}. */
    String synopsis();

    /** One line saying what it does. */
    String summary();

    /** What {@code mot help COMMAND} prints under the synopsis; the summary unless overridden. */
    default String description() {
        return summary() + ".";
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after the command's name
     * @param out where results go
     * @return the exit status
     * @throws UsageException if the arguments are wrong
     * @throws Exception for bad input or data; {@link ErrorReport} turns it into one line
     */
    int run(List<String> args, PrintStream out) throws Exception;
}
