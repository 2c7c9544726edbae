package io.motdjl.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.motdjl.examples.compare.ComparisonReport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code bin/mot compare} at a tiny size: both models train and every output is written. */
class CompareScriptTest {

    @Test
    void tinyComparisonWritesResultsAndPlot(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        MotScript.Result result =
                MotScript.run(
                        tmp,
                        "compare",
                        "--out",
                        out.toString(),
                        "--steps",
                        "6",
                        "--dim",
                        "32",
                        "--layers",
                        "1",
                        "--heads",
                        "2",
                        "--batch",
                        "8",
                        "--evals",
                        "2");
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.stdout().contains("text   dense final held-out loss"), result.stdout());
        assertTrue(result.stdout().contains("image  dense final held-out loss"), result.stdout());
        JsonObject json =
                JsonParser.parseString(Files.readString(out.resolve(ComparisonReport.JSON)))
                        .getAsJsonObject();
        assertEquals(2, json.getAsJsonObject("models").getAsJsonArray("dense").size());
        assertEquals(2, json.getAsJsonObject("models").getAsJsonArray("mot").size());
        assertTrue(
                json.getAsJsonObject("settings").get("mot_parameters").getAsLong()
                        > json.getAsJsonObject("settings").get("dense_parameters").getAsLong());
        assertTrue(Files.size(out.resolve(ComparisonReport.PNG)) > 1000);
        assertEquals(5, Files.readAllLines(out.resolve(ComparisonReport.CSV)).size());
    }

    @Test
    void badFlagsAreUsageErrors(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        MotScript.Result result =
                MotScript.run(
                        tmp, "compare", "--out", out.toString(), "--dim", "30", "--heads", "4");
        assertEquals(2, result.exitCode(), result.toString());
        assertTrue(result.stderr().contains("must divide dim"), result.stderr());
    }
}
