package io.motdjl.examples.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import io.motdjl.examples.report.LineChart;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class ComparisonReportTest {

    /** Dense, a MoT that is faster per FLOP and a MoE that is as good per FLOP but slower. */
    private static List<LossCurve> threeModels() {
        LossCurve dense = new LossCurve("dense");
        dense.add(10, 1e9, 50, new double[] {3.0, 5.0});
        dense.add(20, 2e9, 100, new double[] {2.0, 4.0});
        LossCurve mot = new LossCurve("mot");
        mot.add(10, 1e9, 60, new double[] {2.5, 4.5});
        mot.add(20, 2e9, 120, new double[] {1.5, 4.1});
        LossCurve moe = new LossCurve("moe-4x");
        moe.add(10, 1e9, 100, new double[] {3.0, 4.0});
        moe.add(20, 2e9, 200, new double[] {2.0, 3.0});
        return List.of(dense, mot, moe);
    }

    @Test
    void writesJsonCsvAndBothPlots(@TempDir Path dir) throws Exception {
        ComparisonReport report =
                new ComparisonReport(
                                "test", ReportPanel.losses(List.of("text", "image")), threeModels())
                        .setting("steps", 20)
                        .detail("moe-4x", "parameters", new JsonPrimitive(1234));
        report.write(dir);
        JsonObject json =
                JsonParser.parseString(Files.readString(dir.resolve(ComparisonReport.JSON)))
                        .getAsJsonObject();
        assertEquals(20, json.getAsJsonObject("settings").get("steps").getAsInt());
        JsonObject models = json.getAsJsonObject("models");
        assertEquals(List.of("dense", "mot", "moe-4x"), List.copyOf(models.keySet()));
        JsonObject last = models.getAsJsonArray("dense").get(1).getAsJsonObject();
        assertEquals(4.0, last.getAsJsonObject("heldout_loss").get("image").getAsDouble());
        assertEquals(100.0, last.get("training_seconds").getAsDouble());
        assertEquals(
                1234,
                json.getAsJsonObject("architectures")
                        .getAsJsonObject("moe-4x")
                        .get("parameters")
                        .getAsInt());
        JsonObject flops = json.getAsJsonObject("flops_fraction_to_match_dense_final");
        // text: MoT crosses 2.0 between 1e9 (2.5) and 2e9 (1.5): at 1.5e9 = 75 % of 2e9
        assertEquals(0.75, flops.getAsJsonObject("mot").get("text").getAsDouble(), 1e-12);
        // image: the MoE reaches 4.0 at 1e9 FLOPs, its first evaluation
        assertEquals(0.5, flops.getAsJsonObject("moe-4x").get("image").getAsDouble(), 1e-12);
        assertTrue(flops.getAsJsonObject("mot").get("image").isJsonNull(), "not reached");
        assertTrue(!flops.has("dense"), "the baseline is not compared with itself");
        JsonObject time = json.getAsJsonObject("time_fraction_to_match_dense_final");
        // MoT at 75 % of the steps, 90 s on its clock: 90 % of dense's 100 s
        assertEquals(0.9, time.getAsJsonObject("mot").get("text").getAsDouble(), 1e-12);
        // the MoE at half the FLOPs but 100 s: as long as dense
        assertEquals(1.0, time.getAsJsonObject("moe-4x").get("image").getAsDouble(), 1e-12);

        List<String> csv = Files.readAllLines(dir.resolve(ComparisonReport.CSV));
        assertEquals(
                "model,step,training_flops,training_seconds,heldout_loss_text,heldout_loss_image",
                csv.get(0));
        assertEquals(7, csv.size());
        assertTrue(csv.get(6).startsWith("moe-4x,20,2.000000e+09,200.000,"), csv.get(6));
        assertTrue(Files.size(dir.resolve(ComparisonReport.PNG)) > 1000);
        assertTrue(Files.size(dir.resolve(ComparisonReport.TIME_PNG)) > 1000);
    }

    @Test
    void summaryHasOneLinePerSetAndComparedModel() {
        ComparisonReport report =
                new ComparisonReport(
                        "test", ReportPanel.losses(List.of("text", "image")), threeModels());
        List<String> lines = report.summaryLines();
        assertEquals(6, lines.size(), String.join("\n", lines));
        assertTrue(
                lines.get(0).startsWith("text   dense final held-out loss 2.0000"), lines.get(0));
        assertTrue(
                lines.get(1)
                        .contains(
                                "mot    final 1.5000: reaches it at 75.0 % of dense's training"
                                        + " FLOPs, 90.0 % of dense's training time"),
                lines.get(1));
        assertTrue(lines.get(4).contains("does not reach it within the run"), lines.get(4));
        assertTrue(lines.get(5).contains("50.0 %"), lines.get(5));
    }

    @Test
    void aDenseCurveThatRoseAfterItsBestIsAlsoComparedAtItsBest() {
        LossCurve dense = new LossCurve("dense");
        dense.add(10, 1e9, 50, new double[] {3.0});
        dense.add(20, 2e9, 100, new double[] {2.0});
        dense.add(30, 3e9, 150, new double[] {2.5});
        LossCurve mot = new LossCurve("mot");
        mot.add(10, 1e9, 60, new double[] {2.4});
        mot.add(20, 2e9, 120, new double[] {1.8});
        mot.add(30, 3e9, 180, new double[] {2.6});
        ComparisonReport report =
                new ComparisonReport(
                        "test", ReportPanel.losses(List.of("speech")), List.of(dense, mot));
        List<String> lines = report.summaryLines();
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(1).contains("reaches it at 33.3 %"), lines.get(1));
        assertTrue(
                lines.get(2).contains("dense's best 2.0000, at 67 % of its training FLOPs"),
                lines.get(2));
        // 2.4 -> 1.8 crosses 2.0 two thirds of the way from 1e9 to 2e9, over dense's 2e9
        assertTrue(
                lines.get(3)
                        .contains(
                                "mot   best 1.8000: reaches dense's best at 83.3 % of the FLOPs"
                                        + " dense took to it"),
                lines.get(3));
        JsonObject best = report.json().getAsJsonObject("flops_fraction_to_match_dense_best");
        assertEquals(
                (1e9 + 1e9 * 0.4 / 0.6) / 2e9,
                best.getAsJsonObject("mot").get("speech").getAsDouble(),
                1e-12);
    }

    @Test
    void qualityCurvesArePlottedAsMeasuresOfImagesNotAsTokenLosses() {
        ComparisonReport report =
                new ComparisonReport(
                        "test",
                        List.of(
                                ReportPanel.loss("text"),
                                ReportPanel.generated(GeneratedImageQuality.CURVES.get(0))),
                        threeModels());
        List<LineChart.Panel> panels = report.chart(false).panels();
        assertEquals("text tokens", panels.get(0).title());
        assertEquals("held-out loss", panels.get(0).yLabel());
        assertEquals("generated images: image feature FID", panels.get(1).title());
        assertEquals("image feature FID", panels.get(1).yLabel());
        assertTrue(
                report.summaryLines().get(3).startsWith("image feature FID dense final value"),
                report.summaryLines().get(3));
    }

    @Test
    void aPanelsKindComesFromThePanelNotFromItsName() {
        // a held-out set that happens to share a measure's name is still a loss
        ComparisonReport report =
                new ComparisonReport(
                        "test",
                        ReportPanel.losses(List.of("text", GeneratedImageQuality.CURVES.get(0))),
                        threeModels());
        assertEquals("held-out loss", report.chart(false).panels().get(1).yLabel());
    }

    @Test
    void needsABaselineAndDistinctNames() {
        List<LossCurve> three = threeModels();
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new ComparisonReport(
                                "t",
                                ReportPanel.losses(List.of("text", "image")),
                                three.subList(0, 1)));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new ComparisonReport(
                                "t",
                                ReportPanel.losses(List.of("text", "image")),
                                List.of(three.get(0), three.get(0))));
        ComparisonReport report =
                new ComparisonReport("t", ReportPanel.losses(List.of("text", "image")), three);
        assertThrows(
                IllegalArgumentException.class,
                () -> report.detail("nobody", "x", new JsonPrimitive(1)));
        assertThrows(IllegalArgumentException.class, () -> report.fractions("nobody"));
    }
}
