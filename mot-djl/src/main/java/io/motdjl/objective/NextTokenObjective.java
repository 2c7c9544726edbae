package io.motdjl.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import io.motdjl.nn.MoTOutputs;

/**
 * Next-token cross-entropy on every token ({@link NextTokenLoss}), with per-modality means grouped
 * by the modality of the target token.
 *
 * <p>Labels: {@code [tokens (B, T), modalities (B, T), attention_mask (B, T)]}, the mask optional
 * (1 = real token, 0 = padding). Outputs: {@link MoTOutputs#logits()}.
 */
public final class NextTokenObjective implements Objective {

    private final int numModalities;

    /** The objective for a model with {@code numModalities} modalities. */
    public NextTokenObjective(int numModalities) {
        if (numModalities < 1) {
            throw new IllegalArgumentException(
                    "the number of modalities must be positive, got " + numModalities);
        }
        this.numModalities = numModalities;
    }

    @Override
    public int numModalities() {
        return numModalities;
    }

    @Override
    public LossValue evaluate(MoTOutputs outputs, NDList labels) {
        if (labels.size() < 2 || labels.size() > 3) {
            throw new IllegalArgumentException(
                    "the next-token objective needs labels [tokens, modalities, attention_mask"
                            + " (optional)], got "
                            + labels.size()
                            + " label(s)");
        }
        NDArray valid = labels.size() > 2 ? labels.get(2) : null;
        return NextTokenLoss.compute(
                outputs.logits(), labels.get(0), labels.get(1), valid, numModalities);
    }

    @Override
    public String toString() {
        return "next-token cross-entropy";
    }
}
