package io.motdjl.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line of {@link BatchCaptions}.
 *
 * @param input the caption file
 * @param out the output directory
 * @param master Spark's master, {@code local}, {@code local[N]} or {@code local[*]}
 * @param source where the model comes from
 * @param batch captions per {@code batchPredict} call
 * @param partitions number of partitions; 0 for one per task slot
 * @param seed seed of the draws
 * @param temperature 0 for greedy drawing, else the sampling temperature
 * @param help whether only the usage was asked for
 */
public record BatchOptions(
        Path input,
        Path out,
        String master,
        ModelSource source,
        int batch,
        int partitions,
        long seed,
        double temperature,
        boolean help) {

    /** The usage text. */
    public static final String USAGE =
            "usage: mot-spark --input FILE --out DIR [--master local[N]]"
                    + " [--checkpoint DIR | --architecture mot|dense] [--batch N] [--partitions N]"
                    + " [--seed S] [--temperature T]";

    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|[1-9][0-9]*)\\])?");

    /**
     * Reads a command line.
     *
     * @param args the arguments
     * @return the options
     * @throws InputException with status {@link InputException#USAGE} for an unknown option, a
     *     missing or malformed value or a missing required option; with {@link
     *     InputException#BAD_INPUT} for a checkpoint that is not a directory
     */
    public static BatchOptions parse(String[] args) throws InputException {
        Path input = null;
        Path out = null;
        String master = "local[*]";
        String checkpoint = null;
        String architecture = null;
        int batch = 16;
        int partitions = 0;
        long seed = 0;
        double temperature = 0;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                return new BatchOptions(
                        null, null, master, null, batch, partitions, seed, temperature, true);
            }
            if (i + 1 >= args.length) {
                throw InputException.usage(
                        option.startsWith("--")
                                ? option + " needs a value"
                                : "unexpected argument: " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--input" -> input = Path.of(value);
                case "--out" -> out = Path.of(value);
                case "--master" -> master = master(value);
                case "--checkpoint" -> checkpoint = value;
                case "--architecture" -> architecture = architecture(value);
                case "--batch" -> batch = positive(option, value);
                case "--partitions" -> partitions = positive(option, value);
                case "--seed" -> seed = seed(value);
                case "--temperature" -> temperature = temperature(value);
                default -> throw InputException.usage("unknown option: " + option);
            }
        }
        if (input == null || out == null) {
            throw InputException.usage(input == null ? "--input is required" : "--out is required");
        }
        if (checkpoint != null && architecture != null) {
            throw InputException.usage("give --checkpoint or --architecture, not both");
        }
        ModelSource source;
        if (checkpoint != null) {
            Path dir = Path.of(checkpoint);
            if (!Files.isDirectory(dir)) {
                throw InputException.badInput("checkpoint directory not found: " + dir);
            }
            source = ModelSource.checkpoint(dir);
        } else {
            source = ModelSource.bundled(architecture == null ? "mot" : architecture);
        }
        return new BatchOptions(
                input, out, master, source, batch, partitions, seed, temperature, false);
    }

    /**
     * Number of task slots of the master: how many partitions run at once.
     *
     * @return N of {@code local[N]}, the processor count for {@code local[*]}, 1 for {@code local}
     */
    public int taskSlots() {
        Matcher m = LOCAL.matcher(master);
        if (!m.matches() || m.group(1) == null) {
            return 1;
        }
        return m.group(1).equals("*")
                ? Runtime.getRuntime().availableProcessors()
                : Integer.parseInt(m.group(1));
    }

    private static String master(String value) throws InputException {
        // the images are written by the tasks and the models counted per JVM: local mode only
        if (!LOCAL.matcher(value).matches()) {
            throw InputException.usage(
                    "--master must be local, local[N] or local[*], got " + value);
        }
        return value;
    }

    private static String architecture(String value) throws InputException {
        if (!value.equals("mot") && !value.equals("dense")) {
            throw InputException.usage("--architecture must be mot or dense, got " + value);
        }
        return value;
    }

    private static int positive(String option, String value) throws InputException {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below, with the option's name
        }
        throw InputException.usage(option + " must be a positive integer, got " + value);
    }

    private static long seed(String value) throws InputException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw InputException.usage("--seed must be an integer, got " + value);
        }
    }

    private static double temperature(String value) throws InputException {
        try {
            double t = Double.parseDouble(value);
            if (t >= 0 && Double.isFinite(t)) {
                return t;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw InputException.usage("--temperature must be a finite number >= 0, got " + value);
    }
}
