package io.motdjl.examples.compare;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import io.motdjl.train.StepReport;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A run's mixture-of-experts statistics averaged over its training steps, per feed-forward place
 * ({@code layers.3.feed_forward.0}): the share of computed rows each expert took and, under expert
 * choice, the share of real rows no expert took. Empty for a model without mixtures.
 */
public final class ExpertUtilisation {

    private static final String SHARE = "expert_share";
    private static final String DROPPED = "dropped";

    private final Map<String, double[]> sums = new LinkedHashMap<>();
    private long steps;

    /** Adds one step's statistics. */
    public void add(StepReport report) {
        report.statistics()
                .forEach(
                        (name, values) -> {
                            double[] sum =
                                    sums.computeIfAbsent(name, k -> new double[values.length]);
                            if (sum.length != values.length) {
                                throw new IllegalArgumentException(
                                        "statistic "
                                                + name
                                                + " changed length from "
                                                + sum.length
                                                + " to "
                                                + values.length);
                            }
                            for (int i = 0; i < values.length; i++) {
                                sum[i] += values[i];
                            }
                        });
        steps++;
    }

    /** Whether any mixture reported statistics. */
    public boolean isEmpty() {
        return sums.isEmpty();
    }

    /** Mean over steps of each statistic, by its name. */
    public Map<String, double[]> means() {
        Map<String, double[]> out = new LinkedHashMap<>();
        sums.forEach(
                (name, sum) -> {
                    double[] mean = sum.clone();
                    for (int i = 0; i < mean.length; i++) {
                        mean[i] /= steps;
                    }
                    out.put(name, mean);
                });
        return out;
    }

    /** Mean share of real rows dropped, over places and steps; NaN without expert choice. */
    public double meanDropped() {
        return meanOver(DROPPED, false);
    }

    /** The smallest mean share of rows any expert took, over places; NaN without mixtures. */
    public double minShare() {
        return meanOver(SHARE, true);
    }

    private double meanOver(String what, boolean minimum) {
        double acc = minimum ? Double.POSITIVE_INFINITY : 0;
        int n = 0;
        for (Map.Entry<String, double[]> e : means().entrySet()) {
            if (!e.getKey().endsWith("." + what)) {
                continue;
            }
            for (double v : e.getValue()) {
                acc = minimum ? Math.min(acc, v) : acc + v;
                n++;
            }
        }
        if (n == 0) {
            return Double.NaN;
        }
        return minimum ? acc : acc / n;
    }

    /** One line for the run's summary, e.g. {@code experts took 24.6-25.3 % of rows; 13.0 %...}. */
    public String describe() {
        if (isEmpty()) {
            return "no mixtures";
        }
        double max = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, double[]> e : means().entrySet()) {
            if (e.getKey().endsWith("." + SHARE)) {
                for (double v : e.getValue()) {
                    max = Math.max(max, v);
                }
            }
        }
        String line =
                String.format(
                        Locale.ROOT,
                        "each expert took %.1f-%.1f %% of the computed rows (mean over steps, per"
                                + " layer)",
                        100 * minShare(),
                        100 * max);
        double dropped = meanDropped();
        return Double.isNaN(dropped)
                ? line
                : line
                        + String.format(
                                Locale.ROOT,
                                "; %.1f %% of rows got no expert (mean over layers and steps)",
                                100 * dropped);
    }

    /**
     * {@code {place: {expert_share: [...], dropped: x}}} with the means over steps, plus {@code
     * steps}.
     */
    public JsonObject toJson() {
        JsonObject root = new JsonObject();
        root.addProperty("steps", steps);
        JsonObject places = new JsonObject();
        means().forEach(
                        (name, mean) -> {
                            int dot = name.lastIndexOf('.');
                            String place = name.substring(0, Math.max(0, dot));
                            String what = name.substring(dot + 1);
                            JsonObject entry =
                                    places.has(place)
                                            ? places.getAsJsonObject(place)
                                            : new JsonObject();
                            if (mean.length == 1 && !SHARE.equals(what)) {
                                entry.addProperty(what, mean[0]);
                            } else {
                                JsonArray values = new JsonArray();
                                for (double v : mean) {
                                    values.add(v);
                                }
                                entry.add(what, values);
                            }
                            places.add(place, entry);
                        });
        root.add("places", places);
        return root;
    }
}
