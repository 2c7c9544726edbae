package io.motdjl.zoo;

import java.util.Arrays;
import java.util.Objects;

/**
 * The next-token score of one sequence, the output of {@link SequenceScoringTranslator}. Position
 * {@code t} predicts token {@code t+1}; predictions are grouped by the modality of their target.
 *
 * @param loss mean next-token cross-entropy (nats) over all {@code T-1} predictions; NaN for one
 *     token
 * @param lossPerModality mean loss of the predictions whose target has modality {@code m}; NaN
 *     where there is none
 * @param targetsPerModality number of predictions whose target has modality {@code m}
 * @param targetLogProbs {@code log p(token[t+1] | tokens[0..t])} for {@code t = 0 .. T-2}
 */
public record MoTScore(
        double loss, double[] lossPerModality, long[] targetsPerModality, float[] targetLogProbs) {

    /** Copies the arrays, which must not be null. */
    public MoTScore {
        lossPerModality = Objects.requireNonNull(lossPerModality, "lossPerModality").clone();
        targetsPerModality =
                Objects.requireNonNull(targetsPerModality, "targetsPerModality").clone();
        targetLogProbs = Objects.requireNonNull(targetLogProbs, "targetLogProbs").clone();
    }

    @Override
    public double[] lossPerModality() {
        return lossPerModality.clone();
    }

    @Override
    public long[] targetsPerModality() {
        return targetsPerModality.clone();
    }

    @Override
    public float[] targetLogProbs() {
        return targetLogProbs.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MoTScore s
                && Double.compare(s.loss, loss) == 0
                && Arrays.equals(s.lossPerModality, lossPerModality)
                && Arrays.equals(s.targetsPerModality, targetsPerModality)
                && Arrays.equals(s.targetLogProbs, targetLogProbs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                loss,
                Arrays.hashCode(lossPerModality),
                Arrays.hashCode(targetsPerModality),
                Arrays.hashCode(targetLogProbs));
    }

    @Override
    public String toString() {
        return "MoTScore[loss="
                + loss
                + ", perModality="
                + Arrays.toString(lossPerModality)
                + ", targets="
                + Arrays.toString(targetsPerModality)
                + "]";
    }
}
