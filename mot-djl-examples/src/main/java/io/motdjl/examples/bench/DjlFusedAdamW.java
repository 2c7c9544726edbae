package io.motdjl.examples.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.HashMap;
import java.util.Map;

/**
 * The same AdamW update through DJL's native {@code NDArrayEx.adamUpdate} (what DJL's own {@code
 * Adam} and {@code AdamW} call), for comparison in {@link OptimizerBenchmark} only. DJL adds ε to
 * {@code sqrt(v)} before the bias correction and scales the step by {@code lr·sqrt(c2)/c1}; passing
 * {@code ε·sqrt(c2)} as ε gives our formula. Its other differences (every scalar a float32, {@code
 * 1 − β} computed in float32 inside, one-sided clipping, a clone of the gradient) make it unfit for
 * {@code ResumableAdamW} itself.
 */
final class DjlFusedAdamW implements AutoCloseable {

    private final double learningRate;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final Map<String, NDArray[]> state = new HashMap<>();
    private final Map<String, Integer> updates = new HashMap<>();
    private final NDManager stateManager = NDManager.newBaseManager();

    DjlFusedAdamW(
            double learningRate, double beta1, double beta2, double epsilon, double weightDecay) {
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    void update(String parameterId, NDArray weight, NDArray grad) {
        NDArray[] s =
                state.computeIfAbsent(
                        parameterId,
                        k ->
                                new NDArray[] {
                                    stateManager.zeros(weight.getShape(), weight.getDataType()),
                                    stateManager.zeros(weight.getShape(), weight.getDataType())
                                });
        int t = updates.merge(parameterId, 1, Integer::sum);
        double decay = weight.getShape().dimension() >= 2 ? weightDecay : 0;
        double biasCorrection1 = 1.0 - Math.pow(beta1, t);
        double sqrtBiasCorrection2 = Math.sqrt(1.0 - Math.pow(beta2, t));
        // adamw=true decays w by lr·wd·w; with no decay, adamw=false adds 0·w to the gradient
        // copy instead (cheaper than subtracting lr·0·w); the fourth list only names whose
        // gradient to zero
        weight.getNDArrayInternal()
                .adamUpdate(
                        new NDList(weight, grad, s[0], s[1]),
                        new NDList(weight),
                        (float) learningRate,
                        (float) (learningRate * sqrtBiasCorrection2 / biasCorrection1),
                        (float) decay,
                        1f,
                        -1f,
                        (float) beta1,
                        (float) beta2,
                        (float) (epsilon * sqrtBiasCorrection2),
                        true,
                        decay != 0);
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
