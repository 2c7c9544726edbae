package io.motdjl.routing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

/** Rows grouped by modality: chunks hold exactly their modality's rows, in order, and go back. */
class GroupedRowsTest {

    @Test
    void groupsInStableOrderAndRestores() {
        try (NDManager manager = NDManager.newBaseManager()) {
            long[] ids = {1, 0, 2, 1, 0, 1};
            ModalityRouting routing = ModalityRouting.of(ids, 4, manager);
            // row i holds (10·i, 10·i + 1)
            float[] values = new float[12];
            for (int i = 0; i < 6; i++) {
                values[2 * i] = 10 * i;
                values[2 * i + 1] = 10 * i + 1;
            }
            NDArray rows = manager.create(values, new Shape(6, 2));
            GroupedRows grouped = GroupedRows.fromOriginal(routing, rows);
            assertTrue(grouped.isGrouped());
            assertArrayEquals(new float[] {10, 11, 40, 41}, grouped.chunk(0).toFloatArray());
            assertArrayEquals(new float[] {0, 1, 30, 31, 50, 51}, grouped.chunk(1).toFloatArray());
            assertArrayEquals(new float[] {20, 21}, grouped.chunk(2).toFloatArray());
            assertNull(grouped.chunk(3), "an absent modality has no chunk");
            assertArrayEquals(new long[] {0, 3, 5}, routing.indicesOf(1));
            assertArrayEquals(new long[0], routing.indicesOf(3));
            assertArrayEquals(new long[] {2, 5, 6}, routing.chunkEnds());
            assertArrayEquals(values, grouped.toOriginal().toFloatArray());

            // per-modality functions see their own modality; the result restores like the input
            GroupedRows shifted = grouped.map((r, m) -> r.add(100 * m));
            NDArray restored = shifted.add(grouped).toOriginal();
            float[] expected = new float[12];
            for (int i = 0; i < 6; i++) {
                expected[2 * i] = 2 * values[2 * i] + 100 * ids[i];
                expected[2 * i + 1] = 2 * values[2 * i + 1] + 100 * ids[i];
            }
            assertArrayEquals(expected, restored.toFloatArray());
            assertArrayEquals(values, grouped.regroup(rows).toOriginal().toFloatArray());
        }
    }

    @Test
    void oneModalityIsNeverGathered() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ModalityRouting routing = ModalityRouting.of(new long[] {2, 2, 2}, 3, manager);
            NDArray rows = manager.arange(6f).reshape(3, 2);
            GroupedRows grouped = GroupedRows.fromOriginal(routing, rows);
            assertFalse(grouped.isGrouped());
            assertSame(rows, grouped.chunk(2), "the rows themselves, as modality 2");
            assertSame(rows, grouped.toOriginal());
        }
    }
}
