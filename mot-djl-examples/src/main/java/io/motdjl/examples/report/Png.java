package io.motdjl.examples.report;

import io.motdjl.io.AtomicFiles;

import java.awt.image.RenderedImage;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

/** Writes pictures as PNG files through {@link AtomicFiles}. */
final class Png {

    private Png() {}

    /**
     * Writes {@code image} to {@code file}: atomically for a regular file, directly into a device
     * or FIFO, an error for a directory.
     */
    static void write(RenderedImage image, Path file) throws IOException {
        AtomicFiles.write(
                file,
                os -> {
                    if (!ImageIO.write(image, "png", os)) {
                        throw new IOException("no PNG writer available");
                    }
                });
    }
}
