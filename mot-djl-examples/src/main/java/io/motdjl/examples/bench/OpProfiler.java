package io.motdjl.examples.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * libtorch's own profiler, reached through DJL's PyTorch JNI ({@code JniUtils.startProfile} /
 * {@code stopProfile}, called reflectively because the engine is a runtime-only dependency), and a
 * summary of the Chrome trace it writes: time per operator.
 *
 * <p>Only top-level operators are counted (an event nested inside another event of the same thread
 * is the parent's time), so the totals add up to the time spent inside libtorch.
 */
public final class OpProfiler {

    private OpProfiler() {}

    /**
     * Time and calls of one operator name.
     *
     * @param name the operator, e.g. {@code aten::mm}
     * @param calls top-level calls
     * @param seconds wall time inside them
     */
    public record OpTime(String name, long calls, double seconds) {}

    /** Starts recording every libtorch operator (with input shapes). */
    public static void start() {
        invoke(
                "startProfile",
                new Class<?>[] {boolean.class, boolean.class, boolean.class},
                false,
                true,
                false);
    }

    /** Stops recording and writes the Chrome trace to {@code trace}. */
    public static void stop(Path trace) {
        invoke("stopProfile", new Class<?>[] {String.class}, trace.toAbsolutePath().toString());
    }

    private static void invoke(String method, Class<?>[] types, Object... args) {
        try {
            Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils");
            Method m = jni.getMethod(method, types);
            m.invoke(null, args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "the operator profile needs DJL's PyTorch engine (" + e + ")", e);
        }
    }

    /**
     * Sums a Chrome trace by operator name, top-level events only, largest first.
     *
     * @param trace the file {@link #stop} wrote
     * @return time per operator
     * @throws IOException if it cannot be read
     */
    public static List<OpTime> summarize(Path trace) throws IOException {
        JsonElement root;
        try (Reader reader = Files.newBufferedReader(trace, StandardCharsets.UTF_8)) {
            root = JsonParser.parseReader(reader);
        }
        JsonArray events =
                root.isJsonArray()
                        ? root.getAsJsonArray()
                        : root.getAsJsonObject().getAsJsonArray("traceEvents");
        // per thread, events sorted by start; an event starting before the end of the last
        // top-level event of its thread is nested in it
        Map<String, List<double[]>> byThread = new HashMap<>();
        Map<Integer, String> names = new HashMap<>();
        List<String> nameList = new ArrayList<>();
        for (JsonElement e : events) {
            JsonObject o = e.getAsJsonObject();
            if (!o.has("dur") || !o.has("ts") || !"X".equals(str(o, "ph"))) {
                continue;
            }
            String cat = str(o, "cat");
            if (cat != null && !cat.equals("cpu_op") && !cat.equals("Operator")) {
                continue;
            }
            String name = str(o, "name");
            int id = names.size();
            names.put(id, name);
            nameList.add(name);
            String thread = str(o, "pid") + "/" + str(o, "tid");
            byThread.computeIfAbsent(thread, k -> new ArrayList<>())
                    .add(new double[] {o.get("ts").getAsDouble(), o.get("dur").getAsDouble(), id});
        }
        Map<String, double[]> totals = new HashMap<>();
        for (List<double[]> list : byThread.values()) {
            list.sort(
                    (a, b) ->
                            a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(b[1], a[1]));
            double end = Double.NEGATIVE_INFINITY;
            for (double[] ev : list) {
                if (ev[0] < end) {
                    continue;
                }
                end = ev[0] + ev[1];
                double[] t = totals.computeIfAbsent(names.get((int) ev[2]), k -> new double[2]);
                t[0]++;
                t[1] += ev[1] / 1e6;
            }
        }
        List<OpTime> result = new ArrayList<>();
        totals.forEach((k, v) -> result.add(new OpTime(k, (long) v[0], v[1])));
        result.sort((a, b) -> Double.compare(b.seconds(), a.seconds()));
        return result;
    }

    private static String str(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }
}
