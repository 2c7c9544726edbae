package io.motdjl.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

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
