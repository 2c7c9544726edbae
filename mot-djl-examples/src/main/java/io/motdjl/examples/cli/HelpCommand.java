package io.motdjl.examples.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.function.Supplier;

/** {@code mot help [COMMAND]}: the list of commands, or one command's usage. */
final class HelpCommand implements Command {

    private final Supplier<List<Command>> commands;

    HelpCommand(Supplier<List<Command>> commands) {
        this.commands = commands;
    }

    @Override
    public String name() {
        return "help";
    }

    @Override
    public String synopsis() {
        return "help [COMMAND]";
    }

    @Override
    public String summary() {
        return "show this text, or one command's usage";
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        if (args.isEmpty()) {
            printUsage(out, commands.get());
            return ExitStatus.OK;
        }
        if (args.size() > 1) {
            throw new UsageException(
                    "help takes at most one command name (usage: mot " + synopsis() + ")");
        }
        printUsage(out, MotCli.find(commands.get(), args.get(0)));
        return ExitStatus.OK;
    }

    /** The overview: every command with its synopsis and summary. */
    static void printUsage(PrintStream out, List<Command> commands) {
        out.println("usage: mot [--verbose] COMMAND [OPTIONS]");
        out.println();
        out.println("Mixture-of-Transformers (MoT, arXiv 2411.04996) on Deep Java Library.");
        out.println();
        out.println("commands:");
        for (Command command : commands) {
            out.printf("  %-8s  %s%n", command.name(), command.summary());
            out.printf("  %-8s  mot %s%n", "", command.synopsis());
        }
        out.println();
        out.println("options:");
        out.println("  --verbose, -v  log progress and show stack traces of errors");
        out.println("  --help, -h     show this text (after a command: that command's usage)");
        out.println();
        out.println("exit status: 0 success, 1 bad input or data, 2 wrong command line");
    }

    /** One command's usage. */
    static void printUsage(PrintStream out, Command command) {
        out.println("usage: mot " + command.synopsis());
        out.println();
        out.println(command.description());
    }
}
