package io.motdjl.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;

import io.motdjl.train.RunOptions;
import io.motdjl.train.SplitBlocks;
import io.motdjl.train.StepReport;
import io.motdjl.train.TrainingRun;
import io.motdjl.train.TrainingSettings;

import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * A Transfusion batch split into blocks (as across devices) trains as the whole batch: the
 * next-token and diffusion terms are means over different items (text targets, images), and each is
 * weighed by the blocks' share of its own items.
 */
class TransfusionSplitTest {

    @Test
    void aBatchInBlocksTrainsAsTheWholeBatch() throws Exception {
        // a third of the rows are captions alone: blocks differ in text targets per image
        TinyTransfusion train = TinyTransfusion.createMixed(32, 4, 8);
        TrainingSettings settings =
                TrainingSettings.builder()
                        .seed(5)
                        .batchSize(7) // blocks of 3, 2 and 2 rows
                        .totalSteps(20)
                        .warmupSteps(2)
                        .peakLearningRate(1e-2)
                        .build();
        List<StepReport> whole;
        try (TrainingRun run =
                TrainingRun.start(
                        TinyTransfusion.CONFIG, settings, train, TinyTransfusion.OPTIONS)) {
            whole = run.train(4);
        }
        RunOptions inBlocks =
                SplitBlocks.inBlocks(
                                RunOptions.builder()
                                        .device(Device.cpu())
                                        .progressBar(false)
                                        .logEvery(0)
                                        .objective(
                                                c ->
                                                        TransfusionObjective.standard(
                                                                c.nModalities(), 1)),
                                3)
                        .build();
        List<StepReport> split;
        try (TrainingRun run =
                TrainingRun.start(TinyTransfusion.CONFIG, settings, train, inBlocks)) {
            split = run.train(4);
        }
        for (int i = 0; i < whole.size(); i++) {
            String where = "step " + whole.get(i).step();
            assertEquals(
                    whole.get(i).loss(), split.get(i).loss(), 2e-6 * whole.get(i).loss(), where);
            assertEquals(
                    whole.get(i).gradNorm(),
                    split.get(i).gradNorm(),
                    2e-5 * whole.get(i).gradNorm(),
                    where);
            assertArrayEquals(
                    whole.get(i).losses().means(), split.get(i).losses().means(), 2e-5, where);
        }
    }
}
