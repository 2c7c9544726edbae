package io.motdjl.generate;

import ai.djl.ndarray.NDManager;

import io.motdjl.nn.MoTModel;
import io.motdjl.tokenize.ImageTokenizer;
import io.motdjl.tokenize.JointVocabulary;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The three uses of a MoT trained in the Chameleon setting: caption → image, image → caption and
 * text continuation, each with modality-constrained decoding ({@link ChameleonDecodingRule}).
 *
 * <p>Prompts follow the training layout: {@code [BOS] caption [BOI]} for an image (the model then
 * emits exactly one image's codes and EOI), {@code [BOS] [BOI] codes [EOI]} for a caption, and
 * {@code [BOS] text} for a continuation (text tokens until EOS or the length limit).
 */
public final class ChameleonGenerator {

    private final Generator generator;
    private final JointVocabulary vocabulary;
    private final ImageTokenizer tokenizer;

    /**
     * Creates a generator for a model trained with the given image tokenizer.
     *
     * @param model a model over {@code JointVocabulary.forTokenizer(tokenizer)}
     * @param manager the manager its parameters live in
     * @param tokenizer the image tokenizer it was trained with
     * @throws IllegalArgumentException if the model's vocabulary does not fit the tokenizer
     */
    public ChameleonGenerator(MoTModel model, NDManager manager, ImageTokenizer tokenizer) {
        this(model, manager, tokenizer, JointVocabulary.forTokenizer(tokenizer));
    }

    /**
     * Creates a generator for a model over a joint vocabulary that may hold more than text and
     * image codes (a Chameleon + speech model captions, draws and continues text with this class;
     * speech is {@link ChameleonSpeechGenerator}'s). Decoding never leaves text and image codes.
     *
     * @param model a model over {@code vocabulary}
     * @param manager the manager its parameters live in
     * @param tokenizer the image tokenizer it was trained with
     * @param vocabulary the model's joint vocabulary, e.g. {@code JointVocabulary.of(config)}
     * @throws IllegalArgumentException if the vocabulary does not fit the model or the tokenizer
     */
    public ChameleonGenerator(
            MoTModel model,
            NDManager manager,
            ImageTokenizer tokenizer,
            JointVocabulary vocabulary) {
        this.vocabulary = vocabulary;
        if (vocabulary.imageCodes() != tokenizer.codebookSize()) {
            throw new IllegalArgumentException(
                    "the image tokenizer has "
                            + tokenizer.codebookSize()
                            + " codes but the joint vocabulary has "
                            + vocabulary.imageCodes());
        }
        if (model.config().vocabSize() != vocabulary.vocabSize()) {
            throw new IllegalArgumentException(
                    "the model's vocabulary has "
                            + model.config().vocabSize()
                            + " tokens but the image tokenizer's joint vocabulary has "
                            + vocabulary.vocabSize());
        }
        if (model.config().nModalities() < vocabulary.modalityCount()) {
            throw new IllegalArgumentException(
                    "a Chameleon model needs "
                            + vocabulary.modalityCount()
                            + " modality ids ("
                            + (vocabulary.hasSpeech() ? "text, image, speech" : "text, image")
                            + "), the config has "
                            + model.config().nModalities());
        }
        this.tokenizer = tokenizer;
        this.generator = new Generator(model, manager, vocabulary::modalityOf);
    }

    /** The token-level generator underneath. */
    public Generator generator() {
        return generator;
    }

    /** The joint vocabulary. */
    public JointVocabulary vocabulary() {
        return vocabulary;
    }

    /** The image tokenizer. */
    public ImageTokenizer tokenizer() {
        return tokenizer;
    }

    /** Prompt of caption → image: {@code [BOS] caption [BOI]}. */
    public int[] imagePrompt(String caption) {
        int[] text = JointVocabulary.encodeText(caption);
        int[] prompt = new int[text.length + 2];
        prompt[0] = JointVocabulary.BOS;
        System.arraycopy(text, 0, prompt, 1, text.length);
        prompt[prompt.length - 1] = JointVocabulary.BOI;
        return prompt;
    }

    /** Prompt of image → caption: {@code [BOS] [BOI] codes [EOI]}. */
    public int[] captionPrompt(byte[] image) {
        int[] codes = vocabulary.imageTokens(tokenizer.encode(checkImage(image)));
        int[] prompt = new int[codes.length + 3];
        prompt[0] = JointVocabulary.BOS;
        prompt[1] = JointVocabulary.BOI;
        System.arraycopy(codes, 0, prompt, 2, codes.length);
        prompt[prompt.length - 1] = JointVocabulary.EOI;
        return prompt;
    }

    /** Prompt of a continuation: {@code [BOS] text}. */
    public int[] textPrompt(String text) {
        int[] bytes = JointVocabulary.encodeText(text);
        int[] prompt = new int[bytes.length + 1];
        prompt[0] = JointVocabulary.BOS;
        System.arraycopy(bytes, 0, prompt, 1, bytes.length);
        return prompt;
    }

    /**
     * Generates one image per caption, decoded through the image tokenizer.
     *
     * @return grayscale images, {@code imageHeight × imageWidth} unsigned bytes each
     */
    public List<byte[]> captionsToImages(List<String> captions, SamplingSettings sampling) {
        List<int[]> prompts = new ArrayList<>();
        int room = mostCaptionBytesForImage();
        for (int i = 0; i < captions.size(); i++) {
            int[] prompt = imagePrompt(captions.get(i));
            if (prompt.length - 2 > room) {
                throw new IllegalArgumentException(
                        "caption "
                                + i
                                + " has "
                                + (prompt.length - 2)
                                + " UTF-8 bytes; this model draws images for captions of at most "
                                + Math.max(0, room)
                                + " (max_seq_len "
                                + generator.model().config().maxSeqLen()
                                + " holds [BOS] caption [BOI], "
                                + tokenizer.codesPerImage()
                                + " image codes and EOI)");
            }
            prompts.add(prompt);
        }
        int codes = tokenizer.codesPerImage();
        GenerationSettings settings =
                new GenerationSettings(codes + 1, new int[] {JointVocabulary.EOI}, sampling, true);
        List<byte[]> images = new ArrayList<>();
        for (Generation g : generator.generate(prompts, settings, imageRule())) {
            int[] imageTokens = java.util.Arrays.copyOf(g.tokens(), codes);
            images.add(tokenizer.decode(vocabulary.imageCodes(imageTokens)));
        }
        return images;
    }

    /**
     * The longest caption, in UTF-8 bytes, that {@link #captionsToImages} can draw for: its prompt
     * ({@code [BOS] bytes [BOI]}), the image's codes and EOI within the model's {@code
     * max_seq_len}. Zero or less when no caption fits.
     */
    public int mostCaptionBytesForImage() {
        return generator.model().config().maxSeqLen() - 2 - (tokenizer.codesPerImage() + 1);
    }

    /** One image for one caption. */
    public byte[] captionToImage(String caption, SamplingSettings sampling) {
        return captionsToImages(List.of(caption), sampling).get(0);
    }

    /**
     * Captions images.
     *
     * @param images grayscale images of the tokenizer's size
     * @param sampling how tokens are drawn
     * @param maxTokens the longest caption in tokens (bytes); also cut to what fits in the model's
     *     {@code max_seq_len} after the image
     * @return one caption per image
     */
    public List<String> imagesToCaptions(
            List<byte[]> images, SamplingSettings sampling, int maxTokens) {
        List<int[]> prompts = new ArrayList<>();
        for (byte[] image : images) {
            prompts.add(captionPrompt(image));
        }
        return texts(prompts, sampling, maxTokens);
    }

    /** One caption for one image. */
    public String imageToCaption(byte[] image, SamplingSettings sampling, int maxTokens) {
        return imagesToCaptions(List.of(image), sampling, maxTokens).get(0);
    }

    /**
     * Continues a text (text tokens only) until EOS, {@code maxTokens} or the model's {@code
     * max_seq_len}.
     */
    public String continueText(String text, SamplingSettings sampling, int maxTokens) {
        return texts(List.of(textPrompt(text)), sampling, maxTokens).get(0);
    }

    /**
     * Texts after {@code prompts}, at most {@code maxTokens} long and never past the model's {@code
     * max_seq_len} (the limit is cut to what fits after the longest prompt).
     */
    private List<String> texts(List<int[]> prompts, SamplingSettings sampling, int maxTokens) {
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
        int room = generator.model().config().maxSeqLen() - longest;
        if (room < 1) {
            throw new IllegalArgumentException(
                    "the prompt ("
                            + longest
                            + " tokens) leaves no room for text in the model's max_seq_len "
                            + generator.model().config().maxSeqLen());
        }
        GenerationSettings settings =
                new GenerationSettings(
                        Math.min(maxTokens, room), new int[] {JointVocabulary.EOS}, sampling, true);
        List<String> out = new ArrayList<>();
        for (Generation g : generator.generate(prompts, settings, textRule())) {
            out.add(bytesToText(g.withoutStop()));
        }
        return out;
    }

    /** Decodes byte tokens; malformed UTF-8 (a model may emit it) becomes U+FFFD. */
    static String bytesToText(int[] tokens) {
        byte[] bytes = new byte[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            bytes[i] = (byte) tokens[i];
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Images may be generated (the caption → image prompt ends inside one). */
    public ChameleonDecodingRule imageRule() {
        return new ChameleonDecodingRule(vocabulary, tokenizer.codesPerImage(), true);
    }

    /** Text only. */
    public ChameleonDecodingRule textRule() {
        return new ChameleonDecodingRule(vocabulary, tokenizer.codesPerImage(), false);
    }

    private byte[] checkImage(byte[] image) {
        int expected = tokenizer.imageHeight() * tokenizer.imageWidth();
        if (image == null || image.length != expected) {
            throw new IllegalArgumentException(
                    "an image must have "
                            + tokenizer.imageHeight()
                            + "×"
                            + tokenizer.imageWidth()
                            + " = "
                            + expected
                            + " grayscale bytes, got "
                            + (image == null ? "none" : image.length));
        }
        return image;
    }
}
