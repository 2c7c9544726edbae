package io.motdjl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.motdjl.nn.MoTInputs;
import io.motdjl.tokenize.JointVocabulary;

import org.junit.jupiter.api.Test;

class MoTSequenceBatchifierTest {

    private static final long PAD = JointVocabulary.PAD;

    @Test
    void padsToTheLongestSequenceWithMasks() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList[] records = {
                record(
                        manager,
                        new long[] {256, 'a', 258, 300, 259, 257},
                        new long[] {0, 0, 0, 1, 0, 0},
                        new long[] {0, 0, 0, 1, 0, 0}),
                record(
                        manager,
                        new long[] {256, 258, 301, 259},
                        new long[] {0, 0, 1, 0},
                        new long[] {0, 0, 1, 0}),
            };
            NDList batch = MoTSequenceBatchifier.forData().batchify(records);
            assertEquals(4, batch.size());
            MoTInputs inputs = MoTInputs.from(batch);
            assertEquals(new Shape(2, 6), inputs.tokens().getShape());
            for (NDArray array : batch) {
                assertEquals(DataType.INT64, array.getDataType());
                assertEquals(new Shape(2, 6), array.getShape());
            }
            assertArrayEquals(
                    new long[] {256, 'a', 258, 300, 259, 257, 256, 258, 301, 259, PAD, PAD},
                    inputs.tokens().toLongArray());
            assertArrayEquals(
                    new long[] {0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0},
                    inputs.modalities().toLongArray());
            assertArrayEquals(
                    new long[] {0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0},
                    inputs.imageSpanIds().toLongArray());
            assertArrayEquals(
                    new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
                    inputs.validTokens().toLongArray());
            assertNull(inputs.documentIds());
            assertEquals(MoTInputs.TOKENS, batch.get(0).getName());
            assertEquals(MoTInputs.MODALITIES, batch.get(1).getName());
            assertEquals(MoTInputs.IMAGE_SPAN_IDS, batch.get(2).getName());
            assertEquals(MoTInputs.VALID_TOKENS, batch.get(3).getName());
            assertEquals("attention_mask", batch.get(3).getName());
        }
    }

    @Test
    void labelsHoldTokensModalitiesAndMask() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList[] records = {
                labels(manager, new long[] {256, 262, 257}, new long[] {0, 1, 0}),
                labels(manager, new long[] {256, 257}, new long[] {0, 0}),
            };
            NDList batch = MoTSequenceBatchifier.forLabels().batchify(records);
            assertEquals(3, batch.size());
            assertEquals(MoTInputs.TOKENS, batch.get(0).getName());
            assertEquals(MoTInputs.MODALITIES, batch.get(1).getName());
            assertEquals(MoTInputs.VALID_TOKENS, batch.get(2).getName());
            assertArrayEquals(
                    new long[] {256, 262, 257, 256, 257, PAD}, batch.get(0).toLongArray());
            assertArrayEquals(
                    new long[] {0, 1, 0, 0, 0, JointVocabulary.TEXT}, batch.get(1).toLongArray());
            assertArrayEquals(new long[] {1, 1, 1, 1, 1, 0}, batch.get(2).toLongArray());
        }
    }

    @Test
    void unbatchifyAndSplitUndoThePadding() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList[] records = {
                record(
                        manager,
                        new long[] {256, 258, 300, 259},
                        new long[] {0, 0, 1, 0},
                        new long[] {0, 0, 1, 0}),
                record(
                        manager,
                        new long[] {256, 'x', 257},
                        new long[] {0, 0, 0},
                        new long[] {0, 0, 0}),
                record(manager, new long[] {256, 257}, new long[] {0, 0}, new long[] {0, 0}),
            };
            MoTSequenceBatchifier batchifier = MoTSequenceBatchifier.forData();
            NDList batch = batchifier.batchify(records);
            NDList[] back = batchifier.unbatchify(batch);
            assertEquals(3, back.length);
            for (int b = 0; b < 3; b++) {
                assertEquals(3, back[b].size());
                for (int k = 0; k < 3; k++) {
                    assertArrayEquals(
                            records[b].get(k).toLongArray(), back[b].get(k).toLongArray());
                    assertEquals(records[b].get(k).getName(), back[b].get(k).getName());
                }
            }
            // DJL's multi-device split: unbatchify, then batchify each slice (padded anew)
            NDList[] slices = batchifier.split(batch, 2, false);
            assertEquals(new Shape(2, 4), slices[0].get(0).getShape());
            assertEquals(new Shape(1, 2), slices[1].get(0).getShape());
        }
    }

    @Test
    void rejectsInconsistentRecords() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList mismatched =
                    record(manager, new long[] {1, 2}, new long[] {0}, new long[] {0, 0});
            assertThrows(
                    IllegalArgumentException.class,
                    () -> MoTSequenceBatchifier.forData().batchify(new NDList[] {mismatched}));
            NDList floats =
                    new NDList(
                            manager.create(new float[] {1, 2}), manager.create(new float[] {0, 0}));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> MoTSequenceBatchifier.forData().batchify(new NDList[] {floats}));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> MoTSequenceBatchifier.forData().batchify(new NDList[0]));
        }
    }

    private static NDList record(
            NDManager manager, long[] tokens, long[] modalities, long[] spans) {
        NDList list = labels(manager, tokens, modalities);
        NDArray span = manager.create(spans);
        span.setName(MoTInputs.IMAGE_SPAN_IDS);
        list.add(span);
        return list;
    }

    private static NDList labels(NDManager manager, long[] tokens, long[] modalities) {
        NDArray t = manager.create(tokens);
        t.setName(MoTInputs.TOKENS);
        NDArray m = manager.create(modalities);
        m.setName(MoTInputs.MODALITIES);
        return new NDList(t, m);
    }
}
