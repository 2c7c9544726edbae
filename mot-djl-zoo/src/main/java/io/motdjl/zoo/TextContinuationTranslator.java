package io.motdjl.zoo;

import ai.djl.ndarray.NDManager;
import ai.djl.translate.TranslatorContext;

import io.motdjl.config.DiffusionConfig;
import io.motdjl.config.MoTConfig;
import io.motdjl.generate.ChameleonDecodingRule;
import io.motdjl.generate.DecodingRule;
import io.motdjl.generate.Generation;
import io.motdjl.generate.GenerationSettings;
import io.motdjl.generate.Generator;
import io.motdjl.nn.MoTModel;
import io.motdjl.tokenize.JointVocabulary;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Text continuation ({@code String → String}): the prompt is {@code [BOS] text}, and the model
 * generates text tokens only (bytes, until EOS or the length limit). The output is the new text
 * alone, without the prompt; bytes that do not form valid UTF-8 become U+FFFD.
 *
 * <p>It serves models of both settings, with no image tokenizer needed:
 *
 * <ul>
 *   <li>the Chameleon setting: a model over the Chameleon joint vocabulary ({@link
 *       JointVocabulary}: UTF-8 bytes, special tokens, then image codes), as {@link
 *       io.motdjl.generate.ChameleonGenerator#continueText} does; the vocabulary follows from the
 *       model's config ({@code vocab_size}, two modalities and, when given, {@code
 *       modality_token_ranges} in the joint layout);
 *   <li>the Transfusion setting (a config with a {@code diffusion} key): a model whose vocabulary
 *       holds the joint vocabulary's text tokens, images being patch rows; every token is text.
 * </ul>
 *
 * <p>See {@link GenerationTranslator} for how generation runs inside a {@code Predictor} and {@link
 * GenerationOptions} for the arguments.
 */
public final class TextContinuationTranslator extends GenerationTranslator<String, int[], String> {

    /** Bytes and EOS may come next; a prompt may hold any text token. */
    private static final DecodingRule TEXT_TOKENS_ONLY =
            prompt ->
                    new DecodingRule.RowState() {
                        @Override
                        public void allowed(boolean[] allowed) {
                            for (int t = 0; t < allowed.length; t++) {
                                allowed[t] =
                                        t < JointVocabulary.BYTE_TOKENS || t == JointVocabulary.EOS;
                            }
                        }

                        @Override
                        public void accept(int token) {}
                    };

    /** A translator that generates with {@code options}. */
    public TextContinuationTranslator(GenerationOptions options) {
        super(options);
    }

    /**
     * The joint vocabulary a config uses: text and image codes, or with speech as well ({@link
     * JointVocabulary#of(MoTConfig)}).
     *
     * @throws IllegalArgumentException if the config is not over the Chameleon joint vocabulary
     */
    public static JointVocabulary vocabularyOf(MoTConfig config) {
        try {
            return JointVocabulary.of(config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "text generation needs a model over the Chameleon joint vocabulary: "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Checks that a model of either setting can continue text (see the class description).
     *
     * @throws IllegalArgumentException if the config is over neither vocabulary
     */
    public static void requireTextModel(MoTConfig config) {
        DiffusionConfig diffusion = config.diffusion();
        if (diffusion == null) {
            vocabularyOf(config);
            return;
        }
        if (config.vocabSize() < JointVocabulary.TEXT_TOKENS
                || diffusion.modality() != JointVocabulary.IMAGE) {
            throw new IllegalArgumentException(
                    "text generation with a Transfusion-setting model needs the joint vocabulary's "
                            + JointVocabulary.TEXT_TOKENS
                            + " text tokens and images in modality "
                            + JointVocabulary.IMAGE
                            + "; this model has vocab_size "
                            + config.vocabSize()
                            + " and diffuses modality "
                            + diffusion.modality());
        }
    }

    /**
     * Continues texts with a model of either setting, as this translator does.
     *
     * @param model the model
     * @param manager where the passes' arrays are made (each pass in a sub-manager)
     * @param texts the texts to continue, as one batch
     * @param options how tokens are drawn and how many
     * @return the new text of each, in order
     * @throws IllegalArgumentException if the model cannot continue text or a prompt is too long
     */
    public static List<String> continueTexts(
            MoTModel model, NDManager manager, List<String> texts, GenerationOptions options) {
        List<int[]> prompts = new ArrayList<>(texts.size());
        for (String text : texts) {
            prompts.add(prompt(text));
        }
        return continuePrompts(model, manager, prompts, options);
    }

    @Override
    protected int[] readInput(TranslatorContext ctx, String text) {
        return prompt(text);
    }

    @Override
    protected List<String> generate(MoTModel model, NDManager manager, List<int[]> prompts) {
        return continuePrompts(model, manager, prompts, options());
    }

    /** {@code [BOS] text}. */
    private static int[] prompt(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no text given to continue");
        }
        int[] bytes = JointVocabulary.encodeText(text);
        int[] prompt = new int[bytes.length + 1];
        prompt[0] = JointVocabulary.BOS;
        System.arraycopy(bytes, 0, prompt, 1, bytes.length);
        return prompt;
    }

    private static List<String> continuePrompts(
            MoTModel model, NDManager manager, List<int[]> prompts, GenerationOptions options) {
        MoTConfig config = model.config();
        requireTextModel(config);
        int longest = 0;
        for (int[] prompt : prompts) {
            longest = Math.max(longest, prompt.length);
        }
        GenerationSettings settings =
                new GenerationSettings(
                        options.maxTokensFor(longest, config.maxSeqLen()),
                        new int[] {JointVocabulary.EOS},
                        options.sampling(),
                        true);
        Generator generator;
        DecodingRule rule;
        if (config.diffusion() == null) {
            JointVocabulary vocabulary = vocabularyOf(config);
            // text only: images are not allowed, so the number of codes per image never matters
            rule = new ChameleonDecodingRule(vocabulary, 1, false);
            generator = new Generator(model, manager, vocabulary::modalityOf);
        } else {
            rule = TEXT_TOKENS_ONLY;
            generator = new Generator(model, manager, token -> JointVocabulary.TEXT);
        }
        List<String> texts = new ArrayList<>(prompts.size());
        for (Generation g : generator.generate(prompts, settings, rule)) {
            texts.add(text(g.withoutStop()));
        }
        return texts;
    }

    /** UTF-8 text of byte tokens; malformed sequences become U+FFFD. */
    static String text(int[] tokens) {
        byte[] bytes = new byte[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            bytes[i] = (byte) tokens[i];
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
