package io.motdjl.zoo;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.TranslatorContext;

import io.motdjl.generate.ChameleonGenerator;
import io.motdjl.nn.MoTModel;
import io.motdjl.tokenize.ImageTokenizer;
import io.motdjl.tokenize.JointVocabulary;

import java.util.ArrayList;
import java.util.List;

/**
 * Caption → image ({@code String → Image}): the prompt is {@code [BOS] caption [BOI]}; the model
 * generates exactly one image's codes (and EOI) under modality-constrained decoding, and the image
 * tokenizer decodes them ({@link ChameleonGenerator#captionsToImages}). The output is an opaque
 * gray image of the tokenizer's size (28×28 for the bundled models), made by {@link
 * GrayscaleImages#fromGrayscale}. The model's joint vocabulary is read from its config ({@link
 * JointVocabulary#of}), so a model trained with speech as well draws images too.
 *
 * <p>The caption's UTF-8 bytes plus the image must fit in the model's {@code max_seq_len} (for the
 * bundled models: captions of at most 43 bytes). See {@link GenerationTranslator} for how
 * generation runs inside a {@code Predictor} and {@link GenerationOptions} for the arguments
 * ({@code maxTokens} does not apply).
 */
public final class CaptionToImageTranslator extends GenerationTranslator<String, String, Image> {

    private final ImageTokenizer tokenizer;

    /**
     * Creates a translator for a model trained with the given image tokenizer.
     *
     * @param tokenizer the image tokenizer the model was trained with
     * @param options how tokens are drawn
     */
    public CaptionToImageTranslator(ImageTokenizer tokenizer, GenerationOptions options) {
        super(options);
        if (tokenizer == null) {
            throw new IllegalArgumentException("caption → image needs the model's image tokenizer");
        }
        this.tokenizer = tokenizer;
    }

    /** The image tokenizer. */
    public ImageTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    protected String readInput(TranslatorContext ctx, String caption) {
        return requireCaption(caption);
    }

    @Override
    protected List<Image> generate(MoTModel model, NDManager manager, List<String> captions) {
        List<byte[]> pixels =
                generator(model, manager, tokenizer)
                        .captionsToImages(captions, options().sampling());
        List<Image> images = new ArrayList<>(pixels.size());
        for (byte[] p : pixels) {
            images.add(
                    GrayscaleImages.fromGrayscale(
                            p, tokenizer.imageWidth(), tokenizer.imageHeight()));
        }
        return images;
    }

    /**
     * The Chameleon generator of a model over the joint vocabulary its config describes (text and
     * image codes, or speech units as well), not the one the image tokenizer alone implies.
     *
     * @throws IllegalArgumentException if the config is not over a joint vocabulary or it does not
     *     fit the tokenizer
     */
    static ChameleonGenerator generator(
            MoTModel model, NDManager manager, ImageTokenizer tokenizer) {
        return new ChameleonGenerator(
                model, manager, tokenizer, JointVocabulary.of(model.config()));
    }
}
