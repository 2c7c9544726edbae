package io.motdjl.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.motdjl.config.DiffusionConfig;
import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.nn.NoiseHead;
import io.motdjl.nn.PatchAdapter;
import io.motdjl.objective.LossTerm;
import io.motdjl.objective.LossValue;
import io.motdjl.objective.NextTokenLoss;
import io.motdjl.objective.Objective;
import io.motdjl.objective.PreparedBatch;
import io.motdjl.util.Scalars;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The Transfusion objective: {@code L = L_LM + λ·L_DDPM}. Text is trained by next-token prediction
 * on pairs whose source and target are both outside the image modality; each image by ε-prediction:
 * its patch rows are noised to one timestep drawn for the whole image, {@code x_t = √ᾱ(t)·x_0 +
 * √(1-ᾱ(t))·ε}, and the model's {@value NoiseHead#OUTPUT} is scored by the mean squared error
 * against {@code ε}, averaged over the image's values, then over the batch's images.
 *
 * <p>Batches as the data gives them: inputs in the {@link MoTInputs} layout with {@code
 * image_span_ids} (every image row inside a span, one span per image) and the extra {@value
 * PatchAdapter#PATCHES} holding the <em>clean</em> patches; labels {@code [tokens, modalities,
 * attention_mask (optional)]}. {@link #prepare} draws the timesteps and noise from its seed and
 * gives the model the noised patches and {@value PatchAdapter#TIMESTEPS}, and the labels {@code
 * [tokens, modalities, valid, noise (B, T, P), image_span_ids]}. An optional extra {@value
 * #TIMESTEP_LIMIT} bounds an image's timestep.
 *
 * <p>Per-modality metrics: the next-token loss for every modality but the image one, whose entry is
 * the mean squared error per image row.
 */
public final class TransfusionObjective implements Objective {

    /** The paper's weight of the diffusion loss. */
    public static final double DEFAULT_LAMBDA = 5.0;

    /** The name of the noise label. */
    public static final String NOISE = "noise";

    /**
     * An optional extra input {@code (B, T)} integer: where it is positive at an image's rows, that
     * image's timestep is drawn from {@code [0, limit)} instead of the whole schedule (Transfusion
     * keeps an image that precedes its caption lightly noised, so that the model learns to read
     * images).
     */
    public static final String TIMESTEP_LIMIT = "diffusion_timestep_limit";

    private final int numModalities;
    private final int imageModality;
    private final CosineSchedule schedule;
    private final double lambda;

    /**
     * Creates the objective.
     *
     * @param numModalities M
     * @param imageModality the modality id of image patch rows
     * @param schedule the noise schedule
     * @param lambda λ, the diffusion loss's weight
     * @throws IllegalArgumentException for an image modality outside {@code [0, M)} or λ not
     *     positive and finite
     */
    public TransfusionObjective(
            int numModalities, int imageModality, CosineSchedule schedule, double lambda) {
        if (numModalities < 2 || imageModality < 0 || imageModality >= numModalities) {
            throw new IllegalArgumentException(
                    "the Transfusion objective needs at least two modalities and an image modality"
                            + " in [0, M); got M="
                            + numModalities
                            + ", image modality "
                            + imageModality);
        }
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException(
                    "the diffusion loss weight λ must be positive and finite, got " + lambda);
        }
        this.numModalities = numModalities;
        this.imageModality = imageModality;
        this.schedule = java.util.Objects.requireNonNull(schedule, "schedule");
        this.lambda = lambda;
    }

    /** The paper's objective for M modalities: cosine schedule over 1,000 steps, λ = 5. */
    public static TransfusionObjective standard(int numModalities, int imageModality) {
        return new TransfusionObjective(
                numModalities, imageModality, CosineSchedule.standard(), DEFAULT_LAMBDA);
    }

    /**
     * The paper's objective (cosine schedule, λ = 5) for a model of {@code config}: its image
     * modality and its schedule's {@code diffusion.timesteps}, the ones its sampler uses.
     *
     * @throws IllegalArgumentException if the config has no {@code diffusion} key
     */
    public static TransfusionObjective forConfig(MoTConfig config) {
        DiffusionConfig diffusion = requireDiffusion(config);
        return new TransfusionObjective(
                config.nModalities(),
                diffusion.modality(),
                new CosineSchedule(diffusion.timesteps()),
                DEFAULT_LAMBDA);
    }

    @Override
    public int numModalities() {
        return numModalities;
    }

    /**
     * Checks that the model's {@code diffusion} key names this objective's image modality and noise
     * schedule length: a model trained on another schedule than its sampler's would draw from the
     * wrong noise levels.
     */
    @Override
    public void requireFits(MoTConfig config) {
        DiffusionConfig diffusion = requireDiffusion(config);
        if (diffusion.modality() != imageModality
                || diffusion.timesteps() != schedule.timesteps()) {
            throw new IllegalArgumentException(
                    "the Transfusion objective scores modality "
                            + imageModality
                            + " noised over "
                            + schedule.timesteps()
                            + " timesteps, but the model's diffusion key has modality "
                            + diffusion.modality()
                            + " and "
                            + diffusion.timesteps()
                            + " timesteps (its sampler's); use TransfusionObjective.forConfig");
        }
    }

    private static DiffusionConfig requireDiffusion(MoTConfig config) {
        if (config.diffusion() == null) {
            throw new IllegalArgumentException(
                    "the Transfusion objective needs a model with a diffusion key (image patch"
                            + " rows in, noise out); this config has none");
        }
        return config.diffusion();
    }

    /** The schedule the images are noised with. */
    public CosineSchedule schedule() {
        return schedule;
    }

    /** λ. */
    public double lambda() {
        return lambda;
    }

    @Override
    public boolean allowsImageSpans() {
        // no token is predicted from inside a span: image rows are scored by their noise only
        return true;
    }

    @Override
    public PreparedBatch prepare(NDList data, NDList labels, long seed) {
        MoTInputs in = MoTInputs.from(data);
        NDArray clean = in.extra(PatchAdapter.PATCHES);
        Shape shape = in.tokens().getShape();
        int batch = Math.toIntExact(shape.get(0));
        int length = Math.toIntExact(shape.get(1));
        long[] modalities = in.modalities().toType(DataType.INT64, false).toLongArray();
        long[] valid = validity(in, labels, batch * length);
        NDArray limitArray = in.extra(TIMESTEP_LIMIT);
        long[] limits =
                limitArray == null ? null : limitArray.toType(DataType.INT64, false).toLongArray();
        long[] spans =
                in.imageSpanIds() == null
                        ? new long[batch * length]
                        : in.imageSpanIds().toType(DataType.INT64, false).toLongArray();
        boolean anyImage = false;
        for (int i = 0; i < modalities.length; i++) {
            if (valid[i] != 0 && modalities[i] == imageModality) {
                anyImage = true;
                if (spans[i] <= 0) {
                    throw new IllegalArgumentException(
                            "image row "
                                    + (i % length)
                                    + " of sequence "
                                    + (i / length)
                                    + " is outside any image span; the Transfusion objective"
                                    + " draws one timestep per image and needs image_span_ids");
                }
            }
        }
        if (anyImage && clean == null) {
            throw new IllegalArgumentException(
                    "the batch has image rows but no '"
                            + PatchAdapter.PATCHES
                            + "' input holding their clean patches");
        }
        NDManager manager = in.tokens().getManager();
        long patch = clean == null ? 1 : clean.getShape().get(2);
        Random random = new Random(seed);
        Map<Long, Integer> timestepOfImage = new LinkedHashMap<>();
        long[] timesteps = new long[batch * length];
        float[] signal = new float[batch * length];
        float[] noiseScale = new float[batch * length];
        float[] noise = new float[Math.toIntExact(batch * length * patch)];
        for (int i = 0; i < modalities.length; i++) {
            signal[i] = 1f;
            if (valid[i] == 0 || modalities[i] != imageModality) {
                continue;
            }
            long image = imageKey(i, length, spans[i]);
            int bound = schedule.timesteps();
            if (limits != null && limits[i] > 0) {
                bound = Math.toIntExact(Math.min(bound, limits[i]));
            }
            int drawFrom = bound;
            int t = timestepOfImage.computeIfAbsent(image, k -> random.nextInt(drawFrom));
            timesteps[i] = t;
            signal[i] = (float) schedule.signalScale(t);
            noiseScale[i] = (float) schedule.noiseScale(t);
            for (int p = 0; p < patch; p++) {
                noise[Math.toIntExact(i * patch + p)] = (float) random.nextGaussian();
            }
        }
        NDArray epsilon = manager.create(noise, new Shape(batch, length, patch));
        epsilon.setName(NOISE);
        MoTInputs prepared = in.withExtra(PatchAdapter.TIMESTEPS, manager.create(timesteps, shape));
        if (clean != null) {
            NDArray noised =
                    clean.mul(manager.create(signal, new Shape(batch, length, 1)))
                            .add(
                                    epsilon.mul(
                                            manager.create(
                                                    noiseScale, new Shape(batch, length, 1))))
                            .toType(clean.getDataType(), false);
            prepared = prepared.withExtra(PatchAdapter.PATCHES, noised);
        }
        NDArray spanLabel = manager.create(spans, shape);
        spanLabel.setName(MoTInputs.IMAGE_SPAN_IDS);
        NDList preparedLabels =
                new NDList(
                        labels.get(0),
                        labels.get(1),
                        manager.create(valid, shape),
                        epsilon,
                        spanLabel);
        return new PreparedBatch(prepared.toNDList(), preparedLabels);
    }

    /** One image of a batch: the row of the sequence and the span id of position {@code i}. */
    private static long imageKey(int i, int length, long span) {
        return (long) (i / length) << 32 | span;
    }

    /** 1 for real tokens: the inputs' mask, else the third label, else every token. */
    private static long[] validity(MoTInputs in, NDList labels, int size) {
        NDArray mask = in.validTokens();
        if (mask == null && labels.size() > 2) {
            mask = labels.get(2);
        }
        if (mask == null) {
            long[] all = new long[size];
            java.util.Arrays.fill(all, 1);
            return all;
        }
        return mask.toType(DataType.INT64, false).toLongArray();
    }

    @Override
    public LossValue evaluate(MoTOutputs outputs, NDList labels) {
        if (labels.size() != 5 || !NOISE.equals(labels.get(3).getName())) {
            throw new IllegalArgumentException(
                    "the Transfusion objective scores prepared batches: labels [tokens, modalities,"
                            + " valid, noise, image_span_ids] from TransfusionObjective.prepare,"
                            + " got "
                            + labels.size()
                            + " label(s)");
        }
        NDArray tokens = labels.get(0);
        NDArray modalities = labels.get(1);
        NDArray valid = labels.get(2);
        NDArray noise = labels.get(3);
        long[] hostModalities = modalities.toType(DataType.INT64, false).toLongArray();
        long[] hostValid = valid.toType(DataType.INT64, false).toLongArray();
        long[] hostSpans = labels.get(4).toType(DataType.INT64, false).toLongArray();
        int length = Math.toIntExact(tokens.getShape().get(1));

        NDArray logits = outputs.logits();
        DataType type = logits.getDataType();
        NDManager manager = logits.getManager();
        NDArray notImage = modalities.neq(imageModality).toType(DataType.INT64, false);
        NDArray textValid = valid.toType(DataType.INT64, false).mul(notImage);
        LossValue lm = NextTokenLoss.compute(logits, tokens, modalities, textValid, numModalities);

        // per image row: 1 / (rows of its image) / (images in the batch)
        Map<Long, Integer> rowsOfImage = new LinkedHashMap<>();
        for (int i = 0; i < hostModalities.length; i++) {
            if (hostValid[i] != 0 && hostModalities[i] == imageModality) {
                rowsOfImage.merge(imageKey(i, length, hostSpans[i]), 1, Integer::sum);
            }
        }
        float[] imageWeight = new float[hostModalities.length];
        float[] imageRow = new float[hostModalities.length];
        long imageRows = 0;
        for (int i = 0; i < hostModalities.length; i++) {
            if (hostValid[i] != 0 && hostModalities[i] == imageModality) {
                int rows = rowsOfImage.get(imageKey(i, length, hostSpans[i]));
                imageWeight[i] = 1f / rows / rowsOfImage.size();
                imageRow[i] = 1f;
                imageRows++;
            }
        }
        Shape rowShape = tokens.getShape();
        NDArray rowError =
                outputs.get(NoiseHead.OUTPUT)
                        .sub(noise.toType(type, false))
                        .square()
                        .mean(new int[] {2});
        NDArray diffusion =
                rowError.mul(manager.create(imageWeight, rowShape).toType(type, false)).sum();
        NDArray perImageRow =
                rowError.mul(manager.create(imageRow, rowShape).toType(type, false)).sum();
        // DJL's mul(Number)/div(Number) free their scalar while autograd still reads it
        perImageRow = Scalars.times(perImageRow, 1.0 / Math.max(1, imageRows));

        long textPairs = textPairs(hostModalities, hostValid, length);
        NDArray total;
        if (textPairs > 0 && imageRows > 0) {
            total = lm.mean().add(Scalars.times(diffusion, lambda));
        } else if (textPairs > 0) {
            total = lm.mean();
        } else if (imageRows > 0) {
            total = Scalars.times(diffusion, lambda);
        } else {
            total = manager.full(new Shape(), Float.NaN, type);
        }
        NDList means = new NDList(numModalities);
        NDList counts = new NDList(numModalities);
        for (int m = 0; m < numModalities; m++) {
            if (m == imageModality) {
                means.add(imageRows > 0 ? perImageRow : manager.full(new Shape(), Float.NaN, type));
                counts.add(manager.create((float) imageRows).toType(type, false));
            } else {
                means.add(lm.perModality().get(m));
                counts.add(lm.perModalityCount().get(m));
            }
        }
        // two means over different items: text targets, and images (each image's rows averaged
        // first), so a batch split into blocks weights each term by its own count
        List<LossTerm> terms =
                List.of(
                        new LossTerm(
                                "next_token",
                                lm.mean(),
                                1.0,
                                manager.create((float) textPairs).toType(type, false)),
                        new LossTerm(
                                "diffusion",
                                diffusion,
                                lambda,
                                manager.create((float) rowsOfImage.size()).toType(type, false)));
        return new LossValue(total, NDArrays.stack(means), NDArrays.stack(counts), terms);
    }

    /** Next-token pairs whose source and target are real rows outside the image modality. */
    private long textPairs(long[] modalities, long[] valid, int length) {
        long pairs = 0;
        for (int i = 0; i + 1 < modalities.length; i++) {
            if ((i + 1) % length == 0) {
                continue;
            }
            if (valid[i] != 0
                    && valid[i + 1] != 0
                    && modalities[i] != imageModality
                    && modalities[i + 1] != imageModality) {
                pairs++;
            }
        }
        return pairs;
    }

    @Override
    public String toString() {
        return String.format(
                java.util.Locale.ROOT,
                "next-token cross-entropy + %.3g x diffusion (epsilon MSE, %s)",
                lambda,
                schedule);
    }
}
