package io.motdjl.zoo;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.TranslatorContext;

import io.motdjl.diffusion.ImagePatches;
import io.motdjl.diffusion.SamplingSettings;
import io.motdjl.diffusion.TransfusionGenerator;
import io.motdjl.nn.MoTModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Caption → image ({@code String → Image}) with a model trained in the Transfusion setting: after
 * {@code [BOS] caption [BOI]} a block of patch rows starts as noise and is denoised step by step,
 * with classifier-free guidance against the caption-less prefix {@code [BOS] [BOI]} ({@link
 * TransfusionGenerator#captionsToImages}). The output is an opaque gray image of the model's
 * geometry (28×28 for the bundled models, see {@link PatchGeometry}), made by {@link
 * GrayscaleImages#fromGrayscale}.
 *
 * <p>The sampler, steps, guidance scale and seed come from the criteria's arguments ({@link
 * DiffusionOptions}; default DDIM, 50 steps, guidance 3, seed 0). Image {@code i} of a {@code
 * batchPredict} starts from seed + i, so the same caption at the same position gives the same
 * image, and repeated captions in one batch give different images. The caption's UTF-8 bytes, the
 * markers and the image's patch rows must fit the model's {@code max_seq_len}. See {@link
 * GenerationTranslator} for how generation runs inside a {@code Predictor}; its token sampling
 * options do not apply.
 */
public final class TransfusionCaptionToImageTranslator
        extends GenerationTranslator<String, String, Image> {

    private final ImagePatches geometry;
    private final SamplingSettings sampling;

    /**
     * Creates a translator for a model that draws images of {@code geometry}.
     *
     * @param geometry the image size and patch side the model was trained with
     * @param sampling how images are drawn
     */
    public TransfusionCaptionToImageTranslator(ImagePatches geometry, SamplingSettings sampling) {
        super(GenerationOptions.greedy());
        this.geometry = Objects.requireNonNull(geometry, "geometry");
        this.sampling = Objects.requireNonNull(sampling, "sampling");
    }

    /** The image geometry. */
    public ImagePatches geometry() {
        return geometry;
    }

    /** How images are drawn. */
    public SamplingSettings sampling() {
        return sampling;
    }

    @Override
    protected String readInput(TranslatorContext ctx, String caption) {
        return requireCaption(caption);
    }

    @Override
    protected List<Image> generate(MoTModel model, NDManager manager, List<String> captions) {
        List<float[]> pixels =
                new TransfusionGenerator(model, manager, geometry)
                        .captionsToImages(captions, sampling);
        List<Image> images = new ArrayList<>(pixels.size());
        for (float[] p : pixels) {
            images.add(
                    GrayscaleImages.fromGrayscale(
                            GrayscaleImages.bytesOf(p), geometry.width(), geometry.height()));
        }
        return images;
    }
}
