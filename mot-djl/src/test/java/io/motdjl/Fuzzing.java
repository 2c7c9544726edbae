package io.motdjl;

import static org.junit.jupiter.api.Assertions.fail;

import io.motdjl.util.Seeds;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A seeded mutation fuzzer for the test suite: runs a target on thousands of generated inputs, each
 * of which must either be accepted or end in the library's own exception type with a message. Any
 * other outcome — another exception type, an empty message, an {@link Error} such as {@code
 * OutOfMemoryError} or {@code StackOverflowError}, a failed invariant, or a run longer than the
 * time limit (a hang) — fails the test and names the case, the seed and the input.
 *
 * <p>Reproducible: case {@code i} of fuzzer {@code name} draws from a {@link Random} seeded with
 * {@code Seeds.mix(seed, hash(name), i)}. The seed and the number of cases come from system
 * properties, so CI runs the same cases every time and a longer or different run is one flag away:
 *
 * <pre>
 *   -Dmot.fuzz.seed=12345     another seed (default {@value #DEFAULT_SEED})
 *   -Dmot.fuzz.tries=100000   cases per fuzzer instead of each fuzzer's default
 *   -Dmot.fuzz.verbose=true   print every kind of refusal seen
 * </pre>
 *
 * @param <T> the generated input
 */
public final class Fuzzing<T> {

    /** System property: the seed. */
    public static final String SEED_PROPERTY = "mot.fuzz.seed";

    /** System property: cases per fuzzer. */
    public static final String TRIES_PROPERTY = "mot.fuzz.tries";

    /** System property: print every kind of refusal in the report. */
    public static final String VERBOSE_PROPERTY = "mot.fuzz.verbose";

    /** The seed CI uses. */
    public static final long DEFAULT_SEED = 20_241_107L;

    private final String name;
    private final int tries;
    private final Class<? extends RuntimeException> refusal;
    private final Duration limit;
    private final Pattern messages;

    private Fuzzing(
            String name,
            int tries,
            Class<? extends RuntimeException> refusal,
            Duration limit,
            Pattern messages) {
        this.name = name;
        this.tries = tries;
        this.refusal = refusal;
        this.limit = limit;
        this.messages = messages;
    }

    /**
     * A fuzzer.
     *
     * @param name names the fuzzer in messages and picks its random stream
     * @param defaultTries cases run unless {@value #TRIES_PROPERTY} says otherwise
     * @param refusal the exception type by which the target refuses bad input
     * @param limit the longest the whole run may take; beyond it the run counts as a hang
     * @param <T> the generated input
     * @return the fuzzer
     */
    public static <T> Fuzzing<T> of(
            String name,
            int defaultTries,
            Class<? extends RuntimeException> refusal,
            Duration limit) {
        return new Fuzzing<>(
                name,
                Integer.getInteger(TRIES_PROPERTY, defaultTries),
                refusal,
                limit,
                Pattern.compile("(?s).*\\S.*"));
    }

    /** This fuzzer, requiring every refusal's message to match {@code pattern} from its start. */
    public Fuzzing<T> refusalsMatching(String pattern) {
        return new Fuzzing<>(name, tries, refusal, limit, Pattern.compile("(?s)" + pattern));
    }

    /** The seed of this run. */
    public static long seed() {
        return Long.getLong(SEED_PROPERTY, DEFAULT_SEED);
    }

    /** Something the target does with an input; it may throw anything. */
    @FunctionalInterface
    public interface Target<T> {
        /** Runs the target on {@code input}. */
        void accept(T input) throws Exception;
    }

    /**
     * What a run saw.
     *
     * @param name the fuzzer
     * @param cases cases run
     * @param accepted cases the target accepted
     * @param refused cases refused with the library's exception
     * @param refusals the distinct refusal messages, numbers and quoted names blanked out
     * @param elapsed wall time of the run
     */
    public record Report(
            String name,
            int cases,
            int accepted,
            int refused,
            Set<String> refusals,
            Duration elapsed) {

        @Override
        public String toString() {
            String kinds =
                    Boolean.getBoolean(VERBOSE_PROPERTY)
                            ? "\n  " + String.join("\n  ", refusals)
                            : "";
            return kinds
                    + String.format(
                            "fuzz %s: %d cases (%d accepted, %d refused, %d distinct refusals) in %.1f s",
                            name,
                            cases,
                            accepted,
                            refused,
                            refusals.size(),
                            elapsed.toMillis() / 1000.0);
        }
    }

    /**
     * Runs every case on a worker thread, so that a case that never returns fails the test (with
     * the case named) instead of stopping the build.
     *
     * @param generate makes case {@code i}'s input from its random source
     * @param describe the input as text, for failure messages
     * @param target what is fuzzed
     * @return the report
     */
    public Report run(
            Function<Random, T> generate, Function<T, String> describe, Target<T> target) {
        long seed = seed();
        long stream = name.hashCode();
        Progress progress = new Progress();
        ExecutorService worker =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "fuzz-" + name);
                            t.setDaemon(true);
                            return t;
                        });
        long start = System.nanoTime();
        try {
            Future<?> all =
                    worker.submit(
                            () -> {
                                for (int i = 0; i < tries; i++) {
                                    progress.index = i;
                                    progress.input = null;
                                    T input =
                                            generate.apply(new Random(Seeds.mix(seed, stream, i)));
                                    progress.input = input;
                                    runCase(i, seed, input, describe, target, progress);
                                }
                                return null;
                            });
            all.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            @SuppressWarnings("unchecked")
            T input = (T) progress.input;
            fail(
                    where(progress.index, seed)
                            + " ran past "
                            + limit.toSeconds()
                            + " s (hang?) on "
                            + (input == null ? "input generation" : describe.apply(input)));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AssertionError a) {
                throw a;
            }
            throw new AssertionError(
                    where(progress.index, seed) + ": the generator failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            worker.shutdownNow();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        return new Report(
                name, tries, progress.accepted, progress.refused, progress.refusals, elapsed);
    }

    private void runCase(
            int i,
            long seed,
            T input,
            Function<T, String> describe,
            Target<T> target,
            Progress progress) {
        Throwable thrown;
        try {
            target.accept(input);
            progress.accepted++;
            return;
        } catch (Throwable t) {
            thrown = t;
        }
        String message = thrown.getMessage();
        boolean explained = message != null && messages.matcher(message).lookingAt();
        if (refusal.isInstance(thrown) && explained) {
            progress.refused++;
            progress.refusals.add(shape(message));
            return;
        }
        String what =
                refusal.isInstance(thrown)
                        ? "refused without a message matching " + messages.pattern()
                        : thrown instanceof AssertionError
                                ? "broke an invariant"
                                : "threw "
                                        + thrown.getClass().getName()
                                        + " instead of "
                                        + refusal.getSimpleName();
        throw new AssertionError(
                where(i, seed) + " " + what + " (" + thrown + ") on " + describe.apply(input),
                thrown);
    }

    private String where(int i, long seed) {
        return "fuzz " + name + " case " + i + " (-D" + SEED_PROPERTY + "=" + seed + ")";
    }

    /** A message with its numbers and quoted names blanked, to count kinds of refusal. */
    private static String shape(String message) {
        String s = message.replaceAll("'[^']*'", "'?'").replaceAll("\"[^\"]*\"", "\"?\"");
        s = s.replaceAll("[0-9]+", "#");
        return s.length() > 90 ? s.substring(0, 90) : s;
    }

    /** Bytes as text for messages: printable ASCII as is, other bytes as {@code \xNN}. */
    public static String printable(byte[] bytes, int max) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, max); i++) {
            int b = bytes[i] & 0xFF;
            if (b >= 0x20 && b < 0x7F && b != '\\') {
                s.append((char) b);
            } else {
                s.append(String.format("\\x%02x", b));
            }
        }
        if (bytes.length > max) {
            s.append("... (").append(bytes.length).append(" bytes)");
        }
        return s.toString();
    }

    /** Text for messages, cut to {@code max} characters. */
    public static String printable(String text, int max) {
        return printable(text.getBytes(StandardCharsets.UTF_8), max);
    }

    /** Where a run is, read by the caller's thread when the worker does not come back. */
    private static final class Progress {
        volatile int index;
        volatile Object input;
        int accepted;
        int refused;
        final Set<String> refusals = new TreeSet<>();
    }
}
