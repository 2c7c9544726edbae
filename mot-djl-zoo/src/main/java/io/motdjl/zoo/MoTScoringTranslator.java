package io.motdjl.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.objective.LossValue;
import io.motdjl.objective.NextTokenLoss;

/**
 * Scores batches given as arrays. The input is an {@link NDList} in the {@link MoTInputs} layout
 * ({@code tokens} and {@code modalities}, integer {@code (B, T)}, then the optional arrays found by
 * name: {@code image_span_ids}, {@code attention_mask}, {@code document_ids}); the output holds, in
 * this order and under these names:
 *
 * <ul>
 *   <li>{@value #LOGITS}: {@code (B, T, V)} next-token logits;
 *   <li>{@value #LOSS}: scalar mean next-token cross-entropy over every real (non-padding)
 *       prediction;
 *   <li>{@value #LOSS_PER_MODALITY}: {@code (M)} mean loss by the target token's modality (NaN
 *       where a modality has no target);
 *   <li>{@value #TARGETS_PER_MODALITY}: {@code (M)} number of predictions of each modality.
 * </ul>
 *
 * <p>The batch is already a batch, so there is no batchifier. The outputs belong to the manager of
 * the input arrays (the caller closes them with it).
 */
public final class MoTScoringTranslator implements NoBatchifyTranslator<NDList, NDList> {

    public static final String LOGITS = "logits";
    public static final String LOSS = "loss";
    public static final String LOSS_PER_MODALITY = "loss_per_modality";
    public static final String TARGETS_PER_MODALITY = "targets_per_modality";

    private static final String INPUTS = "mot.inputs";

    private final int numModalities;

    /** A translator for a model with {@code numModalities} modalities. */
    public MoTScoringTranslator(int numModalities) {
        if (numModalities < 1) {
            throw new IllegalArgumentException(
                    "numModalities must be positive, got " + numModalities);
        }
        this.numModalities = numModalities;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, NDList input) {
        MoTInputs inputs = MoTInputs.from(input);
        ctx.setAttachment(INPUTS, inputs);
        return input;
    }

    @Override
    public NDList processOutput(TranslatorContext ctx, NDList list) {
        MoTInputs inputs = (MoTInputs) ctx.getAttachment(INPUTS);
        NDArray logits = MoTOutputs.of(list).logits();
        LossValue loss =
                NextTokenLoss.compute(
                        logits,
                        inputs.tokens(),
                        inputs.modalities(),
                        inputs.validTokens(),
                        numModalities);
        return new NDList(
                named(logits, LOGITS),
                named(loss.mean(), LOSS),
                named(loss.perModality(), LOSS_PER_MODALITY),
                named(loss.perModalityCount(), TARGETS_PER_MODALITY));
    }

    private static NDArray named(NDArray array, String name) {
        array.setName(name);
        return array;
    }
}
