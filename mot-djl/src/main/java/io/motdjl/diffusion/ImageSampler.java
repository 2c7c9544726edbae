package io.motdjl.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import io.motdjl.config.DiffusionConfig;
import io.motdjl.config.PatchEncoder;
import io.motdjl.nn.KeyValueCache;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.nn.NoiseHead;
import io.motdjl.nn.PatchAdapter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Draws images from a Transfusion model: after a prefix that ends in the begin-of-image token, a
 * block of {@code rows} patch rows starts as pure noise and is denoised step by step ({@link
 * DenoisingStep}), attention bidirectional inside the block, the prefix's tokens as the condition.
 * With classifier-free guidance a second, unconditional prefix (the caption dropped) gives the
 * unconditional estimate.
 *
 * <p>The prefixes are run once into a {@link KeyValueCache}; each denoising step runs only the
 * image block against the cached keys and values and then rewinds the cache to the prefix. Several
 * images are drawn together as rows of one batch (conditional and unconditional prefixes side by
 * side, left-padded to one length); each image's noise comes from its own seed, so an image does
 * not depend on what it was batched with. Every array of a step is closed at its end.
 */
public final class ImageSampler {

    /** Patch rows' placeholder token id (the patch adapter reads patch values, not ids). */
    private static final long IMAGE_ROW_TOKEN = 0;

    private final MoTModel model;
    private final CosineSchedule schedule;
    private final int textModality;
    private final int imageModality;
    private final long patchSize;

    /**
     * Creates a sampler.
     *
     * @param model a model whose image modality has a patch adapter and a noise head ({@link
     *     PatchAdapter} and {@link NoiseHead}, or the conv ones, which need whole images: {@code
     *     rows} must then be the config's rows per image)
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
     * One image to draw.
     *
     * @param prefix the condition's token ids, ending with the begin-of-image token
     * @param seed the seed of the image's starting noise (and of an ancestral sampler's fresh
     *     noise)
     */
    public record Request(long[] prefix, long seed) {

        /** Checks the prefix. */
        public Request {
            if (prefix == null || prefix.length < 1) {
                throw new IllegalArgumentException(
                        "a prefix needs at least the begin-of-image token");
            }
            prefix = prefix.clone();
        }

        @Override
        public long[] prefix() {
            return prefix.clone();
        }
    }

    /**
     * Samples one image, its noise seeded by {@code settings.seed()}.
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
        return sample(
                        List.of(new Request(prefix, settings.seed())),
                        unconditionalPrefix,
                        rows,
                        settings,
                        manager)
                .get(0);
    }

    /**
     * Samples several images together, each from its own seed ({@code settings.seed()} is not
     * used): the result for a request is the image {@link #sample(long[], long[], int,
     * SamplingSettings, NDManager)} draws with that seed, to float rounding.
     *
     * @param requests the images: prefix and seed each
     * @param unconditionalPrefix the prefix without the condition (used when guiding)
     * @param rows patch rows of each image
     * @param settings steps, η, guidance and clipping
     * @param manager where the passes' arrays are made (the cache and each step in sub-managers)
     * @return the sampled patch values of each request, {@code rows × P} row-major, in order
     * @throws IllegalArgumentException if a sequence would not fit the model or a value is out of
     *     range
     */
    public List<float[]> sample(
            List<Request> requests,
            long[] unconditionalPrefix,
            int rows,
            SamplingSettings settings,
            NDManager manager) {
        if (rows < 1) {
            throw new IllegalArgumentException(
                    "an image needs at least one patch row, got " + rows);
        }
        DiffusionConfig diffusion = model.config().diffusion();
        if (diffusion != null
                && diffusion.patchEncoder() == PatchEncoder.CONV
                && rows != diffusion.imageRows()) {
            throw new IllegalArgumentException(
                    "the model's conv patch encoder reads whole images of "
                            + diffusion.imageRows()
                            + " patch rows, got a request for "
                            + rows);
        }
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("no images requested");
        }
        if (unconditionalPrefix.length < 1) {
            throw new IllegalArgumentException(
                    "the unconditional prefix needs at least the begin-of-image token");
        }
        boolean conditional = settings.guidanceScale() != 0;
        boolean unconditional = settings.needsUnconditional();
        List<long[]> prefixes = new ArrayList<>();
        if (conditional) {
            requests.forEach(r -> prefixes.add(r.prefix()));
        }
        if (unconditional) {
            requests.forEach(r -> prefixes.add(unconditionalPrefix));
        }
        int prefixLength = prefixes.stream().mapToInt(p -> p.length).max().orElseThrow();
        int capacity = prefixLength + rows;
        if (capacity > model.config().maxSeqLen()) {
            throw new IllegalArgumentException(
                    "prefix and image ("
                            + capacity
                            + " positions) exceed the model's max_seq_len "
                            + model.config().maxSeqLen());
        }
        int n = requests.size();
        int values = Math.toIntExact(rows * patchSize);
        Random[] randoms = new Random[n];
        float[][] x = new float[n][];
        for (int i = 0; i < n; i++) {
            randoms[i] = new Random(requests.get(i).seed());
            x[i] = gaussian(randoms[i], values);
        }
        int[] timesteps = DenoisingStep.timesteps(schedule, settings.steps());
        ParameterStore ps = new ParameterStore(manager, false);
        try (KeyValueCache cache =
                new KeyValueCache(
                        model.config(),
                        prefixes.size(),
                        capacity,
                        manager,
                        model.dataType(),
                        manager.getDevice())) {
            prefill(ps, cache, prefixes, prefixLength, manager);
            for (int s = 0; s < timesteps.length; s++) {
                int t = timesteps[s];
                float[] estimates;
                try (NDManager step = manager.newSubManager()) {
                    estimates =
                            blockEstimate(ps, cache, x, conditional, unconditional, rows, t, step);
                }
                cache.rewind(prefixLength);
                int previous = s + 1 < timesteps.length ? timesteps[s + 1] : -1;
                for (int i = 0; i < n; i++) {
                    float[] epsilon =
                            combined(estimates, i, n, values, conditional, unconditional, settings);
                    float[] fresh =
                            settings.eta() > 0 && previous >= 0
                                    ? gaussian(randoms[i], values)
                                    : null;
                    DenoisingStep.apply(
                            schedule,
                            x[i],
                            epsilon,
                            t,
                            previous,
                            settings.eta(),
                            settings.clip(),
                            fresh);
                }
            }
        }
        return List.of(x);
    }

    /** Runs the prefixes, left-padded to one length, into the cache. */
    private void prefill(
            ParameterStore ps,
            KeyValueCache cache,
            List<long[]> prefixes,
            int length,
            NDManager manager) {
        int batch = prefixes.size();
        long[] tokens = new long[batch * length];
        long[] modalities = new long[batch * length];
        long[] valid = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            long[] prefix = prefixes.get(b);
            int pad = length - prefix.length;
            for (int j = 0; j < length; j++) {
                modalities[b * length + j] = textModality;
                if (j >= pad) {
                    tokens[b * length + j] = prefix[j - pad];
                    valid[b * length + j] = 1;
                }
            }
        }
        try (NDManager pass = manager.newSubManager()) {
            Shape shape = new Shape(batch, length);
            MoTInputs inputs =
                    MoTInputs.of(pass.create(tokens, shape), pass.create(modalities, shape))
                            .withValidTokens(pass.create(valid, shape));
            model.forward(ps, inputs.toNDList(), false, cache.asParam());
        }
    }

    /**
     * The model's noise estimates for the image block of every cache row at timestep t: row-major
     * {@code (rows of the cache) × rows × P}, the conditional rows first.
     */
    private float[] blockEstimate(
            ParameterStore ps,
            KeyValueCache cache,
            float[][] x,
            boolean conditional,
            boolean unconditional,
            int rows,
            int t,
            NDManager step) {
        int batch = cache.batch();
        int values = x[0].length;
        long[] tokens = new long[batch * rows];
        long[] modalities = new long[batch * rows];
        long[] spans = new long[batch * rows];
        long[] steps = new long[batch * rows];
        Arrays.fill(tokens, IMAGE_ROW_TOKEN);
        Arrays.fill(modalities, imageModality);
        Arrays.fill(spans, 1);
        Arrays.fill(steps, t);
        float[] patches = new float[batch * values];
        int copies = (conditional ? 1 : 0) + (unconditional ? 1 : 0);
        for (int c = 0; c < copies; c++) {
            for (int i = 0; i < x.length; i++) {
                System.arraycopy(x[i], 0, patches, (c * x.length + i) * values, values);
            }
        }
        Shape shape = new Shape(batch, rows);
        MoTInputs inputs =
                MoTInputs.of(step.create(tokens, shape), step.create(modalities, shape))
                        .withImageSpanIds(step.create(spans, shape))
                        .withExtra(
                                PatchAdapter.PATCHES,
                                step.create(patches, new Shape(batch, rows, patchSize)))
                        .withExtra(PatchAdapter.TIMESTEPS, step.create(steps, shape));
        NDList outputs = model.forward(ps, inputs.toNDList(), false, cache.asParam());
        NDArray predicted = MoTOutputs.of(outputs).get(NoiseHead.OUTPUT);
        return predicted.toType(DataType.FLOAT32, false).toFloatArray();
    }

    /** Image i's noise estimate: conditional, unconditional, or guided between the two. */
    private static float[] combined(
            float[] estimates,
            int i,
            int n,
            int values,
            boolean conditional,
            boolean unconditional,
            SamplingSettings settings) {
        float[] first = Arrays.copyOfRange(estimates, i * values, (i + 1) * values);
        if (!conditional || !unconditional) {
            return first; // the only estimate there is
        }
        int u = (n + i) * values;
        float[] out = new float[values];
        double scale = settings.guidanceScale();
        for (int k = 0; k < values; k++) {
            float uncond = estimates[u + k];
            out[k] = (float) (uncond + scale * (first[k] - uncond));
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
}
