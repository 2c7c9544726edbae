package io.motdjl.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import io.motdjl.config.DiffusionConfig;
import io.motdjl.generate.TokenSampler;
import io.motdjl.nn.KeyValueCache;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.nn.PatchAdapter;
import io.motdjl.tokenize.JointVocabulary;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The two uses of a model trained in the Transfusion setting, in its training layout ({@link
 * TransfusionSequence}): caption → image ({@code [BOS] caption [BOI]}, then a block of patch rows
 * denoised by {@link ImageSampler}) and image → caption ({@code [BOS] [BOI]} the clean image's
 * patch rows at timestep 0 {@code [EOI]}, then text tokens until EOS, decoded with a key/value
 * cache). Images are grey pixels in {@code [0, 1]}, row-major.
 */
public final class TransfusionGenerator {

    private final MoTModel model;
    private final NDManager manager;
    private final ImagePatches geometry;
    private final ImageSampler sampler;

    /**
     * Creates a generator.
     *
     * @param model a model with a {@code diffusion} config on the image modality ({@link
     *     JointVocabulary#IMAGE}) over the joint vocabulary's text tokens
     * @param manager where the passes' arrays are made (each pass in a sub-manager)
     * @param geometry the images' size and patch side the model was trained with
     * @throws IllegalArgumentException if the model does not fit the layout or the geometry
     */
    public TransfusionGenerator(MoTModel model, NDManager manager, ImagePatches geometry) {
        DiffusionConfig diffusion = model.config().diffusion();
        if (diffusion == null) {
            throw new IllegalArgumentException(
                    "a Transfusion generator needs a model with a diffusion config (its config"
                            + " has no \"diffusion\" key: is it a Chameleon-setting model?)");
        }
        if (diffusion.modality() != JointVocabulary.IMAGE) {
            throw new IllegalArgumentException(
                    "the Transfusion layout puts images in modality "
                            + JointVocabulary.IMAGE
                            + ", the model diffuses modality "
                            + diffusion.modality());
        }
        if (diffusion.patchValues() != geometry.values()) {
            throw new IllegalArgumentException(
                    "the model's patch rows hold "
                            + diffusion.patchValues()
                            + " values, the geometry's "
                            + geometry.patch()
                            + "x"
                            + geometry.patch()
                            + " patches "
                            + geometry.values());
        }
        if (diffusion.hasGeometry()
                && (geometry.height() != diffusion.imageSide()
                        || geometry.width() != diffusion.imageSide()
                        || geometry.patch() != diffusion.patchSide())) {
            throw new IllegalArgumentException(
                    "the model was configured for "
                            + diffusion.imageSide()
                            + "x"
                            + diffusion.imageSide()
                            + " images in "
                            + diffusion.patchSide()
                            + "x"
                            + diffusion.patchSide()
                            + " patches, the geometry is "
                            + geometry.height()
                            + "x"
                            + geometry.width()
                            + " in "
                            + geometry.patch()
                            + "x"
                            + geometry.patch());
        }
        if (model.config().vocabSize() < JointVocabulary.TEXT_TOKENS) {
            throw new IllegalArgumentException(
                    "the model's vocabulary ("
                            + model.config().vocabSize()
                            + ") is smaller than the joint vocabulary's text tokens ("
                            + JointVocabulary.TEXT_TOKENS
                            + ")");
        }
        this.model = model;
        this.manager = manager;
        this.geometry = geometry;
        this.sampler =
                new ImageSampler(
                        model,
                        new CosineSchedule(diffusion.timesteps()),
                        JointVocabulary.TEXT,
                        JointVocabulary.IMAGE,
                        geometry.values());
    }

    /** The image geometry. */
    public ImagePatches geometry() {
        return geometry;
    }

    /** The underlying image sampler. */
    public ImageSampler sampler() {
        return sampler;
    }

    /** The prefix that asks for an image of {@code caption}: {@code [BOS] caption [BOI]}. */
    public static long[] imagePrefix(String caption) {
        int[] text = JointVocabulary.encodeText(caption);
        long[] prefix = new long[text.length + 2];
        prefix[0] = JointVocabulary.BOS;
        for (int i = 0; i < text.length; i++) {
            prefix[i + 1] = text[i];
        }
        prefix[prefix.length - 1] = JointVocabulary.BOI;
        return prefix;
    }

    /** The prefix without a caption (the guidance's unconditional branch): {@code [BOS] [BOI]}. */
    public static long[] unconditionalPrefix() {
        return new long[] {JointVocabulary.BOS, JointVocabulary.BOI};
    }

    /**
     * Draws images for captions, image {@code i} from seed {@code settings.seed() + i}.
     *
     * @param captions one caption per image
     * @param settings steps, η, guidance, clipping and the first seed
     * @return pixels in {@code [0, 1]}, {@code h·w} row-major per image
     */
    public List<float[]> captionsToImages(List<String> captions, SamplingSettings settings) {
        List<ImageSampler.Request> requests = new ArrayList<>();
        for (int i = 0; i < captions.size(); i++) {
            requests.add(
                    new ImageSampler.Request(imagePrefix(captions.get(i)), settings.seed() + i));
        }
        return images(requests, settings);
    }

    /** One image for one caption, from seed {@code settings.seed()}. */
    public float[] captionToImage(String caption, SamplingSettings settings) {
        return captionsToImages(List.of(caption), settings).get(0);
    }

    /**
     * Draws the requested images in one batch.
     *
     * @param requests prefix and seed of each image ({@link #imagePrefix})
     * @param settings steps, η, guidance and clipping (its seed is not used)
     * @return pixels in {@code [0, 1]}, {@code h·w} row-major per image, in order
     */
    public List<float[]> images(List<ImageSampler.Request> requests, SamplingSettings settings) {
        List<float[]> rows =
                sampler.sample(requests, unconditionalPrefix(), geometry.rows(), settings, manager);
        List<float[]> out = new ArrayList<>(rows.size());
        for (float[] r : rows) {
            out.add(geometry.toPixels(r));
        }
        return out;
    }

    /**
     * Captions images: each clean image (timestep 0) between BOI and EOI, then text tokens drawn
     * under {@code sampling} until EOS, {@code maxTokens} or the model's {@code max_seq_len}.
     *
     * @param images pixels in {@code [0, 1]}, {@code h·w} row-major each
     * @param sampling how the tokens are drawn (per row, seeded by the row index)
     * @param maxTokens the longest caption in tokens (bytes)
     * @return one caption per image, in order
     * @throws IllegalArgumentException for a wrong image size, a pixel outside [0, 1], no room
     */
    public List<String> imagesToCaptions(
            List<float[]> images, io.motdjl.generate.SamplingSettings sampling, int maxTokens) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no image to caption");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be positive, got " + maxTokens);
        }
        int batch = images.size();
        int imageRows = geometry.rows();
        int promptLength = imageRows + 3; // BOS BOI rows EOI
        int room = model.config().maxSeqLen() - promptLength;
        if (room < 1) {
            throw new IllegalArgumentException(
                    "the image prompt ("
                            + promptLength
                            + " positions) leaves no room for text in the model's max_seq_len "
                            + model.config().maxSeqLen());
        }
        int limit = Math.min(maxTokens, room);
        float[][] rows = new float[batch][];
        for (int b = 0; b < batch; b++) {
            try {
                rows[b] = geometry.toRows(images.get(b));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("image " + b + ": " + e.getMessage(), e);
            }
        }
        TokenSampler tokens = new TokenSampler(sampling);
        SplittableRandom[] randoms = new SplittableRandom[batch];
        for (int b = 0; b < batch; b++) {
            randoms[b] = tokens.randomForRow(b);
        }
        boolean[] allowed = textTokens(model.config().vocabSize());
        List<List<Integer>> captions = new ArrayList<>();
        boolean[] finished = new boolean[batch];
        ParameterStore ps = new ParameterStore(manager, false);
        try (KeyValueCache cache =
                new KeyValueCache(
                        model.config(),
                        batch,
                        promptLength + limit,
                        manager,
                        model.dataType(),
                        manager.getDevice())) {
            float[] logits = prompt(ps, cache, rows, promptLength);
            for (int b = 0; b < batch; b++) {
                captions.add(new ArrayList<>());
            }
            int vocab = model.config().vocabSize();
            float[] row = new float[vocab];
            long[] next = new long[batch];
            for (int step = 0; step < limit; step++) {
                boolean all = true;
                for (int b = 0; b < batch; b++) {
                    if (finished[b]) {
                        next[b] = JointVocabulary.EOS; // rows are independent: its output is unused
                        continue;
                    }
                    System.arraycopy(logits, b * vocab, row, 0, vocab);
                    int token = tokens.sample(row, allowed, randoms[b]);
                    next[b] = token;
                    if (token == JointVocabulary.EOS) {
                        finished[b] = true;
                    } else {
                        captions.get(b).add(token);
                    }
                    all &= finished[b];
                }
                if (all || step == limit - 1) {
                    break;
                }
                logits = textStep(ps, cache, next);
            }
        }
        List<String> out = new ArrayList<>(batch);
        for (List<Integer> caption : captions) {
            byte[] bytes = new byte[caption.size()];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (int) caption.get(i);
            }
            out.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** One caption for one image. */
    public String imageToCaption(
            float[] image, io.motdjl.generate.SamplingSettings sampling, int maxTokens) {
        return imagesToCaptions(List.of(image), sampling, maxTokens).get(0);
    }

    /** Byte tokens and EOS: what a caption may hold. */
    private static boolean[] textTokens(int vocab) {
        boolean[] allowed = new boolean[vocab];
        for (int t = 0; t < JointVocabulary.BYTE_TOKENS; t++) {
            allowed[t] = true;
        }
        allowed[JointVocabulary.EOS] = true;
        return allowed;
    }

    /** Runs {@code [BOS] [BOI] rows [EOI]} into the cache; returns the logits after EOI. */
    private float[] prompt(ParameterStore ps, KeyValueCache cache, float[][] rows, int length) {
        int batch = rows.length;
        int values = geometry.values();
        long[] tokens = new long[batch * length];
        long[] modalities = new long[batch * length];
        long[] spans = new long[batch * length];
        long[] steps = new long[batch * length]; // timestep 0: a clean image
        float[] patches = new float[batch * length * values];
        for (int b = 0; b < batch; b++) {
            int at = b * length;
            tokens[at] = JointVocabulary.BOS;
            tokens[at + 1] = JointVocabulary.BOI;
            for (int r = 0; r < rows[b].length / values; r++) {
                tokens[at + 2 + r] = JointVocabulary.PAD;
                modalities[at + 2 + r] = JointVocabulary.IMAGE;
                spans[at + 2 + r] = 1;
            }
            tokens[at + length - 1] = JointVocabulary.EOI;
            System.arraycopy(rows[b], 0, patches, (at + 2) * values, rows[b].length);
        }
        try (NDManager pass = manager.newSubManager()) {
            Shape shape = new Shape(batch, length);
            MoTInputs inputs =
                    MoTInputs.of(pass.create(tokens, shape), pass.create(modalities, shape))
                            .withImageSpanIds(pass.create(spans, shape))
                            .withExtra(
                                    PatchAdapter.PATCHES,
                                    pass.create(patches, new Shape(batch, length, values)))
                            .withExtra(PatchAdapter.TIMESTEPS, pass.create(steps, shape));
            return lastLogits(model.forward(ps, inputs.toNDList(), false, cache.asParam()));
        }
    }

    /** Feeds one text token per row; returns the logits after it. */
    private float[] textStep(ParameterStore ps, KeyValueCache cache, long[] next) {
        try (NDManager pass = manager.newSubManager()) {
            Shape shape = new Shape(next.length, 1);
            MoTInputs inputs =
                    MoTInputs.of(
                            pass.create(next, shape),
                            pass.zeros(shape, DataType.INT64).add(JointVocabulary.TEXT));
            return lastLogits(model.forward(ps, inputs.toNDList(), false, cache.asParam()));
        }
    }

    private static float[] lastLogits(ai.djl.ndarray.NDList outputs) {
        NDArray logits = MoTOutputs.of(outputs).logits();
        return logits.get(new NDIndex(":, -1, :")).toType(DataType.FLOAT32, false).toFloatArray();
    }
}
