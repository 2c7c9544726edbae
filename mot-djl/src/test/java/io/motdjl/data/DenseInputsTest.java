package io.motdjl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import io.motdjl.nn.MoTInputs;

import org.junit.jupiter.api.Test;

class DenseInputsTest {

    @Test
    void collapsesModalityIdsAndKeepsTheRest() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray tokens = manager.create(new long[] {1, 2, 300, 301}, new Shape(1, 4));
            NDArray modalities = manager.create(new long[] {0, 0, 1, 1}, new Shape(1, 4));
            NDArray mask = manager.create(new long[] {1, 1, 1, 0}, new Shape(1, 4));
            tokens.setName(MoTInputs.TOKENS);
            modalities.setName(MoTInputs.MODALITIES);
            mask.setName(MoTInputs.VALID_TOKENS);
            NDList data = new NDList(tokens, modalities, mask);
            NDList collapsed = DenseInputs.collapseModalities(data);
            assertEquals(3, collapsed.size());
            assertSame(tokens, collapsed.get(0));
            assertSame(mask, collapsed.get(2));
            assertArrayEquals(new long[] {0, 0, 0, 0}, collapsed.get(1).toLongArray());
            assertEquals(MoTInputs.MODALITIES, collapsed.get(1).getName());
            assertArrayEquals(new long[] {0, 0, 1, 1}, modalities.toLongArray(), "input kept");
        }
    }
}
