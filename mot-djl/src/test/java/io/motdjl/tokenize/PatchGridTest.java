package io.motdjl.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PatchGridTest {

    @Test
    void geometry() {
        PatchGrid grid = new PatchGrid(28, 28, 4);
        assertEquals(7, grid.rows());
        assertEquals(7, grid.cols());
        assertEquals(49, grid.patchCount());
        assertEquals(16, grid.patchDim());
        // patch 8 is row 1, column 1: its first pixel is (4, 4), its last (7, 7)
        assertEquals(4 * 28 + 4, grid.pixelIndex(8, 0));
        assertEquals(7 * 28 + 7, grid.pixelIndex(8, 15));
        assertEquals(5 * 28 + 6, grid.pixelIndex(8, 6));
    }

    @Test
    void extractAndPlaceRoundTrip() {
        PatchGrid grid = new PatchGrid(6, 4, 2);
        byte[] image = new byte[24];
        for (int i = 0; i < image.length; i++) {
            image[i] = (byte) (200 + i); // above 127: checks unsigned handling
        }
        float[] patch = new float[4];
        grid.extract(image, 3, patch, 0); // row 1, column 1: pixels (2..3, 2..3)
        assertArrayEquals(new float[] {200 + 10, 200 + 11, 200 + 14, 200 + 15}, patch, 0f);
        byte[] rebuilt = new byte[24];
        byte[] bytes = new byte[4];
        for (int p = 0; p < grid.patchCount(); p++) {
            grid.extract(image, p, patch, 0);
            for (int j = 0; j < 4; j++) {
                bytes[j] = (byte) (int) patch[j];
            }
            grid.place(bytes, 0, p, rebuilt);
        }
        assertArrayEquals(image, rebuilt);
    }

    @Test
    void rejectsBadGeometryAndImages() {
        assertThrows(IllegalArgumentException.class, () -> new PatchGrid(28, 28, 5));
        assertThrows(IllegalArgumentException.class, () -> new PatchGrid(28, 0, 4));
        PatchGrid grid = new PatchGrid(28, 28, 4);
        assertThrows(
                IllegalArgumentException.class,
                () -> grid.extract(new byte[10], 0, new float[16], 0));
    }
}
