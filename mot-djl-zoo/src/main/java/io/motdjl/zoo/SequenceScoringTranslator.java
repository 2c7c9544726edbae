package io.motdjl.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.objective.LossValue;
import io.motdjl.objective.NextTokenLoss;

/**
 * Scores one {@link MoTSequence} at a time and returns a {@link MoTScore} of plain Java values: the
 * mean next-token loss, the loss per target modality and the log-probability of every target token.
 * Modalities missing from the input are derived from the config's {@code modality_token_ranges}.
 * Sequences of different lengths are scored one by one ({@code batchPredict} works, without
 * padding).
 */
public final class SequenceScoringTranslator
        implements NoBatchifyTranslator<MoTSequence, MoTScore> {

    private static final String INPUTS = "mot.inputs";

    private final MoTConfig config;

    /** A translator for a model with {@code config}. */
    public SequenceScoringTranslator(MoTConfig config) {
        this.config = config;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, MoTSequence input) {
        if (input == null) {
            throw new IllegalArgumentException("no sequence given (a MoTSequence of token ids)");
        }
        NDManager manager = ctx.getNDManager();
        int length = input.length();
        Shape shape = new Shape(1, length);
        int[] modalities = input.modalities();
        if (modalities == null) {
            modalities = modalitiesOf(input.tokens());
        }
        MoTInputs inputs =
                MoTInputs.of(
                        manager.create(toLong(input.tokens()), shape),
                        manager.create(toLong(modalities), shape));
        if (input.imageSpanIds() != null) {
            inputs = inputs.withImageSpanIds(manager.create(toLong(input.imageSpanIds()), shape));
        }
        ctx.setAttachment(INPUTS, inputs);
        return inputs.toNDList();
    }

    @Override
    public MoTScore processOutput(TranslatorContext ctx, NDList list) {
        MoTInputs inputs = (MoTInputs) ctx.getAttachment(INPUTS);
        NDArray logits = MoTOutputs.of(list).logits();
        int m = config.nModalities();
        LossValue loss =
                NextTokenLoss.compute(logits, inputs.tokens(), inputs.modalities(), null, m);
        float[] perModality = loss.perModality().toType(DataType.FLOAT32, false).toFloatArray();
        float[] counts = loss.perModalityCount().toType(DataType.FLOAT32, false).toFloatArray();
        double[] lossPerModality = new double[m];
        long[] targets = new long[m];
        for (int i = 0; i < m; i++) {
            lossPerModality[i] = perModality[i];
            targets[i] = Math.round(counts[i]);
        }
        long length = logits.getShape().get(1);
        float[] logProbs = new float[0];
        if (length > 1) {
            NDArray targetIds = inputs.tokens().get("0, 1:").toType(DataType.INT64, false);
            logProbs =
                    logits.get("0, :-1, :")
                            .logSoftmax(-1)
                            .gather(targetIds.expandDims(-1), -1)
                            .squeeze(-1)
                            .toType(DataType.FLOAT32, false)
                            .toFloatArray();
        }
        return new MoTScore(
                loss.mean().toType(DataType.FLOAT32, false).getFloat(),
                lossPerModality,
                targets,
                logProbs);
    }

    /** Modality of each token from the config's token ranges (one modality: all zeros). */
    int[] modalitiesOf(int[] tokens) {
        int[] modalities = new int[tokens.length];
        long[][] ranges = config.modalityTokenRanges();
        if (ranges == null) {
            if (config.nModalities() == 1) {
                return modalities;
            }
            throw new IllegalArgumentException(
                    "the sequence gives no modalities and the model's config has no"
                            + " modality_token_ranges to derive them from; pass them explicitly");
        }
        for (int t = 0; t < tokens.length; t++) {
            modalities[t] = -1;
            for (int m = 0; m < ranges.length; m++) {
                if (tokens[t] >= ranges[m][0] && tokens[t] < ranges[m][1]) {
                    modalities[t] = m;
                    break;
                }
            }
            if (modalities[t] < 0) {
                throw new IllegalArgumentException(
                        "token "
                                + tokens[t]
                                + " at position "
                                + t
                                + " lies in no modality's token"
                                + " range (vocabulary size "
                                + config.vocabSize()
                                + ")");
            }
        }
        return modalities;
    }

    private static long[] toLong(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
