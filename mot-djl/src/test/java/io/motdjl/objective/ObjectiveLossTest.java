package io.motdjl.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ObjectiveLossTest {

    @Test
    void theLossIsTheNextTokenLossAndIgnoresPadding() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            NDArray logits = manager.randomNormal(new Shape(2, 5, 7));
            NDArray tokens =
                    manager.create(new long[] {1, 2, 3, 4, 5, 6, 0, 1, 0, 0}, new Shape(2, 5));
            NDArray modalities =
                    manager.create(new long[] {0, 0, 1, 1, 1, 0, 1, 1, 0, 0}, new Shape(2, 5));
            NDArray valid =
                    manager.create(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, new Shape(2, 5));
            ObjectiveLoss loss = new ObjectiveLoss(2);
            float value =
                    loss.evaluate(new NDList(tokens, modalities, valid), new NDList(logits))
                            .getFloat();
            LossValue expected = NextTokenLoss.compute(logits, tokens, modalities, valid, 2);
            assertEquals(expected.mean().getFloat(), value, 0f);

            // padding changes nothing: the second row's padded tail may hold anything
            NDArray otherTail =
                    manager.create(new long[] {1, 2, 3, 4, 5, 6, 0, 1, 5, 3}, new Shape(2, 5));
            float same =
                    loss.evaluate(new NDList(otherTail, modalities, valid), new NDList(logits))
                            .getFloat();
            assertEquals(value, same, 0f);

            ModalityLosses last = loss.lastEvaluation();
            // targets: row 0 -> 2(m0) 3(m1) 4(m1) 5(m1); row 1 -> 0(m1) 1(m1), then padding
            assertEquals(1, last.count(0));
            assertEquals(5, last.count(1));
            assertEquals(value, last.mean(), 1e-6);
            assertThrows(
                    IllegalArgumentException.class,
                    () -> loss.evaluate(new NDList(tokens), new NDList(logits)));
        }
    }

    @Test
    void badLabelsAreClearErrorsNotNativeFailuresOrSilentNaNs() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logits = manager.randomNormal(new Shape(1, 4, 7));
            NDArray tokens = manager.create(new long[] {1, 2, 3, 4}, new Shape(1, 4));
            NDArray modalities = manager.create(new long[] {0, 0, 1, 1}, new Shape(1, 4));
            // a modality id no modality's loss would count (a silent NaN before)
            NDArray farModality = manager.create(new long[] {0, 5, 1, 1}, new Shape(1, 4));
            assertMessage(
                    "modality ids must be in [0, M = 2), got ids from 0 to 5",
                    () -> NextTokenLoss.compute(logits, tokens, farModality, null, 2));
            // a target outside the vocabulary (a native index error before)
            NDArray farToken = manager.create(new long[] {1, 2, 99, 4}, new Shape(1, 4));
            assertMessage(
                    "token ids must be in [0, V = 7), got ids from 1 to 99",
                    () -> NextTokenLoss.compute(logits, farToken, modalities, null, 2));
            // 1-D tokens (an index error before)
            assertMessage(
                    "needs logits (B, T, V) and tokens (B, T)",
                    () ->
                            NextTokenLoss.compute(
                                    logits, tokens.reshape(4), modalities.reshape(4), null, 2));
            assertMessage(
                    "must have the tokens' shape (1, 4)",
                    () -> NextTokenLoss.compute(logits, tokens, modalities.reshape(4, 1), null, 2));
            // padding may hold any id, as long as it is masked out
            NDArray paddedTail = manager.create(new long[] {1, 2, -100, -100}, new Shape(1, 4));
            NDArray valid = manager.create(new long[] {1, 1, 0, 0}, new Shape(1, 4));
            float loss =
                    NextTokenLoss.compute(logits, paddedTail, modalities, valid, 2)
                            .mean()
                            .getFloat();
            assertEquals(
                    NextTokenLoss.compute(logits, tokens, modalities, valid, 2).mean().getFloat(),
                    loss,
                    0f);
        }
    }

    private static void assertMessage(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        org.junit.jupiter.api.Assertions.assertTrue(
                e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void accumulatorsWeightBatchesByTokenCount() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(6);
            ObjectiveLoss loss = new ObjectiveLoss(2);
            loss.addAccumulator("epoch");
            NDArray logitsA = manager.randomNormal(new Shape(1, 6, 5));
            NDArray tokensA = manager.create(new long[] {0, 1, 2, 3, 4, 0}, new Shape(1, 6));
            NDArray modalitiesA = manager.create(new long[] {0, 0, 0, 1, 1, 1}, new Shape(1, 6));
            NDArray logitsB = manager.randomNormal(new Shape(1, 3, 5));
            NDArray tokensB = manager.create(new long[] {4, 3, 2}, new Shape(1, 3));
            NDArray modalitiesB = manager.create(new long[] {1, 1, 1}, new Shape(1, 3));
            NDList labelsA = new NDList(tokensA, modalitiesA);
            NDList predsA = new NDList(logitsA);
            NDList labelsB = new NDList(tokensB, modalitiesB);
            NDList predsB = new NDList(logitsB);
            float meanA = loss.evaluate(labelsA, predsA).getFloat(); // 5 targets
            loss.updateAccumulator("epoch", labelsA, predsA);
            float meanB = loss.evaluate(labelsB, predsB).getFloat(); // 2 targets
            loss.updateAccumulator("epoch", labelsB, predsB);
            assertEquals((5 * meanA + 2 * meanB) / 7, loss.getAccumulator("epoch"), 1e-6f);
            ModalityLosses total = loss.getModalityAccumulator("epoch");
            assertEquals(2, total.count(0));
            assertEquals(5, total.count(1));
            loss.resetAccumulator("epoch");
            assertEquals(0, loss.getModalityAccumulator("epoch").count());
            assertEquals(Float.NaN, loss.getAccumulator("epoch"));
        }
    }
}
