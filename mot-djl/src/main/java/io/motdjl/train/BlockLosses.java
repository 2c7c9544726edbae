package io.motdjl.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import io.motdjl.objective.LossTerm;
import io.motdjl.objective.LossValue;
import io.motdjl.util.Scalars;

import java.util.ArrayList;
import java.util.List;

/**
 * The losses of a batch's blocks weighted so that their gradients add up to the gradient of the
 * whole batch's loss. DJL's parameter server sums the devices' gradients; a block's own mean loss
 * would count a block of few tokens as much as one of many, and N blocks would give N times the
 * gradient. For each {@link LossTerm} of the objective, block {@code i} contributes {@code weight ·
 * mean_i · count_i / Σ_j count_j}; a block without items of a term contributes nothing to it.
 *
 * <p>With one block the loss is the objective's own, untouched, so a one-device run computes
 * exactly what it did before blocks existed.
 */
final class BlockLosses {

    private final List<NDArray> losses;
    private final double total;

    private BlockLosses(List<NDArray> losses, double total) {
        this.losses = losses;
        this.total = total;
    }

    /**
     * Weighs the blocks' losses (reads every term's count to the host: one sync per block).
     *
     * @param values each block's loss, from the same objective
     * @throws IllegalStateException if the blocks' losses are made of different terms
     */
    static BlockLosses of(List<LossValue> values) {
        if (values.size() == 1) {
            NDArray mean = values.get(0).mean();
            return new BlockLosses(List.of(mean), mean.toType(DataType.FLOAT64, false).getDouble());
        }
        List<LossTerm> reference = values.get(0).terms();
        double[][] counts = new double[values.size()][];
        double[] totals = new double[reference.size()];
        for (int i = 0; i < values.size(); i++) {
            List<LossTerm> terms = values.get(i).terms();
            requireSameTerms(reference, terms, i);
            counts[i] = new double[terms.size()];
            for (int t = 0; t < terms.size(); t++) {
                counts[i][t] = terms.get(t).count().toType(DataType.FLOAT64, false).getDouble();
                totals[t] += counts[i][t];
            }
        }
        List<NDArray> losses = new ArrayList<>(values.size());
        double total = 0;
        boolean anyCounted = false;
        for (int i = 0; i < values.size(); i++) {
            NDArray loss = null;
            List<LossTerm> terms = values.get(i).terms();
            for (int t = 0; t < terms.size(); t++) {
                if (counts[i][t] == 0 || terms.get(t).weight() == 0) {
                    continue; // its mean is NaN (0/0) or does not count
                }
                double share = terms.get(t).weight() * counts[i][t] / totals[t];
                NDArray part = Scalars.times(terms.get(t).mean(), share);
                loss = loss == null ? part : loss.add(part);
            }
            losses.add(loss);
            if (loss != null) {
                anyCounted = true;
                total += loss.toType(DataType.FLOAT64, false).getDouble();
            }
        }
        return new BlockLosses(losses, anyCounted ? total : Double.NaN);
    }

    private static void requireSameTerms(List<LossTerm> reference, List<LossTerm> terms, int i) {
        boolean same = terms.size() == reference.size();
        for (int t = 0; same && t < terms.size(); t++) {
            same =
                    terms.get(t).name().equals(reference.get(t).name())
                            && terms.get(t).weight() == reference.get(t).weight();
        }
        if (!same) {
            throw new IllegalStateException(
                    "block "
                            + i
                            + "'s loss has the terms "
                            + names(terms)
                            + " but block 0's has "
                            + names(reference)
                            + "; the blocks of a batch must be scored alike");
        }
    }

    private static List<String> names(List<LossTerm> terms) {
        return terms.stream().map(LossTerm::name).toList();
    }

    /** Block {@code i}'s weighted loss, differentiable; null when it has nothing to count. */
    NDArray loss(int i) {
        return losses.get(i);
    }

    /** The batch's loss: the sum of the blocks' (NaN if no block had anything to count). */
    double total() {
        return total;
    }
}
