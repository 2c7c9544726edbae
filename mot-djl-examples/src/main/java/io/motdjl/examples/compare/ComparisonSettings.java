package io.motdjl.examples.compare;

import java.nio.file.Path;

/**
 * The knobs of a dense-vs-MoT comparison in the Chameleon setting. Both models get the same values;
 * only the untying differs.
 *
 * @param steps optimizer steps per model
 * @param dim model width
 * @param layers decoder layers
 * @param heads attention heads
 * @param batchSize sequences per batch
 * @param peakLearningRate AdamW peak learning rate (linear warmup, cosine decay to a tenth)
 * @param evaluations how many held-out evaluations per model, evenly spaced (the last at the end)
 * @param seed seed of the data split, tokenizer, initialisation and data order
 * @param dataDir a directory with Fashion-MNIST IDX files, or null for the bundled test split
 * @param heldOutFraction share of images held out for evaluation (and of prose documents)
 * @param proseFraction share of training sequences that are text-only prose, in [0, 1); 0 is the
 *     earlier setting of captions and images only
 */
public record ComparisonSettings(
        int steps,
        int dim,
        int layers,
        int heads,
        int batchSize,
        double peakLearningRate,
        int evaluations,
        int seed,
        Path dataDir,
        double heldOutFraction,
        double proseFraction) {

    /** Half of the training sequences are prose, as in the default comparison. */
    public static final double DEFAULT_PROSE_FRACTION = 0.5;

    public ComparisonSettings {
        positive("steps", steps);
        positive("dim", dim);
        positive("layers", layers);
        positive("heads", heads);
        positive("batch size", batchSize);
        positive("evaluations", evaluations);
        if (dim % heads != 0 || (dim / heads) % 2 != 0) {
            throw new IllegalArgumentException(
                    "heads (" + heads + ") must divide dim (" + dim + ") into an even head width");
        }
        if (!(peakLearningRate > 0)) {
            throw new IllegalArgumentException(
                    "learning rate must be positive, got " + peakLearningRate);
        }
        if (!(proseFraction >= 0 && proseFraction < 1)) {
            throw new IllegalArgumentException(
                    "the prose fraction must be in [0, 1), got " + proseFraction);
        }
        if (evaluations > steps) {
            throw new IllegalArgumentException(
                    "evaluations (" + evaluations + ") cannot exceed steps (" + steps + ")");
        }
    }

    /**
     * The default run: about 7 minutes alone on a 2-core machine. The peak learning rate is the
     * dense model's best of 1e-3, 3e-3 and 1e-2 at this size (docs/results.md): a lower one slows
     * the dense baseline more than the MoT and overstates MoT's saving.
     */
    public static ComparisonSettings defaults() {
        return new ComparisonSettings(
                600, 128, 4, 4, 32, 1e-2, 12, 0, null, 0.1, DEFAULT_PROSE_FRACTION);
    }

    /** These settings with another share of prose sequences. */
    public ComparisonSettings withProseFraction(double value) {
        return new ComparisonSettings(
                steps,
                dim,
                layers,
                heads,
                batchSize,
                peakLearningRate,
                evaluations,
                seed,
                dataDir,
                heldOutFraction,
                value);
    }

    /** Whether the training data mixes in prose. */
    public boolean hasProse() {
        return proseFraction > 0;
    }

    /** SwiGLU hidden width: 8/3 of the width, rounded up to a multiple of 16 (Llama's rule). */
    public int ffnHiddenDim() {
        int raw = (int) Math.ceil(8.0 * dim / 3.0);
        return (raw + 15) / 16 * 16;
    }

    /** Steps between evaluations. */
    public int evaluateEvery() {
        return Math.max(1, steps / evaluations);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
