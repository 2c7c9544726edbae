package io.motdjl.examples.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

/**
 * Grayscale images laid out as a PNG grid: one row per label, images enlarged by an integer factor
 * (nearest neighbour, so the codes' patches stay visible), the row's label on its left.
 */
public final class ImageGrid {

    private static final int GAP = 4;

    private final int imageHeight;
    private final int imageWidth;
    private final int scale;
    private final List<String> labels = new ArrayList<>();
    private final List<List<byte[]>> rows = new ArrayList<>();

    /**
     * Creates an empty grid for images of the given size.
     *
     * @param imageHeight pixels per image column
     * @param imageWidth pixels per image row
     * @param scale enlargement factor
     */
    public ImageGrid(int imageHeight, int imageWidth, int scale) {
        if (imageHeight < 1 || imageWidth < 1 || scale < 1) {
            throw new IllegalArgumentException(
                    "image size and scale must be positive, got "
                            + imageHeight
                            + "×"
                            + imageWidth
                            + " ×"
                            + scale);
        }
        this.imageHeight = imageHeight;
        this.imageWidth = imageWidth;
        this.scale = scale;
    }

    /** Adds a row; {@code label} may be empty. */
    public ImageGrid addRow(String label, List<byte[]> images) {
        for (byte[] image : images) {
            if (image.length != imageHeight * imageWidth) {
                throw new IllegalArgumentException(
                        "expected "
                                + imageHeight
                                + "×"
                                + imageWidth
                                + " grayscale bytes, got "
                                + image.length);
            }
        }
        labels.add(label);
        rows.add(List.copyOf(images));
        return this;
    }

    /** Renders the grid. */
    public BufferedImage render() {
        if (rows.isEmpty()) {
            throw new IllegalStateException("the grid has no rows");
        }
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D measure = probe.createGraphics();
        FontMetrics metrics = measure.getFontMetrics(font);
        int labelWidth = 0;
        for (String label : labels) {
            labelWidth = Math.max(labelWidth, metrics.stringWidth(label));
        }
        measure.dispose();
        int left = labelWidth == 0 ? GAP : labelWidth + 3 * GAP;
        int cellW = imageWidth * scale;
        int cellH = imageHeight * scale;
        int width = left + columns * (cellW + GAP);
        int height = GAP + rows.size() * (cellH + GAP);
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(font);
        g.setColor(Color.DARK_GRAY);
        for (int r = 0; r < rows.size(); r++) {
            int top = GAP + r * (cellH + GAP);
            g.drawString(labels.get(r), GAP, top + cellH / 2 + metrics.getAscent() / 2);
            List<byte[]> images = rows.get(r);
            for (int c = 0; c < images.size(); c++) {
                draw(out, images.get(c), left + c * (cellW + GAP), top);
            }
        }
        g.dispose();
        return out;
    }

    private void draw(BufferedImage out, byte[] image, int x0, int y0) {
        for (int y = 0; y < imageHeight * scale; y++) {
            for (int x = 0; x < imageWidth * scale; x++) {
                int v = Byte.toUnsignedInt(image[(y / scale) * imageWidth + x / scale]);
                out.setRGB(x0 + x, y0 + y, (v << 16) | (v << 8) | v);
            }
        }
    }

    /**
     * Writes the grid as a PNG ({@link io.motdjl.io.AtomicFiles}: a failure leaves no partial
     * file).
     */
    public void writePng(Path file) throws IOException {
        Png.write(render(), file);
    }

    /**
     * Reads a picture as grayscale bytes of {@code height × width} (luma; scaled when its size
     * differs).
     */
    public static byte[] readGrayscale(Path file, int height, int width) throws IOException {
        BufferedImage source = ImageIO.read(file.toFile());
        if (source == null) {
            throw new IOException(
                    file + " is not an image format Java can read (PNG, JPEG, GIF, BMP)");
        }
        BufferedImage gray = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = gray.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(source, 0, 0, width, height, null);
        g.dispose();
        byte[] pixels = new byte[height * width];
        gray.getRaster().getDataElements(0, 0, width, height, pixels);
        return pixels;
    }
}
