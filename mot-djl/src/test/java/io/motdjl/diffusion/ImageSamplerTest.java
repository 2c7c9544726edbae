package io.motdjl.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;

import io.motdjl.nn.MoTModel;
import io.motdjl.train.TrainingRun;
import io.motdjl.train.TrainingSettings;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

/**
 * Trains the tiny Transfusion task until its images are learnt, then draws one image per class and
 * checks it looks like its class's pattern: the sampler, the guidance and the conditioning work end
 * to end.
 */
class ImageSamplerTest {

    private static final int P = TinyTransfusion.PATCH;
    private static final int ROWS = TinyTransfusion.IMAGE_ROWS;

    private static long[] prefix(int c) {
        return new long[] {1, 10 + c, TinyTransfusion.BOI};
    }

    @Test
    void samplesFollowTheirCaptionAndTheSeed() throws Exception {
        TrainingSettings settings =
                TrainingSettings.builder()
                        .seed(5)
                        .batchSize(16)
                        .totalSteps(600)
                        .warmupSteps(10)
                        .peakLearningRate(1e-2)
                        .build();
        try (TrainingRun run =
                TrainingRun.start(
                        TinyTransfusion.CONFIG.toBuilder().dim(32).headDim(16).nLayers(2).build(),
                        settings,
                        TinyTransfusion.create(256, 1, 16),
                        TinyTransfusion.OPTIONS)) {
            run.trainToEnd();
            MoTModel model = run.model();
            ImageSampler sampler = new ImageSampler(model, CosineSchedule.standard(), 0, 1, P);
            try (NDManager manager = NDManager.newBaseManager()) {
                // conditional DDIM, three seeds per class: a tiny model denoises most starting
                // points into its caption's pattern (measured: 10 of 12, the others far from all)
                int correct = 0;
                for (int c = 0; c < 4; c++) {
                    for (long seed = 8; seed < 11; seed++) {
                        float[] image =
                                sampler.sample(
                                        prefix(c),
                                        prefix(c),
                                        ROWS,
                                        SamplingSettings.ddim(25, 1.0, seed),
                                        manager);
                        assertEquals(ROWS * P, image.length);
                        if (nearestClass(image) == c) {
                            correct++;
                        }
                    }
                }
                assertTrue(correct >= 9, correct + " of 12 samples look like their class");
                // classifier-free guidance runs the unconditional prefix too
                for (int c : new int[] {0, 3}) {
                    float[] guided =
                            sampler.sample(
                                    prefix(c),
                                    new long[] {1, TinyTransfusion.BOI},
                                    ROWS,
                                    SamplingSettings.ddim(25, 2.0, 7),
                                    manager);
                    assertEquals(c, nearestClass(guided), "guided sample of class " + c);
                }
                SamplingSettings ancestral = SamplingSettings.ancestral(20, 1.0, 3);
                float[] a = sampler.sample(prefix(2), prefix(2), ROWS, ancestral, manager);
                float[] b = sampler.sample(prefix(2), prefix(2), ROWS, ancestral, manager);
                float[] other =
                        sampler.sample(
                                prefix(2),
                                prefix(2),
                                ROWS,
                                SamplingSettings.ancestral(20, 1.0, 4),
                                manager);
                assertArrayEquals(a, b, "the same seed gives the same image");
                assertFalse(Arrays.equals(a, other), "another seed another image");
                IllegalArgumentException tooLong =
                        assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        sampler.sample(
                                                prefix(0),
                                                prefix(0),
                                                TinyTransfusion.LENGTH,
                                                SamplingSettings.ddim(2, 1, 0),
                                                manager));
                assertTrue(tooLong.getMessage().contains("max_seq_len"), tooLong.getMessage());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> SamplingSettings.ddim(0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> SamplingSettings.ddim(5, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingSettings(5, 1.5, 1, 1, 0));
    }

    /** The class whose noiseless pattern is nearest to the image. */
    private static int nearestClass(float[] image) {
        int best = -1;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int c = 0; c < 4; c++) {
            double d = 0;
            for (int k = 0; k < image.length; k++) {
                double diff = image[k] - Math.sin(1.3 * (c + 1) * k);
                d += diff * diff;
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }
}
