package io.motdjl.examples.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class ComparisonReportTest {

    @Test
    void writesJsonCsvAndPlot(@TempDir Path dir) throws Exception {
        LossCurve dense = new LossCurve("dense");
        LossCurve mot = new LossCurve("mot");
        dense.add(10, 1e9, new double[] {3.0, 5.0});
        dense.add(20, 2e9, new double[] {2.0, 4.0});
        mot.add(10, 1e9, new double[] {2.5, 4.0});
        mot.add(20, 2e9, new double[] {1.5, 3.5});
        ComparisonReport report =
                new ComparisonReport("test", List.of("text", "image"), dense, mot)
                        .setting("steps", 20);
        report.write(dir);
        JsonObject json =
                JsonParser.parseString(Files.readString(dir.resolve(ComparisonReport.JSON)))
                        .getAsJsonObject();
        assertEquals(20, json.getAsJsonObject("settings").get("steps").getAsInt());
        assertEquals(2, json.getAsJsonObject("models").getAsJsonArray("mot").size());
        assertEquals(
                4.0,
                json.getAsJsonObject("models")
                        .getAsJsonArray("dense")
                        .get(1)
                        .getAsJsonObject()
                        .getAsJsonObject("heldout_loss")
                        .get("image")
                        .getAsDouble());
        // text: MoT crosses 2.0 between 1e9 (2.5) and 2e9 (1.5): at 1.5e9 = 75 % of 2e9
        assertEquals(
                0.75,
                json.getAsJsonObject("mot_flops_fraction_to_match_dense_final")
                        .get("text")
                        .getAsDouble(),
                1e-12);
        List<String> csv = Files.readAllLines(dir.resolve(ComparisonReport.CSV));
        assertEquals("model,step,training_flops,heldout_loss_text,heldout_loss_image", csv.get(0));
        assertEquals(5, csv.size());
        assertTrue(Files.size(dir.resolve(ComparisonReport.PNG)) > 1000);
        assertTrue(report.summaryLines().get(0).contains("75.0 %"), report.summaryLines().get(0));
        // no times recorded: no wall-clock figure
        assertTrue(!json.getAsJsonObject("mot_time_fraction_to_match_dense_final").has("text"));
        assertTrue(!report.summaryLines().get(0).contains("training time"));
    }

    @Test
    void wallClockFractionScalesTheStepFractionByTheTimes() {
        LossCurve dense = new LossCurve("dense");
        LossCurve mot = new LossCurve("mot");
        dense.add(10, 1e9, new double[] {3.0, 5.0});
        dense.add(20, 2e9, new double[] {2.0, 4.0});
        mot.add(10, 1e9, new double[] {2.5, 4.5});
        mot.add(20, 2e9, new double[] {1.5, 4.1});
        ComparisonReport report =
                new ComparisonReport("test", List.of("text", "image"), dense, mot)
                        .trainingSeconds(100, 120);
        // text at 75 % of the FLOPs; MoT's steps took 1.2x as long: 90 % of dense's time
        assertEquals(0.9, report.timeFractions().get(0).getAsDouble(), 1e-12);
        assertTrue(report.timeFractions().get(1).isEmpty(), "image not reached");
        assertTrue(
                report.summaryLines().get(0).contains("(90.0 % of its training time)"),
                report.summaryLines().get(0));
        assertEquals(
                0.9,
                report.json()
                        .getAsJsonObject("mot_time_fraction_to_match_dense_final")
                        .get("text")
                        .getAsDouble(),
                1e-12);
        assertThrows(IllegalArgumentException.class, () -> report.trainingSeconds(0, 1));
    }
}
