package io.motdjl.zoo;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.TranslatorContext;

import io.motdjl.generate.ChameleonGenerator;
import io.motdjl.nn.MoTModel;
import io.motdjl.tokenize.ImageTokenizer;

import java.util.List;

/**
 * Image → caption ({@code Image → String}): any DJL image is turned into grayscale bytes of the
 * image tokenizer's size ({@link GrayscaleImages#toGrayscale}: DJL's luma conversion, then a resize
 * with area averaging or bilinear interpolation when the size differs), encoded into codes, and the
 * model continues {@code [BOS] [BOI] codes [EOI]} with text tokens until EOS or the length limit
 * ({@link ChameleonGenerator#imagesToCaptions}). The output is the caption; bytes that do not form
 * valid UTF-8 become U+FFFD. The model's joint vocabulary is read from its config, so a model
 * trained with speech as well captions images too.
 *
 * <p>See {@link GenerationTranslator} for how generation runs inside a {@code Predictor} and {@link
 * GenerationOptions} for the arguments; by default a caption has at most what the model's {@code
 * max_seq_len} leaves after the image (43 tokens for the bundled models).
 */
public final class ImageToCaptionTranslator extends GenerationTranslator<Image, byte[], String> {

    private final ImageTokenizer tokenizer;

    /**
     * Creates a translator for a model trained with the given image tokenizer.
     *
     * @param tokenizer the image tokenizer the model was trained with
     * @param options how tokens are drawn and how many
     */
    public ImageToCaptionTranslator(ImageTokenizer tokenizer, GenerationOptions options) {
        super(options);
        if (tokenizer == null) {
            throw new IllegalArgumentException("image → caption needs the model's image tokenizer");
        }
        this.tokenizer = tokenizer;
    }

    /** The image tokenizer. */
    public ImageTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    protected byte[] readInput(TranslatorContext ctx, Image image) {
        return GrayscaleImages.toGrayscale(
                image, tokenizer.imageWidth(), tokenizer.imageHeight(), ctx.getNDManager());
    }

    @Override
    protected List<String> generate(MoTModel model, NDManager manager, List<byte[]> images) {
        ChameleonGenerator generator =
                CaptionToImageTranslator.generator(model, manager, tokenizer);
        // [BOS] [BOI] codes [EOI]
        int promptLength = tokenizer.codesPerImage() + 3;
        int maxTokens = options().maxTokensFor(promptLength, model.config().maxSeqLen());
        return generator.imagesToCaptions(images, options().sampling(), maxTokens);
    }
}
