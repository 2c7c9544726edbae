package io.motdjl.examples.chameleon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.tokenize.PatchKMeansTokenizer;
import io.motdjl.tokenize.ReconstructionReport;

import org.junit.jupiter.api.Test;

/** The experiment's image tokenizer on Fashion-MNIST: geometry and held-out reconstruction. */
class FashionMnistTokenizerTest {

    /**
     * Held-out RMSE ceiling of the shared tokenizer (4 × 4 patches, K = 256, 10 iterations on 2,000
     * images). Measured: 0.0864 (seeds 0-3: 0.0862-0.0866), i.e. 21.3 dB; about 10 % margin.
     */
    private static final double MAX_HELD_OUT_RMSE = 0.095;

    @Test
    void geometryOfTheStandardTokenizer() {
        PatchKMeansTokenizer tokenizer = TestTokenizers.standard();
        assertEquals(49, tokenizer.codesPerImage());
        assertEquals(256, tokenizer.codebookSize());
        assertEquals(FashionMnist.IMAGE_SIZE, tokenizer.imageHeight());
        assertEquals(256, tokenizer.distinctEntries());
        int[] codes = tokenizer.encode(TestTokenizers.split().heldOut().image(0));
        assertEquals(49, codes.length);
    }

    @Test
    void reconstructsHeldOutImagesWell() {
        ReconstructionReport report =
                ReconstructionReport.measure(
                        TestTokenizers.standard(), TestTokenizers.split().heldOut().images());
        assertEquals(TestTokenizers.HELD_OUT, report.images());
        assertTrue(report.rmse() < MAX_HELD_OUT_RMSE, report.toString());
        assertTrue(report.psnrDb() > -20 * Math.log10(MAX_HELD_OUT_RMSE), report.toString());
        assertEquals(-20 * Math.log10(report.rmse()), report.psnrDb(), 1e-9);
    }
}
