package io.motdjl.examples.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

class LineChartTest {

    @Test
    void writesAPngWithOnePanelPerModality(@TempDir Path dir) throws Exception {
        LineChart chart = new LineChart("held-out loss vs training FLOPs");
        for (String modality : List.of("text", "image")) {
            chart.add(
                    new LineChart.Panel(
                            modality,
                            "training FLOPs",
                            "held-out loss",
                            List.of(
                                    new LineChart.Series(
                                            "dense",
                                            new double[] {1e12, 2e12, 3e12},
                                            new double[] {3, 2.5, 2.2}),
                                    new LineChart.Series(
                                            "MoT",
                                            new double[] {1e12, 2e12, 3e12},
                                            new double[] {2.9, 2.2, 2.0}))));
        }
        Path png = dir.resolve("plot.png");
        chart.writePng(png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(2 * 520, image.getWidth());
        // the two series colours are both drawn somewhere
        boolean blue = false;
        boolean red = false;
        for (int x = 0; x < image.getWidth(); x++) {
            for (int y = 0; y < image.getHeight(); y++) {
                int rgb = image.getRGB(x, y) & 0xFFFFFF;
                blue |= rgb == 0x1f77b4;
                red |= rgb == 0xd62728;
            }
        }
        assertTrue(blue && red, "both lines drawn");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }

    @Test
    void ticksAreRoundAndInsideTheRange() {
        List<Double> ticks = LineChart.ticks(2.03, 3.91);
        assertTrue(ticks.size() >= 3 && ticks.size() <= 11, ticks.toString());
        assertTrue(ticks.get(0) >= 2.03 && ticks.get(ticks.size() - 1) <= 3.91);
        assertEquals("1.2e12", LineChart.format(1.2e12));
        assertEquals("2.5", LineChart.format(2.5));
        assertNotEquals("", LineChart.format(0));
    }
}
