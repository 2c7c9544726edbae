package io.motdjl.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.io.CheckpointException;
import io.motdjl.nn.MoTModel;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

class ResumableAdamWTest {

    private static final float LR = 0.1f;
    private static final double WD = 0.5;
    private static final double B1 = 0.9;
    private static final double B2 = 0.999;
    private static final double EPS = 1e-8;

    private static ResumableAdamW optimizer() {
        return ResumableAdamW.builder()
                .optLearningRateTracker(Tracker.fixed(LR))
                .optBeta1(B1)
                .optBeta2(B2)
                .optEpsilon(EPS)
                .optWeightDecays((float) WD)
                .build();
    }

    /** The AdamW update written out in double precision, one element at a time. */
    private static final class HandAdamW {
        final double[] w;
        final double[] m;
        final double[] v;
        final boolean decays;
        int t;

        HandAdamW(double[] w, boolean decays) {
            this.w = w.clone();
            this.m = new double[w.length];
            this.v = new double[w.length];
            this.decays = decays;
        }

        void step(double[] g) {
            t++;
            double lr = LR; // the tracker's float value
            for (int i = 0; i < w.length; i++) {
                if (decays) {
                    w[i] *= 1 - lr * WD;
                }
                m[i] = B1 * m[i] + (1 - B1) * g[i];
                v[i] = B2 * v[i] + (1 - B2) * g[i] * g[i];
                double mHat = m[i] / (1 - Math.pow(B1, t));
                double vHat = v[i] / (1 - Math.pow(B2, t));
                w[i] -= lr * mHat / (Math.sqrt(vHat) + EPS);
            }
        }
    }

    @Test
    void matrixUpdatesMatchAHandComputationWithDecay() {
        double[] w0 = {0.5, -1.0, 2.0, 0.25};
        double[][] grads = {{0.1, -0.2, 0.3, 0.0}, {-0.05, 0.4, 0.2, 1.0}, {0.0, 0.0, -3.0, 0.5}};
        HandAdamW hand = new HandAdamW(w0, true);
        try (NDManager manager = NDManager.newBaseManager();
                ResumableAdamW adamw = optimizer()) {
            NDArray weight = manager.create(floats(w0), new Shape(2, 2));
            for (double[] g : grads) {
                try (NDArray grad = manager.create(floats(g), new Shape(2, 2))) {
                    adamw.update("w", weight, grad);
                }
                hand.step(g);
                assertArrayEquals(floats(hand.w), weight.toFloatArray(), 1e-6f);
                assertArrayEquals(floats(hand.m), adamw.getFirstMoment("w").toFloatArray(), 1e-7f);
                assertArrayEquals(floats(hand.v), adamw.getSecondMoment("w").toFloatArray(), 1e-7f);
            }
            assertEquals(3, adamw.getUpdateCount("w"));
            assertEquals(3, adamw.getStep());
            assertEquals(1, manager.getManagedArrays().size(), "the update leaves no temporaries");
            assertEquals(2, adamw.stateArrayCount());
        }
    }

    @Test
    void oneDimensionalParametersDoNotDecayByDefault() {
        double[] b0 = {1.0, -2.0};
        double[][] grads = {{0.5, -0.5}, {0.25, 0.0}};
        HandAdamW hand = new HandAdamW(b0, false);
        try (NDManager manager = NDManager.newBaseManager();
                ResumableAdamW adamw = optimizer()) {
            NDArray bias = manager.create(floats(b0));
            for (double[] g : grads) {
                try (NDArray grad = manager.create(floats(g))) {
                    adamw.update("b", bias, grad);
                }
                hand.step(g);
            }
            assertArrayEquals(floats(hand.w), bias.toFloatArray(), 1e-6f);
        }
        // and with DecayFilter.ALL they do
        HandAdamW decayed = new HandAdamW(b0, true);
        try (NDManager manager = NDManager.newBaseManager();
                ResumableAdamW adamw =
                        ResumableAdamW.builder()
                                .optLearningRateTracker(Tracker.fixed(LR))
                                .optBeta2(B2)
                                .optWeightDecays((float) WD)
                                .optDecayFilter(ResumableAdamW.DecayFilter.ALL)
                                .build()) {
            NDArray bias = manager.create(floats(b0));
            for (double[] g : grads) {
                try (NDArray grad = manager.create(floats(g))) {
                    adamw.update("b", bias, grad);
                }
                decayed.step(g);
            }
            assertArrayEquals(floats(decayed.w), bias.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void theGradientIsZeroedAfterTheUpdate() {
        try (NDManager manager = NDManager.newBaseManager();
                ResumableAdamW adamw = optimizer()) {
            NDArray weight = manager.create(new float[] {1, 2, 3});
            weight.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(weight.mul(weight).sum());
            }
            NDArray grad = weight.getGradient();
            assertArrayEquals(new float[] {2, 4, 6}, grad.toFloatArray(), 0f);
            adamw.update("w", weight, grad);
            assertArrayEquals(new float[] {0, 0, 0}, weight.getGradient().toFloatArray(), 0f);
        }
    }

    @Test
    void aZeroGradientChangesAFreshParameterOnlyByItsDecay() {
        float[] w0 = {0.5f, -1.0f, 2.0f, 0.25f};
        float[] b0 = {1.0f, -2.0f};
        try (NDManager manager = NDManager.newBaseManager();
                ResumableAdamW adamw = optimizer()) {
            NDArray weight = manager.create(w0, new Shape(2, 2));
            NDArray bias = manager.create(b0);
            try (NDArray zeros = manager.zeros(new Shape(2, 2));
                    NDArray zero = manager.zeros(new Shape(2))) {
                adamw.update("w", weight, zeros);
                adamw.update("b", bias, zero);
            }
            // the moments stay zero, so the step is exactly zero: decay only, bit for bit
            float factor = (float) (1.0 - (double) LR * WD);
            float[] decayed = new float[w0.length];
            for (int i = 0; i < w0.length; i++) {
                decayed[i] = w0[i] * factor;
            }
            assertArrayEquals(decayed, weight.toFloatArray(), 0f);
            assertArrayEquals(b0, bias.toFloatArray(), 0f, "a 1-D parameter does not decay");
            assertArrayEquals(new float[4], adamw.getFirstMoment("w").toFloatArray(), 0f);
            assertArrayEquals(new float[4], adamw.getSecondMoment("w").toFloatArray(), 0f);
        }
        // after a non-zero gradient, a zero one still moves the weight by the moments
        double[] w = {0.5, -1.0, 2.0, 0.25};
        double[][] grads = {{0, 0, 0, 0}, {0.1, -0.2, 0.3, 0.0}, {0, 0, 0, 0}, {0, 0, 0, 0}};
        HandAdamW hand = new HandAdamW(w, true);
        try (NDManager manager = NDManager.newBaseManager();
                ResumableAdamW adamw = optimizer()) {
            NDArray weight = manager.create(floats(w), new Shape(2, 2));
            for (double[] g : grads) {
                try (NDArray grad = manager.create(floats(g), new Shape(2, 2))) {
                    adamw.update("w", weight, grad);
                }
                hand.step(g);
                assertArrayEquals(floats(hand.w), weight.toFloatArray(), 1e-6f);
            }
        }
    }

    @Test
    void rescalingAndClippingApplyToTheGradientFirst() {
        double[] w0 = {0.5, -1.0, 2.0, 0.25};
        double[][] grads = {{0.1, -0.8, 0.3, 0.0}, {-0.05, 0.4, 2.0, -1.0}};
        HandAdamW hand = new HandAdamW(w0, true);
        try (NDManager manager = NDManager.newBaseManager();
                ResumableAdamW adamw =
                        ResumableAdamW.builder()
                                .optLearningRateTracker(Tracker.fixed(LR))
                                .optBeta1(B1)
                                .optBeta2(B2)
                                .optEpsilon(EPS)
                                .optWeightDecays((float) WD)
                                .setRescaleGrad(0.5f)
                                .optClipGrad(0.25f)
                                .build()) {
            NDArray weight = manager.create(floats(w0), new Shape(2, 2));
            for (double[] g : grads) {
                double[] clipped = new double[g.length];
                for (int i = 0; i < g.length; i++) {
                    clipped[i] = Math.max(-0.25, Math.min(0.25, 0.5 * g[i]));
                }
                try (NDArray grad = manager.create(floats(g), new Shape(2, 2))) {
                    adamw.update("w", weight, grad);
                    assertArrayEquals(
                            floats(g), grad.toFloatArray(), 0f, "the gradient is read only");
                }
                hand.step(clipped);
                assertArrayEquals(floats(hand.w), weight.toFloatArray(), 1e-6f);
            }
        }
    }

    @Test
    void anUpdateLeavesNoArrayBehind() {
        try (NDManager manager = NDManager.newBaseManager();
                ResumableAdamW plain = optimizer();
                ResumableAdamW clipping =
                        ResumableAdamW.builder().setRescaleGrad(2f).optClipGrad(1f).build()) {
            NDArray weight = manager.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
            NDArray bias = manager.create(new float[] {1, 2, 3});
            weight.setRequiresGradient(true);
            bias.setRequiresGradient(true);
            // the gradient handed over lives elsewhere, as DJL's parameter server's copy does
            try (NDManager other = NDManager.newBaseManager()) {
                for (ResumableAdamW adamw : List.of(plain, clipping)) {
                    for (int step = 0; step < 3; step++) {
                        try (GradientCollector collector =
                                Engine.getInstance().newGradientCollector()) {
                            collector.backward(weight.mul(weight).sum().add(bias.sum()));
                        }
                        int before = manager.getManagedArrays().size();
                        int elsewhere = other.getManagedArrays().size();
                        try (NDArray wGrad = weight.getGradient();
                                NDArray bGrad = bias.getGradient();
                                NDArray wCopy = wGrad.duplicate();
                                NDArray bCopy = bGrad.duplicate()) {
                            wCopy.attach(other);
                            bCopy.attach(other);
                            adamw.update("w", weight, wCopy);
                            adamw.update("b", bias, bCopy);
                            assertArrayEquals(new float[6], wGrad.toFloatArray(), 0f);
                            assertArrayEquals(new float[3], bGrad.toFloatArray(), 0f);
                        }
                        assertEquals(before, manager.getManagedArrays().size());
                        assertEquals(elsewhere, other.getManagedArrays().size());
                        assertEquals(4, adamw.stateArrayCount(), "two moments per parameter");
                    }
                }
            }
        }
    }

    @Test
    void savedStateReloadsIntoAFreshModelAndContinuesBitForBit() throws Exception {
        MoTConfig config = TinyModels.config(2).build();
        try (NDManager manager = NDManager.newBaseManager();
                ResumableAdamW first = optimizer();
                ResumableAdamW second = optimizer()) {
            MoTModel a = TinyModels.model(config, manager, DataType.FLOAT32);
            MoTModel b = TinyModels.model(config, manager, DataType.FLOAT32);
            List<NDArray> grads = new ArrayList<>();
            Engine.getInstance().setRandomSeed(3);
            for (Pair<String, Parameter> p : a.getParameters()) {
                grads.add(manager.randomNormal(p.getValue().getShape()));
            }
            update(first, a, grads);
            update(first, a, grads);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            first.saveState(bytes, ParameterNames.of(a));
            // b: a fresh model with other parameter ids, given a's weights and the saved state
            List<Parameter> aParams = a.getParameters().values();
            List<Parameter> bParams = b.getParameters().values();
            for (int i = 0; i < aParams.size(); i++) {
                aParams.get(i).getArray().copyTo(bParams.get(i).getArray());
            }
            second.loadState(
                    new ByteArrayInputStream(bytes.toByteArray()),
                    ParameterNames.of(b),
                    Device.cpu());
            assertEquals(2, second.getStep());
            update(first, a, grads);
            update(second, b, grads);
            for (int i = 0; i < aParams.size(); i++) {
                assertArrayEquals(
                        aParams.get(i).getArray().toFloatArray(),
                        bParams.get(i).getArray().toFloatArray(),
                        0f,
                        aParams.get(i).getName());
            }
            assertEquals(2 * aParams.size(), second.stateArrayCount());

            MoTModel other =
                    TinyModels.model(
                            config.toBuilder().qkNorm(false).build(), manager, DataType.FLOAT32);
            try (ResumableAdamW third = optimizer()) {
                assertThrows(
                        CheckpointException.class,
                        () ->
                                third.loadState(
                                        new ByteArrayInputStream(bytes.toByteArray()),
                                        ParameterNames.of(other),
                                        Device.cpu()));
                assertEquals(0, third.getStep(), "a failed load changes nothing");
            }
        }
    }

    private static void update(ResumableAdamW optimizer, MoTModel model, List<NDArray> grads) {
        List<Parameter> params = model.getParameters().values();
        for (int i = 0; i < params.size(); i++) {
            optimizer.update(params.get(i).getId(), params.get(i).getArray(), grads.get(i));
        }
    }

    private static float[] floats(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }
}
