package io.motdjl.examples.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import java.util.HashMap;
import java.util.Map;

/**
 * The update of {@code io.motdjl.train.ResumableAdamW} as it was before it was made in place (then
 * {@code io.motdjl.train.AdamW}), kept only as the baseline of {@link OptimizerBenchmark}: the same
 * arithmetic, one sub-manager per update and a temporary per operation, about fifteen passes over
 * each parameter. Fixed learning rate, matrices-only decay, gradients zeroed; no clipping,
 * rescaling or saved state.
 */
final class LegacyAdamW implements AutoCloseable {

    private final double learningRate;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final Map<String, NDArray[]> state = new HashMap<>();
    private final Map<String, Integer> updates = new HashMap<>();
    private final NDManager stateManager = NDManager.newBaseManager();

    LegacyAdamW(
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
        NDArray mean = s[0];
        NDArray variance = s[1];
        int t = updates.merge(parameterId, 1, Integer::sum);
        double lr = learningRate;
        double decay = weight.getShape().dimension() >= 2 ? weightDecay : 0;
        double biasCorrection1 = 1.0 - Math.pow(beta1, t);
        double biasCorrection2 = 1.0 - Math.pow(beta2, t);
        try (NDManager scratch = stateManager.newSubManager(weight.getDevice())) {
            scratch.tempAttachAll(grad, mean, variance);
            NDArray g = grad;
            if (decay != 0) {
                weight.muli(1.0 - lr * decay);
            }
            mean.muli(beta1).addi(g.mul(1.0 - beta1));
            variance.muli(beta2).addi(g.square().muli(1.0 - beta2));
            NDArray denominator = variance.sqrt().divi(Math.sqrt(biasCorrection2)).addi(epsilon);
            weight.subi(mean.div(denominator).muli(lr / biasCorrection1));
        }
        if (weight.hasGradient()) {
            try (NDArray realGradient = weight.getGradient();
                    NDArray zero =
                            realGradient
                                    .getManager()
                                    .zeros(new Shape(), realGradient.getDataType())) {
                realGradient.set(new NDIndex("..."), zero);
            }
        }
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
