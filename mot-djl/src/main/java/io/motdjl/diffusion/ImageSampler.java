package io.motdjl.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.nn.NoiseHead;
import io.motdjl.nn.PatchAdapter;

import java.util.Random;

/**
 * Draws an image from a Transfusion model: after a prefix that ends in the begin-of-image token, a
 * block of {@code rows} patch rows starts as pure noise and is denoised step by step ({@link
 * DenoisingStep}), attention bidirectional inside the block, the prefix's tokens as the condition.
 * With classifier-free guidance a second, unconditional prefix (the caption dropped) gives the
 * unconditional estimate. Each step runs the whole sequence; every array of a step is closed at its
 * end.
 */
public final class ImageSampler {

    private final MoTModel model;
    private final CosineSchedule schedule;
    private final int textModality;
    private final int imageModality;
    private final long patchSize;

    /**
     * Creates a sampler.
     *
     * @param model a model whose image modality has a {@link PatchAdapter} and a {@link NoiseHead}
     * @param schedule the schedule it was trained with
     * @param textModality the modality id of the prefix's tokens
     * @param imageModality the modality id of the patch rows
     * @param patchSize P, values per patch row
     */
    public ImageSampler(
            MoTModel model,
            CosineSchedule schedule,
            int textModality,
            int imageModality,
            long patchSize) {
        this.model = model;
        this.schedule = schedule;
        this.textModality = textModality;
        this.imageModality = imageModality;
        this.patchSize = patchSize;
    }

    /**
     * Samples one image.
     *
     * @param prefix the condition's token ids, ending with the begin-of-image token
     * @param unconditionalPrefix the prefix without the condition (used when guiding)
     * @param rows patch rows of the image
     * @param settings steps, η, guidance, clipping and seed
     * @param manager where the passes' arrays are made (each step in a sub-manager)
     * @return the sampled patch values, {@code rows × P}, row-major
     * @throws IllegalArgumentException if the sequence would not fit the model or a value is out of
     *     range
     */
    public float[] sample(
            long[] prefix,
            long[] unconditionalPrefix,
            int rows,
            SamplingSettings settings,
            NDManager manager) {
        if (rows < 1) {
            throw new IllegalArgumentException(
                    "an image needs at least one patch row, got " + rows);
        }
        if (prefix.length < 1 || unconditionalPrefix.length < 1) {
            throw new IllegalArgumentException("a prefix needs at least the begin-of-image token");
        }
        int longest = Math.max(prefix.length, unconditionalPrefix.length) + rows;
        if (longest > model.config().maxSeqLen()) {
            throw new IllegalArgumentException(
                    "prefix and image ("
                            + longest
                            + " positions) exceed the model's max_seq_len "
                            + model.config().maxSeqLen());
        }
        int[] timesteps = DenoisingStep.timesteps(schedule, settings.steps());
        Random random = new Random(settings.seed());
        float[] x = gaussian(random, Math.toIntExact(rows * patchSize));
        ParameterStore ps = new ParameterStore(manager, false);
        for (int i = 0; i < timesteps.length; i++) {
            int t = timesteps[i];
            float[] epsilon;
            try (NDManager step = manager.newSubManager()) {
                float[] conditional =
                        settings.guidanceScale() == 0
                                ? null
                                : noiseEstimate(ps, step, prefix, x, rows, t);
                if (!settings.needsUnconditional()) {
                    epsilon = conditional;
                } else {
                    float[] unconditional =
                            noiseEstimate(ps, step, unconditionalPrefix, x, rows, t);
                    epsilon = guided(unconditional, conditional, settings.guidanceScale());
                }
            }
            int previous = i + 1 < timesteps.length ? timesteps[i + 1] : -1;
            float[] fresh = settings.eta() > 0 && previous >= 0 ? gaussian(random, x.length) : null;
            DenoisingStep.apply(
                    schedule, x, epsilon, t, previous, settings.eta(), settings.clip(), fresh);
        }
        return x;
    }

    private static float[] guided(float[] unconditional, float[] conditional, double scale) {
        float[] out = new float[unconditional.length];
        for (int i = 0; i < out.length; i++) {
            double c = conditional == null ? unconditional[i] : conditional[i];
            out[i] = (float) (unconditional[i] + scale * (c - unconditional[i]));
        }
        return out;
    }

    private static float[] gaussian(Random random, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextGaussian();
        }
        return out;
    }

    /** The model's noise estimate for the image rows after {@code prefix}, at timestep t. */
    private float[] noiseEstimate(
            ParameterStore ps, NDManager step, long[] prefix, float[] x, int rows, int t) {
        int length = prefix.length + rows;
        long[] tokens = new long[length];
        long[] modalities = new long[length];
        long[] spans = new long[length];
        long[] steps = new long[length];
        float[] patches = new float[Math.toIntExact(length * patchSize)];
        System.arraycopy(prefix, 0, tokens, 0, prefix.length);
        for (int r = 0; r < length; r++) {
            boolean image = r >= prefix.length;
            modalities[r] = image ? imageModality : textModality;
            spans[r] = image ? 1 : 0;
            steps[r] = image ? t : 0;
        }
        System.arraycopy(x, 0, patches, Math.toIntExact(prefix.length * patchSize), x.length);
        Shape shape = new Shape(1, length);
        MoTInputs inputs =
                MoTInputs.of(step.create(tokens, shape), step.create(modalities, shape))
                        .withImageSpanIds(step.create(spans, shape))
                        .withExtra(
                                PatchAdapter.PATCHES,
                                step.create(patches, new Shape(1, length, patchSize)))
                        .withExtra(PatchAdapter.TIMESTEPS, step.create(steps, shape));
        NDArray predicted =
                MoTOutputs.of(model.forward(ps, inputs.toNDList(), false)).get(NoiseHead.OUTPUT);
        return predicted.get(new NDIndex("0, " + prefix.length + ":")).toFloatArray();
    }
}
