package io.motdjl.examples.compare;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
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
 * The outputs of a dense-vs-MoT comparison: {@code results.json}, {@code results.csv}, a PNG of
 * held-out loss against training FLOPs with one panel per modality, and the summary lines (at what
 * percentage of dense's training FLOPs MoT first reaches dense's final held-out loss).
 */
public final class ComparisonReport {

    public static final String JSON = "results.json";
    public static final String CSV = "results.csv";
    public static final String PNG = "heldout_loss_vs_flops.png";

    private final String title;
    private final List<String> modalityNames;
    private final LossCurve dense;
    private final LossCurve mot;
    private final Map<String, Object> settings = new LinkedHashMap<>();
    private double denseTrainingSeconds = Double.NaN;
    private double motTrainingSeconds = Double.NaN;

    /**
     * Creates a report comparing the dense baseline's and the MoT's loss curves.
     *
     * @param title a line describing the run (shown on the plot)
     * @param modalityNames name of each modality id
     * @param dense the dense baseline's curve
     * @param mot the MoT's curve
     */
    public ComparisonReport(
            String title, List<String> modalityNames, LossCurve dense, LossCurve mot) {
        this.title = title;
        this.modalityNames = List.copyOf(modalityNames);
        this.dense = dense;
        this.mot = mot;
    }

    /** Records a setting of the run (written to results.json). */
    public ComparisonReport setting(String key, Object value) {
        settings.put(key, value);
        return this;
    }

    /**
     * Records each model's measured training time (held-out evaluation excluded), so that the
     * report also gives the paper's wall-clock view.
     */
    public ComparisonReport trainingSeconds(double dense, double mot) {
        if (!(dense > 0 && mot > 0)) {
            throw new IllegalArgumentException(
                    "training times must be positive, got dense "
                            + dense
                            + " s, MoT "
                            + mot
                            + " s");
        }
        this.denseTrainingSeconds = dense;
        this.motTrainingSeconds = mot;
        settings.put("dense_training_seconds", dense);
        settings.put("mot_training_seconds", mot);
        return this;
    }

    /**
     * MoT's share of dense's training <em>time</em> to reach dense's final loss, per modality:
     * MoT's FLOPs fraction times its whole run's time over dense's (both take the same FLOPs per
     * step, so the FLOPs fraction is a step fraction; steps are taken as equally long). Empty where
     * MoT does not reach it or no times were recorded.
     */
    public List<OptionalDouble> timeFractions() {
        return timeFractions(fractions());
    }

    private List<OptionalDouble> timeFractions(List<OptionalDouble> flopsFractions) {
        List<OptionalDouble> out = new ArrayList<>();
        for (OptionalDouble f : flopsFractions) {
            out.add(
                    f.isPresent() && Double.isFinite(motTrainingSeconds)
                            ? OptionalDouble.of(
                                    f.getAsDouble() * motTrainingSeconds / denseTrainingSeconds)
                            : OptionalDouble.empty());
        }
        return out;
    }

    /** MoT's FLOPs fraction to reach dense's final loss, per modality (empty: not reached). */
    public List<OptionalDouble> fractions() {
        List<OptionalDouble> out = new ArrayList<>();
        for (int m = 0; m < modalityNames.size(); m++) {
            out.add(FlopsToMatch.fraction(dense, mot, m));
        }
        return out;
    }

    /** One line per modality, as printed at the end of a run. */
    public List<String> summaryLines() {
        List<String> lines = new ArrayList<>();
        List<OptionalDouble> fractions = fractions();
        List<OptionalDouble> times = timeFractions(fractions);
        int width = modalityNames.stream().mapToInt(String::length).max().orElse(0);
        for (int m = 0; m < modalityNames.size(); m++) {
            double denseFinal = dense.last().heldOutLoss()[m];
            double motFinal = mot.last().heldOutLoss()[m];
            String reach =
                    fractions.get(m).isPresent()
                            ? String.format(
                                    Locale.ROOT,
                                    "MoT reaches it at %.1f %% of dense's training FLOPs%s",
                                    100 * fractions.get(m).getAsDouble(),
                                    times.get(m).isPresent()
                                            ? String.format(
                                                    Locale.ROOT,
                                                    " (%.1f %% of its training time)",
                                                    100 * times.get(m).getAsDouble())
                                            : "")
                            : "MoT does not reach it within the run";
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "%-"
                                    + Math.max(6, width)
                                    + "s dense final held-out loss %.4f,"
                                    + " MoT final %.4f: %s",
                            modalityNames.get(m),
                            denseFinal,
                            motFinal,
                            reach));
        }
        return lines;
    }

    /** Writes results.json, results.csv and the PNG into {@code dir}. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        writeAtomically(
                dir.resolve(JSON), new GsonBuilder().setPrettyPrinting().create().toJson(json()));
        writeAtomically(dir.resolve(CSV), csv());
        chart().writePng(dir.resolve(PNG));
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
        for (LossCurve curve : List.of(dense, mot)) {
            JsonArray evals = new JsonArray();
            for (LossCurve.Point p : curve.points()) {
                JsonObject e = new JsonObject();
                e.addProperty("step", p.step());
                e.addProperty("training_flops", p.trainingFlops());
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
        List<OptionalDouble> fractions = fractions();
        root.add("mot_flops_fraction_to_match_dense_final", byName(fractions::get));
        root.add("mot_time_fraction_to_match_dense_final", byName(timeFractions(fractions)::get));
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
        StringBuilder sb = new StringBuilder("model,step,training_flops");
        modalityNames.forEach(n -> sb.append(",heldout_loss_").append(n));
        sb.append('\n');
        for (LossCurve curve : List.of(dense, mot)) {
            for (LossCurve.Point p : curve.points()) {
                sb.append(curve.model()).append(',').append(p.step()).append(',');
                sb.append(String.format(Locale.ROOT, "%.6e", p.trainingFlops()));
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

    LineChart chart() {
        LineChart chart = new LineChart(title);
        for (int m = 0; m < modalityNames.size(); m++) {
            chart.add(
                    new LineChart.Panel(
                            modalityNames.get(m) + " tokens",
                            "training FLOPs",
                            "held-out loss",
                            List.of(
                                    new LineChart.Series(
                                            dense.model(), dense.flops(), dense.loss(m)),
                                    new LineChart.Series(mot.model(), mot.flops(), mot.loss(m)))));
        }
        return chart;
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, os -> os.write(bytes));
    }
}
