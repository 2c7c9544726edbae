package io.motdjl.examples.compare;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

import io.motdjl.examples.report.LineChart;
import io.motdjl.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.IntFunction;

/**
 * The outputs of a comparison of several models against a dense baseline: {@code results.json},
 * {@code results.csv}, PNGs of held-out loss against training FLOPs and against training time with
 * one panel per modality and one curve per model, and the summary lines (at what share of dense's
 * training FLOPs, and of its training time, each model first reaches dense's final held-out loss).
 */
public final class ComparisonReport {

    public static final String JSON = "results.json";
    public static final String CSV = "results.csv";
    public static final String PNG = "heldout_loss_vs_flops.png";
    public static final String TIME_PNG = "heldout_loss_vs_time.png";

    private final String title;
    private final List<String> modalityNames;
    private final List<ReportPanel> panels;
    private final List<LossCurve> curves;
    private final Map<String, Object> settings = new LinkedHashMap<>();
    private final Map<String, JsonObject> details = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    /**
     * Creates a report comparing models against a baseline.
     *
     * @param title a line describing the run (shown on the plots)
     * @param panels each panel (held-out set or measure of samples), in the curves' order
     * @param curves the baseline's curve first (the dense model), then each compared model's; names
     *     must differ
     * @throws IllegalArgumentException with fewer than two curves or a repeated name
     */
    public ComparisonReport(String title, List<ReportPanel> panels, List<LossCurve> curves) {
        if (curves.size() < 2) {
            throw new IllegalArgumentException(
                    "a comparison needs a baseline and at least one model, got "
                            + curves.size()
                            + " curve(s)");
        }
        if (curves.stream().map(LossCurve::model).distinct().count() != curves.size()) {
            throw new IllegalArgumentException(
                    "model names must differ, got "
                            + curves.stream().map(LossCurve::model).toList());
        }
        this.title = title;
        this.panels = List.copyOf(panels);
        this.modalityNames = this.panels.stream().map(ReportPanel::name).toList();
        this.curves = List.copyOf(curves);
        curves.forEach(c -> details.put(c.model(), new JsonObject()));
    }

    /** Adds a line to the end of the printed summary (a measure that is not a loss curve). */
    public ComparisonReport note(String line) {
        notes.add(line);
        return this;
    }

    /** Records a setting of the run (written to results.json). */
    public ComparisonReport setting(String key, Object value) {
        settings.put(key, value);
        return this;
    }

    /**
     * Records a fact about one model (written under {@code architectures} in results.json: its
     * parameters, FLOPs per token, step time, expert utilisation).
     *
     * @throws IllegalArgumentException if no curve has that name
     */
    public ComparisonReport detail(String model, String key, JsonElement value) {
        JsonObject entry = details.get(model);
        if (entry == null) {
            throw new IllegalArgumentException(
                    "no model named '" + model + "' in this report: " + details.keySet());
        }
        entry.add(key, value);
        return this;
    }

    /** The baseline's curve (the dense model). */
    public LossCurve baseline() {
        return curves.get(0);
    }

    /** Every model's curve, the baseline first. */
    public List<LossCurve> curves() {
        return curves;
    }

    /**
     * The FLOPs fraction of dense's at which {@code model} first reaches dense's final loss, per
     * held-out set (empty: not reached).
     */
    public List<OptionalDouble> fractions(String model) {
        LossCurve other = curve(model);
        List<OptionalDouble> out = new ArrayList<>();
        for (int m = 0; m < modalityNames.size(); m++) {
            out.add(FlopsToMatch.fraction(baseline(), other, m));
        }
        return out;
    }

    /**
     * The share of dense's training time at which {@code model} first reaches dense's final loss,
     * per held-out set, each model on its own measured clock (empty: not reached or no time).
     */
    public List<OptionalDouble> timeFractions(String model) {
        LossCurve other = curve(model);
        List<OptionalDouble> out = new ArrayList<>();
        for (int m = 0; m < modalityNames.size(); m++) {
            out.add(FlopsToMatch.timeFraction(baseline(), other, m));
        }
        return out;
    }

    /**
     * The share of the FLOPs dense took to its best held-out loss at which {@code model} first
     * reaches that loss, per held-out set ({@link FlopsToMatch#bestFraction}; empty: not reached).
     */
    public List<OptionalDouble> bestFractions(String model) {
        LossCurve other = curve(model);
        List<OptionalDouble> out = new ArrayList<>();
        for (int m = 0; m < modalityNames.size(); m++) {
            out.add(FlopsToMatch.bestFraction(baseline(), other, m));
        }
        return out;
    }

    private LossCurve curve(String model) {
        for (LossCurve c : curves) {
            if (c.model().equals(model)) {
                return c;
            }
        }
        throw new IllegalArgumentException(
                "no model named '" + model + "' in this report: " + details.keySet());
    }

    /**
     * The summary as printed at the end of a run: per held-out set, dense's final loss, then one
     * line per compared model with its final loss and where it reaches dense's.
     */
    public List<String> summaryLines() {
        List<String> lines = new ArrayList<>();
        int width = modalityNames.stream().mapToInt(String::length).max().orElse(0);
        int modelWidth = curves.stream().mapToInt(c -> c.model().length()).max().orElse(0);
        for (int m = 0; m < modalityNames.size(); m++) {
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "%-" + Math.max(6, width) + "s dense final %s %.4f",
                            modalityNames.get(m),
                            isQualityCurve(m) ? "value" : "held-out loss",
                            baseline().last().heldOutLoss()[m]));
            for (LossCurve other : curves.subList(1, curves.size())) {
                OptionalDouble flops = fractions(other.model()).get(m);
                OptionalDouble time = timeFractions(other.model()).get(m);
                String reach =
                        flops.isPresent()
                                ? String.format(
                                        Locale.ROOT,
                                        "reaches it at %.1f %% of dense's training FLOPs%s",
                                        100 * flops.getAsDouble(),
                                        time.isPresent()
                                                ? String.format(
                                                        Locale.ROOT,
                                                        ", %.1f %% of dense's training time",
                                                        100 * time.getAsDouble())
                                                : "")
                                : "does not reach it within the run";
                lines.add(
                        String.format(
                                Locale.ROOT,
                                "  %-" + modelWidth + "s final %.4f: %s",
                                other.model(),
                                other.last().heldOutLoss()[m],
                                reach));
            }
            lines.addAll(bestLines(m, modelWidth));
        }
        lines.addAll(notes);
        return lines;
    }

    /**
     * When dense's held-out loss rose after its best (over-fitting), the comparison against that
     * best: its value and where each model reaches it. Nothing for a quality curve or a curve whose
     * best is its last evaluation.
     */
    private List<String> bestLines(int m, int modelWidth) {
        LossCurve dense = baseline();
        int best = FlopsToMatch.bestIndex(dense, m);
        if (isQualityCurve(m) || best < 0 || best == dense.points().size() - 1) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        lines.add(
                String.format(
                        Locale.ROOT,
                        "  (dense's best %.4f, at %.0f %% of its training FLOPs, is below its final:"
                                + " the held-out loss rose after it)",
                        dense.loss(m)[best],
                        100 * dense.flops()[best] / dense.last().trainingFlops()));
        for (LossCurve other : curves.subList(1, curves.size())) {
            OptionalDouble fraction = bestFractions(other.model()).get(m);
            double[] loss = other.loss(m);
            int own = FlopsToMatch.bestIndex(other, m);
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "  %-" + modelWidth + "s best %.4f: %s",
                            other.model(),
                            own < 0 ? Double.NaN : loss[own],
                            fraction.isPresent()
                                    ? String.format(
                                            Locale.ROOT,
                                            "reaches dense's best at %.1f %% of the FLOPs dense"
                                                    + " took to it",
                                            100 * fraction.getAsDouble())
                                    : "does not reach dense's best within the run"));
        }
        return lines;
    }

    /** Writes results.json, results.csv and the PNG into {@code dir}. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        writeAtomically(
                dir.resolve(JSON),
                new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(json()));
        writeAtomically(dir.resolve(CSV), csv());
        chart(false).writePng(dir.resolve(PNG));
        chart(true).writePng(dir.resolve(TIME_PNG));
    }

    JsonObject json() {
        JsonObject root = new JsonObject();
        JsonObject s = new JsonObject();
        settings.forEach((k, v) -> s.add(k, new com.google.gson.Gson().toJsonTree(v)));
        root.add("settings", s);
        JsonArray names = new JsonArray();
        modalityNames.forEach(names::add);
        root.add("modalities", names);
        JsonObject models = new JsonObject();
        for (LossCurve curve : curves) {
            JsonArray evals = new JsonArray();
            for (LossCurve.Point p : curve.points()) {
                JsonObject e = new JsonObject();
                e.addProperty("step", p.step());
                e.addProperty("training_flops", p.trainingFlops());
                e.addProperty("training_seconds", p.trainingSeconds());
                double[] losses = p.heldOutLoss();
                e.add(
                        "heldout_loss",
                        byName(
                                m ->
                                        Double.isFinite(losses[m])
                                                ? OptionalDouble.of(losses[m])
                                                : OptionalDouble.empty()));
                evals.add(e);
            }
            models.add(curve.model(), evals);
        }
        root.add("models", models);
        JsonObject architectures = new JsonObject();
        details.forEach(architectures::add);
        root.add("architectures", architectures);
        JsonObject flops = new JsonObject();
        JsonObject time = new JsonObject();
        for (LossCurve other : curves.subList(1, curves.size())) {
            flops.add(other.model(), byName(fractions(other.model())::get));
            time.add(other.model(), byName(timeFractions(other.model())::get));
        }
        JsonObject best = new JsonObject();
        for (LossCurve other : curves.subList(1, curves.size())) {
            best.add(other.model(), byName(bestFractions(other.model())::get));
        }
        root.add("flops_fraction_to_match_dense_final", flops);
        root.add("time_fraction_to_match_dense_final", time);
        root.add("flops_fraction_to_match_dense_best", best);
        return root;
    }

    /** One property per held-out set, in order; JSON null where it has no value. */
    private JsonObject byName(IntFunction<OptionalDouble> valueOf) {
        JsonObject out = new JsonObject();
        for (int m = 0; m < modalityNames.size(); m++) {
            OptionalDouble value = valueOf.apply(m);
            if (value.isPresent()) {
                out.addProperty(modalityNames.get(m), value.getAsDouble());
            } else {
                out.add(modalityNames.get(m), JsonNull.INSTANCE);
            }
        }
        return out;
    }

    String csv() {
        StringBuilder sb = new StringBuilder("model,step,training_flops,training_seconds");
        modalityNames.forEach(n -> sb.append(",heldout_loss_").append(n));
        sb.append('\n');
        for (LossCurve curve : curves) {
            for (LossCurve.Point p : curve.points()) {
                sb.append(curve.model()).append(',').append(p.step()).append(',');
                sb.append(String.format(Locale.ROOT, "%.6e", p.trainingFlops()));
                sb.append(String.format(Locale.ROOT, ",%.3f", p.trainingSeconds()));
                for (double v : p.heldOutLoss()) {
                    sb.append(',')
                            .append(
                                    Double.isFinite(v)
                                            ? String.format(Locale.ROOT, "%.6f", v)
                                            : "");
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** One panel per held-out set, one curve per model, against FLOPs or training time. */
    LineChart chart(boolean againstTime) {
        LineChart chart = new LineChart(title);
        for (int m = 0; m < modalityNames.size(); m++) {
            List<LineChart.Series> series = new ArrayList<>();
            for (LossCurve c : curves) {
                series.add(
                        new LineChart.Series(
                                c.model(), againstTime ? c.seconds() : c.flops(), c.loss(m)));
            }
            // a quality curve measures generated images: neither "tokens" nor a loss
            boolean quality = isQualityCurve(m);
            chart.add(
                    new LineChart.Panel(
                            quality
                                    ? "generated images: " + modalityNames.get(m)
                                    : modalityNames.get(m) + " tokens",
                            againstTime ? "training seconds" : "training FLOPs",
                            quality ? modalityNames.get(m) : "held-out loss",
                            series));
        }
        return chart;
    }

    /** Whether curve {@code m} measures generated images rather than a held-out loss. */
    private boolean isQualityCurve(int m) {
        return !panels.get(m).heldOutLoss();
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, os -> os.write(bytes));
    }
}
