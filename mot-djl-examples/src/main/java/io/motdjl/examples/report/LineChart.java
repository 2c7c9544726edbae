package io.motdjl.examples.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Line charts in one or more side-by-side panels, drawn with Java2D and written as PNG. Small and
 * dependency-free: enough for loss curves (x = training FLOPs, y = held-out loss).
 */
public final class LineChart {

    private static final Color[] PALETTE = {
        new Color(0x1f77b4),
        new Color(0xd62728),
        new Color(0x2ca02c),
        new Color(0x9467bd),
        new Color(0xff7f0e),
        new Color(0x8c564b)
    };
    private static final int PANEL_WIDTH = 520;
    private static final int PANEL_HEIGHT = 400;
    private static final int MARGIN_LEFT = 70;
    private static final int MARGIN_RIGHT = 20;
    private static final int MARGIN_TOP = 50;
    private static final int MARGIN_BOTTOM = 60;

    /** One line: a name and its points (x ascending). */
    public record Series(String name, double[] x, double[] y) {}

    /** One panel: a title, axis labels and its lines. */
    public record Panel(String title, String xLabel, String yLabel, List<Series> series) {}

    private final String title;
    private final List<Panel> panels = new ArrayList<>();

    /** A chart with an overall title. */
    public LineChart(String title) {
        this.title = title;
    }

    /** The panels, in order. */
    public List<Panel> panels() {
        return List.copyOf(panels);
    }

    /** Adds a panel; panels are laid out left to right. */
    public LineChart add(Panel panel) {
        panels.add(panel);
        return this;
    }

    /** Renders the chart to an image. */
    public BufferedImage render() {
        int width = Math.max(1, panels.size()) * PANEL_WIDTH;
        int height = PANEL_HEIGHT + 30;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            drawCentered(g, title, width / 2, 22);
            for (int i = 0; i < panels.size(); i++) {
                drawPanel(g, panels.get(i), i * PANEL_WIDTH, 30);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    /**
     * Renders and writes the chart as PNG ({@link io.motdjl.io.AtomicFiles}: atomically, devices
     * kept).
     */
    public void writePng(Path file) throws IOException {
        Png.write(render(), file);
    }

    private static void drawPanel(Graphics2D g, Panel panel, int left, int top) {
        int x0 = left + MARGIN_LEFT;
        int y0 = top + PANEL_HEIGHT - MARGIN_BOTTOM;
        int plotWidth = PANEL_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
        int plotHeight = PANEL_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM;
        double[] xr = range(panel.series(), true);
        double[] yr = range(panel.series(), false);

        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        drawCentered(g, panel.title(), x0 + plotWidth / 2, top + 25);

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (double tick : ticks(xr[0], xr[1])) {
            int px = x0 + (int) Math.round((tick - xr[0]) / (xr[1] - xr[0]) * plotWidth);
            g.setColor(new Color(0xEEEEEE));
            g.drawLine(px, y0, px, y0 - plotHeight);
            g.setColor(Color.DARK_GRAY);
            drawCentered(g, format(tick), px, y0 + 16);
        }
        for (double tick : ticks(yr[0], yr[1])) {
            int py = y0 - (int) Math.round((tick - yr[0]) / (yr[1] - yr[0]) * plotHeight);
            g.setColor(new Color(0xEEEEEE));
            g.drawLine(x0, py, x0 + plotWidth, py);
            g.setColor(Color.DARK_GRAY);
            String label = format(tick);
            g.drawString(label, x0 - 6 - g.getFontMetrics().stringWidth(label), py + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(x0, y0 - plotHeight, plotWidth, plotHeight);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        drawCentered(g, panel.xLabel(), x0 + plotWidth / 2, y0 + 36);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        drawCentered(rotated, panel.yLabel(), -(y0 - plotHeight / 2), left + 18);
        rotated.dispose();

        int legendY = y0 - plotHeight + 18;
        for (int s = 0; s < panel.series().size(); s++) {
            Series series = panel.series().get(s);
            Color color = PALETTE[s % PALETTE.length];
            g.setColor(color);
            g.setStroke(new BasicStroke(2f));
            Path2D line = new Path2D.Double();
            boolean started = false;
            for (int i = 0; i < series.x().length; i++) {
                if (!Double.isFinite(series.y()[i])) {
                    continue;
                }
                double px = x0 + (series.x()[i] - xr[0]) / (xr[1] - xr[0]) * plotWidth;
                double py = y0 - (series.y()[i] - yr[0]) / (yr[1] - yr[0]) * plotHeight;
                if (started) {
                    line.lineTo(px, py);
                } else {
                    line.moveTo(px, py);
                    started = true;
                }
                g.fillOval((int) px - 3, (int) py - 3, 6, 6);
            }
            g.draw(line);
            g.setStroke(new BasicStroke(1f));
            int lx = x0 + plotWidth - 150;
            g.drawLine(lx, legendY + s * 18 - 4, lx + 24, legendY + s * 18 - 4);
            g.setColor(Color.BLACK);
            g.drawString(series.name(), lx + 30, legendY + s * 18);
        }
    }

    private static double[] range(List<Series> all, boolean xAxis) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series s : all) {
            double[] values = xAxis ? s.x() : s.y();
            for (int i = 0; i < values.length; i++) {
                if (Double.isFinite(values[i]) && Double.isFinite(s.y()[i])) {
                    min = Math.min(min, values[i]);
                    max = Math.max(max, values[i]);
                }
            }
        }
        if (!Double.isFinite(min)) {
            return new double[] {0, 1};
        }
        if (max - min < 1e-12) {
            max = min + Math.max(1e-6, Math.abs(min) * 0.1);
        }
        double pad = xAxis ? 0 : (max - min) * 0.05;
        return new double[] {min - pad, max + pad};
    }

    /** About five round tick values inside [min, max]. */
    static List<Double> ticks(double min, double max) {
        double raw = (max - min) / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude;
        for (double m : new double[] {1, 2, 5, 10}) {
            if (raw <= m * magnitude) {
                step = m * magnitude;
                break;
            }
        }
        List<Double> ticks = new ArrayList<>();
        for (double t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
            ticks.add(t);
        }
        return ticks;
    }

    /** Compact number: 1.2e12 style for large values, else up to 3 decimals. */
    static String format(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e5 || a < 1e-3)) {
            return String.format(Locale.ROOT, "%.2g", v).replace("e+", "e");
        }
        String s = String.format(Locale.ROOT, "%.3f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static void drawCentered(Graphics2D g, String text, int cx, int y) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(text, cx - fm.stringWidth(text) / 2, y);
    }
}
