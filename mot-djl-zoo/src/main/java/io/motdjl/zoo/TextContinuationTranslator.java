package io.motdjl.zoo;

import ai.djl.ndarray.NDManager;
import ai.djl.translate.TranslatorContext;

import io.motdjl.config.MoTConfig;
import io.motdjl.generate.ChameleonDecodingRule;
import io.motdjl.generate.Generation;
import io.motdjl.generate.GenerationSettings;
import io.motdjl.generate.Generator;
import io.motdjl.nn.MoTModel;
import io.motdjl.tokenize.JointVocabulary;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Text continuation ({@code String → String}) with a model over the Chameleon joint vocabulary
 * ({@link JointVocabulary}: UTF-8 bytes, special tokens, then image codes): the prompt is {@code
 * [BOS] text}, and the model generates text tokens only (bytes, until EOS or the length limit), as
 * {@link io.motdjl.generate.ChameleonGenerator#continueText} does. The output is the new text
 * alone, without the prompt; bytes that do not form valid UTF-8 become U+FFFD.
 *
 * <p>No image tokenizer is needed: the vocabulary follows from the model's config ({@code
 * vocab_size}, two modalities and, when given, {@code modality_token_ranges} in the joint layout).
 * See {@link GenerationTranslator} for how generation runs inside a {@code Predictor} and {@link
 * GenerationOptions} for the arguments.
 */
public final class TextContinuationTranslator extends GenerationTranslator<String, int[], String> {

    /** A translator that generates with {@code options}. */
    public TextContinuationTranslator(GenerationOptions options) {
        super(options);
    }

    /**
     * The joint vocabulary a config uses.
     *
     * @throws IllegalArgumentException if the config is not over the Chameleon joint vocabulary
     */
    public static JointVocabulary vocabularyOf(MoTConfig config) {
        if (config.nModalities() < JointVocabulary.NUM_MODALITIES
                || config.vocabSize() <= JointVocabulary.TEXT_TOKENS) {
            throw new IllegalArgumentException(
                    "text generation needs a model over the Chameleon joint vocabulary (bytes 0-255,"
                            + " BOS/EOS/BOI/EOI/PAD, then image codes: vocab_size above "
                            + JointVocabulary.TEXT_TOKENS
                            + ", "
                            + JointVocabulary.NUM_MODALITIES
                            + " modalities); this model has vocab_size "
                            + config.vocabSize()
                            + " and "
                            + config.nModalities()
                            + " modalit"
                            + (config.nModalities() == 1 ? "y" : "ies"));
        }
        JointVocabulary vocabulary =
                new JointVocabulary(config.vocabSize() - JointVocabulary.TEXT_TOKENS);
        long[][] ranges = config.modalityTokenRanges();
        if (ranges != null && !Arrays.deepEquals(ranges, vocabulary.modalityTokenRanges())) {
            throw new IllegalArgumentException(
                    "text generation needs the Chameleon joint vocabulary's modality token ranges "
                            + Arrays.deepToString(vocabulary.modalityTokenRanges())
                            + "; the model's config has "
                            + Arrays.deepToString(ranges));
        }
        return vocabulary;
    }

    @Override
    protected int[] readInput(TranslatorContext ctx, String text) {
        if (text == null) {
            throw new IllegalArgumentException("no text given to continue");
        }
        int[] bytes = JointVocabulary.encodeText(text);
        int[] prompt = new int[bytes.length + 1];
        prompt[0] = JointVocabulary.BOS;
        System.arraycopy(bytes, 0, prompt, 1, bytes.length);
        return prompt;
    }

    @Override
    protected List<String> generate(MoTModel model, NDManager manager, List<int[]> prompts) {
        JointVocabulary vocabulary = vocabularyOf(model.config());
        int longest = 0;
        for (int[] prompt : prompts) {
            longest = Math.max(longest, prompt.length);
        }
        GenerationSettings settings =
                new GenerationSettings(
                        options().maxTokensFor(longest, model.config().maxSeqLen()),
                        new int[] {JointVocabulary.EOS},
                        options().sampling(),
                        true);
        // text only: images are not allowed, so the number of codes per image never matters
        ChameleonDecodingRule textOnly = new ChameleonDecodingRule(vocabulary, 1, false);
        Generator generator = new Generator(model, manager, vocabulary::modalityOf);
        List<String> texts = new ArrayList<>(prompts.size());
        for (Generation g : generator.generate(prompts, settings, textOnly)) {
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
