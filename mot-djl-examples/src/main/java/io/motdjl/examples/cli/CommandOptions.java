package io.motdjl.examples.cli;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name value} (or {@code --name=value}) options of one command. Anything not declared
 * is a {@link UsageException}, so a typo never gets silently ignored.
 */
final class CommandOptions {

    private final Map<String, String> values;

    private CommandOptions(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Parses {@code args}.
     *
     * @param args the arguments after the command name
     * @param names the option names the command accepts, without {@code --}
     * @param synopsis the command's synopsis, quoted in error messages
     * @return the options
     * @throws UsageException for an unknown, repeated or value-less option, or a stray argument
     */
    static CommandOptions parse(List<String> args, Set<String> names, String synopsis) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw usage("unexpected argument '" + arg + "'", synopsis);
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                value = args.get(++i);
            } else {
                value = null;
            }
            if (!names.contains(name)) {
                throw usage("unknown option --" + name, synopsis);
            }
            if (value == null || value.isEmpty()) {
                throw usage("option --" + name + " needs a value", synopsis);
            }
            if (values.put(name, value) != null) {
                throw usage("option --" + name + " given twice", synopsis);
            }
        }
        return new CommandOptions(values);
    }

    /**
     * A required option's value as a path.
     *
     * @throws UsageException if the option is missing
     */
    Path requiredPath(String name, String synopsis) {
        String value = values.get(name);
        if (value == null) {
            throw usage("missing option --" + name, synopsis);
        }
        return Paths.get(value);
    }

    /** An optional option's value as a path, or null when absent. */
    Path optionalPath(String name) {
        String value = values.get(name);
        return value == null ? null : Paths.get(value);
    }

    /** An optional option's value, or {@code fallback} when absent. */
    String optionalString(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /**
     * An optional option restricted to {@code choices}.
     *
     * @throws UsageException if the value is not one of them
     */
    String optionalChoice(String name, String fallback, List<String> choices, String synopsis) {
        String value = values.getOrDefault(name, fallback);
        if (!choices.contains(value)) {
            throw usage(
                    "option --"
                            + name
                            + " must be one of "
                            + String.join(", ", choices)
                            + ", got '"
                            + value
                            + "'",
                    synopsis);
        }
        return value;
    }

    /** Whether the option was given. */
    boolean has(String name) {
        return values.containsKey(name);
    }

    /**
     * An optional integer option.
     *
     * @throws UsageException if the value is not an integer
     */
    int optionalInt(String name, int fallback, String synopsis) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw usage("option --" + name + " needs an integer, got '" + value + "'", synopsis);
        }
    }

    /**
     * An optional number option.
     *
     * @throws UsageException if the value is not a number
     */
    double optionalDouble(String name, double fallback, String synopsis) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw usage("option --" + name + " needs a number, got '" + value + "'", synopsis);
        }
    }

    private static UsageException usage(String problem, String synopsis) {
        return new UsageException(problem + " (usage: mot " + synopsis + ")");
    }
}
