package io.motdjl.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.nn.NoiseHead;
import io.motdjl.nn.PatchAdapter;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The sampler's cached, batched passes (prefixes once into a key/value cache, the image block per
 * step, several images side by side, prefixes of different lengths left-padded) give the images
 * that full passes over each whole sequence give, with the linear patch encoder and with the conv
 * one (which sees whole images).
 */
class CachedSamplingTest {

    private static final int P = TinyTransfusion.PATCH;
    private static final double TOLERANCE = 1e-4;
    private static final long[] UNCONDITIONAL = {1, TinyTransfusion.BOI};

    private static long[] caption(int c) {
        return new long[] {1, 10 + c, TinyTransfusion.BOI};
    }

    static Stream<Arguments> encoders() {
        return Stream.of(
                Arguments.of("linear", TinyTransfusion.CONFIG, TinyTransfusion.IMAGE_ROWS),
                Arguments.of("conv", TinyTransfusion.CONV_CONFIG, TinyTransfusion.CONV_IMAGE_ROWS));
    }

    @ParameterizedTest(name = "{0} patch encoder")
    @MethodSource("encoders")
    void cachedBatchedSamplingMatchesFullPassesImageByImage(
            String encoder, MoTConfig config, int rows) {
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model =
                    TinyModels.initialize(
                            new MoTModel(config.toBuilder().nLayers(2).build()),
                            manager,
                            DataType.FLOAT32);
            CosineSchedule schedule = CosineSchedule.standard();
            ImageSampler sampler = new ImageSampler(model, schedule, 0, 1, P);
            List<ImageSampler.Request> requests =
                    List.of(
                            new ImageSampler.Request(caption(0), 3),
                            new ImageSampler.Request(caption(2), 4),
                            new ImageSampler.Request(UNCONDITIONAL, 5));
            for (SamplingSettings settings :
                    List.of(
                            SamplingSettings.ddim(6, 2.5, 0),
                            SamplingSettings.ancestral(5, 1.0, 0),
                            SamplingSettings.ddim(4, 0.0, 0))) {
                List<float[]> batched =
                        sampler.sample(requests, UNCONDITIONAL, rows, settings, manager);
                assertEquals(requests.size(), batched.size());
                for (int i = 0; i < requests.size(); i++) {
                    ImageSampler.Request r = requests.get(i);
                    float[] reference =
                            fullPasses(
                                    model, schedule, r.prefix(), r.seed(), rows, settings, manager);
                    double diff = maxAbsDiff(reference, batched.get(i));
                    assertTrue(
                            diff < TOLERANCE,
                            settings + ", image " + i + ": max |Δ| against full passes " + diff);
                    float[] alone =
                            sampler.sample(
                                    r.prefix(),
                                    UNCONDITIONAL,
                                    rows,
                                    new SamplingSettings(
                                            settings.steps(),
                                            settings.eta(),
                                            settings.guidanceScale(),
                                            settings.clip(),
                                            r.seed()),
                                    manager);
                    double batchDiff = maxAbsDiff(alone, batched.get(i));
                    assertTrue(batchDiff < TOLERANCE, "alone vs batched: max |Δ| " + batchDiff);
                }
            }
            assertThrows(
                    IllegalArgumentException.class,
                    () ->
                            sampler.sample(
                                    List.of(),
                                    UNCONDITIONAL,
                                    rows,
                                    SamplingSettings.ddim(2, 1, 0),
                                    manager));
            assertThrows(IllegalArgumentException.class, () -> new ImageSampler.Request(null, 0));
        }
    }

    /**
     * The reference: each step a full pass over the whole sequence (prefix and image block), one
     * image and one prefix at a time, the way a reader of the paper would write it.
     */
    private static float[] fullPasses(
            MoTModel model,
            CosineSchedule schedule,
            long[] prefix,
            long seed,
            int rows,
            SamplingSettings settings,
            NDManager manager) {
        Random random = new Random(seed);
        float[] x = gaussian(random, rows * P);
        int[] timesteps = DenoisingStep.timesteps(schedule, settings.steps());
        for (int s = 0; s < timesteps.length; s++) {
            int t = timesteps[s];
            float[] epsilon;
            try (NDManager step = manager.newSubManager()) {
                float[] conditional = estimate(model, step, prefix, x, t);
                epsilon = conditional;
                if (settings.guidanceScale() == 0) {
                    epsilon = estimate(model, step, UNCONDITIONAL, x, t);
                } else if (settings.needsUnconditional()) {
                    float[] unconditional = estimate(model, step, UNCONDITIONAL, x, t);
                    epsilon = new float[x.length];
                    for (int k = 0; k < x.length; k++) {
                        epsilon[k] =
                                (float)
                                        (unconditional[k]
                                                + settings.guidanceScale()
                                                        * (conditional[k] - unconditional[k]));
                    }
                }
            }
            int previous = s + 1 < timesteps.length ? timesteps[s + 1] : -1;
            float[] fresh = settings.eta() > 0 && previous >= 0 ? gaussian(random, x.length) : null;
            DenoisingStep.apply(
                    schedule, x, epsilon, t, previous, settings.eta(), settings.clip(), fresh);
        }
        return x;
    }

    private static float[] estimate(
            MoTModel model, NDManager step, long[] prefix, float[] x, int t) {
        int length = prefix.length + x.length / P;
        long[] tokens = new long[length];
        long[] modalities = new long[length];
        long[] spans = new long[length];
        long[] steps = new long[length];
        float[] patches = new float[length * P];
        System.arraycopy(prefix, 0, tokens, 0, prefix.length);
        for (int r = prefix.length; r < length; r++) {
            modalities[r] = 1;
            spans[r] = 1;
            steps[r] = t;
        }
        System.arraycopy(x, 0, patches, prefix.length * P, x.length);
        Shape shape = new Shape(1, length);
        MoTInputs inputs =
                MoTInputs.of(step.create(tokens, shape), step.create(modalities, shape))
                        .withImageSpanIds(step.create(spans, shape))
                        .withExtra(
                                PatchAdapter.PATCHES, step.create(patches, new Shape(1, length, P)))
                        .withExtra(PatchAdapter.TIMESTEPS, step.create(steps, shape));
        NDArray noise =
                MoTOutputs.of(
                                model.forward(
                                        new ParameterStore(step, false), inputs.toNDList(), false))
                        .get(NoiseHead.OUTPUT);
        return noise.get(new NDIndex("0, " + prefix.length + ":")).toFloatArray();
    }

    private static float[] gaussian(Random random, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextGaussian();
        }
        return out;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
