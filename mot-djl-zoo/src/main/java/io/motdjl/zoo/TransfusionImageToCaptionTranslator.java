package io.motdjl.zoo;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.TranslatorContext;

import io.motdjl.diffusion.ImagePatches;
import io.motdjl.diffusion.TransfusionGenerator;
import io.motdjl.nn.MoTModel;

import java.util.List;
import java.util.Objects;

/**
 * Image → caption ({@code Image → String}) with a model trained in the Transfusion setting: any DJL
 * image is turned into grayscale pixels of the model's geometry ({@link
 * GrayscaleImages#toGrayscale} : DJL's luma conversion, then a resize when the size differs), laid
 * out as clean patch rows (timestep 0) in {@code [BOS] [BOI] rows [EOI]}, and the model continues
 * with text tokens until EOS or the length limit ({@link TransfusionGenerator#imagesToCaptions}).
 * The output is the caption; bytes that do not form valid UTF-8 become U+FFFD.
 *
 * <p>See {@link GenerationTranslator} for how generation runs inside a {@code Predictor} and {@link
 * GenerationOptions} for the token sampling arguments (default greedy); by default a caption has at
 * most what the model's {@code max_seq_len} leaves after the image, at most {@value
 * GenerationOptions#DEFAULT_MAX_TOKENS} tokens.
 */
public final class TransfusionImageToCaptionTranslator
        extends GenerationTranslator<Image, float[], String> {

    /** Positions of the prompt around the patch rows: BOS, BOI, EOI. */
    private static final int MARKERS = 3;

    private final ImagePatches geometry;

    /**
     * Creates a translator for a model that reads images of {@code geometry}.
     *
     * @param geometry the image size and patch side the model was trained with
     * @param options how tokens are drawn and how many
     */
    public TransfusionImageToCaptionTranslator(ImagePatches geometry, GenerationOptions options) {
        super(options);
        this.geometry = Objects.requireNonNull(geometry, "geometry");
    }

    /** The image geometry. */
    public ImagePatches geometry() {
        return geometry;
    }

    @Override
    protected float[] readInput(TranslatorContext ctx, Image image) {
        return GrayscaleImages.pixelsOf(
                GrayscaleImages.toGrayscale(
                        image, geometry.width(), geometry.height(), ctx.getNDManager()));
    }

    @Override
    protected List<String> generate(MoTModel model, NDManager manager, List<float[]> images) {
        int maxTokens =
                options().maxTokensFor(geometry.rows() + MARKERS, model.config().maxSeqLen());
        return new TransfusionGenerator(model, manager, geometry)
                .imagesToCaptions(images, options().sampling(), maxTokens);
    }
}
