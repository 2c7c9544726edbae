package io.motdjl.examples.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code mot} command line: {@code mot [--verbose] COMMAND [OPTIONS]}. Results go to stdout; a
 * failure is one line {@code mot: error: ...} on stderr, with exit status 1 for bad input or data
 * and 2 for a wrong command line. {@code bin/mot} at the repository root builds and runs it.
 */
public final class MotCli {

    private static final String VERBOSE = "--verbose";
    private static final String VERBOSE_SHORT = "-v";

    private MotCli() {}

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    /**
     * Runs the command line.
     *
     * @param args the arguments
     * @param out where results go
     * @param err where errors go
     * @return the exit status
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, commands());
    }

    /** Runs the command line over the given commands (tests add their own). */
    static int run(String[] args, PrintStream out, PrintStream err, List<Command> commands) {
        List<String> rest = new ArrayList<>();
        boolean verbose = false;
        for (String arg : args) {
            if (VERBOSE.equals(arg) || VERBOSE_SHORT.equals(arg)) {
                verbose = true;
            } else {
                rest.add(arg);
            }
        }
        // before the first logger exists: slf4j-simple reads its levels once
        configureLogging(verbose);
        try {
            if (rest.isEmpty()) {
                throw new UsageException("no command given (run 'mot help' for the list)");
            }
            Command command = find(commands, isHelp(rest.get(0)) ? "help" : rest.get(0));
            List<String> commandArgs = rest.subList(1, rest.size());
            if (commandArgs.stream().anyMatch(MotCli::isHelp)) {
                HelpCommand.printUsage(out, command);
                return ExitStatus.OK;
            }
            return command.run(commandArgs, out);
        } catch (Throwable e) {
            // anything, OutOfMemoryError and a native library that fails to load included, ends
            // as one line; the stack trace only with --verbose
            return ErrorReport.report(e, verbose, err);
        } finally {
            out.flush();
        }
    }

    /** The command called {@code name}, or a {@link UsageException} listing the known ones. */
    static Command find(List<Command> commands, String name) {
        for (Command command : commands) {
            if (command.name().equals(name)) {
                return command;
            }
        }
        throw new UsageException(
                "unknown command '"
                        + name
                        + "' (commands: "
                        + commands.stream().map(Command::name).collect(Collectors.joining(", "))
                        + ")");
    }

    private static List<Command> commands() {
        List<Command> commands = new ArrayList<>();
        commands.add(new ForwardCommand());
        commands.add(new DemoCommand());
        commands.add(new CompareCommand());
        commands.add(new TrainCommand());
        commands.add(new GenerateCommand());
        commands.add(new ZooCommand());
        commands.add(new DescribeCommand());
        commands.add(new BenchCommand());
        commands.add(new HelpCommand(() -> commands));
        return commands;
    }

    private static boolean isHelp(String arg) {
        return "--help".equals(arg) || "-h".equals(arg);
    }

    private static void configureLogging(boolean verbose) {
        if (verbose) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
            System.setProperty("org.slf4j.simpleLogger.log.io.motdjl", "debug");
        }
    }
}
