package io.motdjl.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;

import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.objective.LossValue;
import io.motdjl.objective.NextTokenLoss;

/**
 * One inference forward pass of a {@link MoTModel} with its next-token loss, in the layout of the
 * reference cases: {@code logits (B, T, V)}, {@code loss (1)} and {@code loss_per_modality (M)},
 * all float32, the per-modality loss NaN where a modality has no target token.
 *
 * @param logits {@code (B, T, V)} float32
 * @param loss {@code (1)} float32 mean over all {@code B·(T-1)} predictions
 * @param lossPerModality {@code (M)} float32 means grouped by the target token's modality
 */
public record ForwardPass(NDArray logits, NDArray loss, NDArray lossPerModality) {

    public static final String LOGITS = "logits";
    public static final String LOSS = "loss";
    public static final String LOSS_PER_MODALITY = "loss_per_modality";

    /**
     * Runs the model on the inputs.
     *
     * @param model a loaded model
     * @param inputs tokens, modalities and optional masks
     * @param manager where intermediate arrays are created
     * @return logits and losses
     * @throws IllegalArgumentException if the inputs do not fit the model
     */
    public static ForwardPass run(MoTModel model, MoTInputs inputs, NDManager manager) {
        NDArray logits =
                MoTOutputs.of(
                                model.forward(
                                        new ParameterStore(manager, false),
                                        inputs.toNDList(),
                                        false))
                        .logits();
        LossValue loss =
                NextTokenLoss.compute(
                        logits,
                        inputs.tokens(),
                        inputs.modalities(),
                        inputs.validTokens(),
                        model.config().nModalities());
        return new ForwardPass(
                logits.toType(DataType.FLOAT32, false),
                loss.mean().reshape(1).toType(DataType.FLOAT32, false),
                loss.perModality().toType(DataType.FLOAT32, false));
    }

    /** The mean loss as a Java float. */
    public float meanLoss() {
        return loss.getFloat(0);
    }

    /** The per-modality losses as Java floats (NaN where a modality has no target). */
    public float[] meanLossPerModality() {
        return lossPerModality.toFloatArray();
    }
}
