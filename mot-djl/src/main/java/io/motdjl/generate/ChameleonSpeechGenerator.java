package io.motdjl.generate;

import ai.djl.ndarray.NDManager;

import io.motdjl.nn.MoTModel;
import io.motdjl.tokenize.JointVocabulary;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The speech uses of a MoT trained in the Chameleon + speech setting, on token ids: caption →
 * speech units, image codes → speech units, speech units → caption and speech units → image codes,
 * each with modality-constrained decoding ({@link SpanDecodingRule}) and the key/value cache.
 * Turning audio into units and back is the speech tokenizer's job ({@code
 * io.motdjl.speech.SpeechUnitTokenizer}), images into codes the image tokenizer's.
 *
 * <p>Prompts follow the training layout ({@code data.InterleavedSequenceBuilder}) and end where the
 * model is to continue: {@code [BOS] caption [BOSP]} or {@code [BOS] [BOI] codes [EOI] [BOSP]} for
 * speech (units until EOSP, at most {@code maxSpeechUnits}), {@code [BOS] [BOSP] units [EOSP]} for
 * a caption (text until EOS) and {@code [BOS] [BOSP] units [EOSP] [BOI]} for an image (exactly one
 * image's codes, then EOI). The model never opens a span of its own.
 */
public final class ChameleonSpeechGenerator {

    /** Markers around an utterance in a prompt: BOS, BOSP and EOSP. */
    private static final int SPEECH_PROMPT_MARKERS = 3;

    private final Generator generator;
    private final JointVocabulary vocabulary;
    private final SpanDecodingRule rule;

    /**
     * Creates a generator.
     *
     * @param model a model over {@code vocabulary} with at least its three modality ids
     * @param manager the manager its parameters live in
     * @param vocabulary a joint vocabulary with speech
     * @param codesPerImage codes in one image
     * @param maxSpeechUnits the most units of one generated utterance (250 is 10 s at 25 Hz)
     * @throws IllegalArgumentException if the vocabulary has no speech or does not fit the model
     */
    public ChameleonSpeechGenerator(
            MoTModel model,
            NDManager manager,
            JointVocabulary vocabulary,
            int codesPerImage,
            int maxSpeechUnits) {
        this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
        if (!vocabulary.hasSpeech()) {
            throw new IllegalArgumentException(
                    "speech generation needs a vocabulary with speech units"
                            + " (JointVocabulary.withSpeech(K, U)); this one is "
                            + vocabulary);
        }
        if (model.config().vocabSize() != vocabulary.vocabSize()) {
            throw new IllegalArgumentException(
                    "the model's vocabulary has "
                            + model.config().vocabSize()
                            + " tokens but the joint vocabulary has "
                            + vocabulary.vocabSize());
        }
        if (model.config().nModalities() < vocabulary.modalityCount()) {
            throw new IllegalArgumentException(
                    "a Chameleon + speech model needs "
                            + vocabulary.modalityCount()
                            + " modality ids (text, image, speech), the config has "
                            + model.config().nModalities());
        }
        this.rule =
                SpanDecodingRule.builder(vocabulary)
                        .images(codesPerImage, false)
                        .speech(maxSpeechUnits, false)
                        .build();
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

    /** The decoding rule of every use: spans known, none opened by the model. */
    public SpanDecodingRule rule() {
        return rule;
    }

    /** Prompt of caption → speech: {@code [BOS] caption [BOSP]}. */
    public int[] speechPromptForCaption(String caption) {
        return concat(
                new int[] {JointVocabulary.BOS},
                JointVocabulary.encodeText(caption),
                new int[] {vocabulary.bosp()});
    }

    /** Prompt of image → speech: {@code [BOS] [BOI] codes [EOI] [BOSP]}. */
    public int[] speechPromptForImage(int[] imageCodes) {
        return concat(
                new int[] {JointVocabulary.BOS},
                imageSpan(imageCodes),
                new int[] {vocabulary.bosp()});
    }

    /** Prompt of speech → caption: {@code [BOS] [BOSP] units [EOSP]}. */
    public int[] captionPromptForSpeech(int[] units) {
        return concat(new int[] {JointVocabulary.BOS}, speechSpan(units));
    }

    /** Prompt of speech → image: {@code [BOS] [BOSP] units [EOSP] [BOI]}. */
    public int[] imagePromptForSpeech(int[] units) {
        return concat(
                new int[] {JointVocabulary.BOS},
                speechSpan(units),
                new int[] {JointVocabulary.BOI});
    }

    /**
     * Speaks captions: one utterance of speech units per caption, up to EOSP, {@code
     * maxSpeechUnits} or what fits in the model's {@code max_seq_len}.
     */
    public List<int[]> captionsToSpeech(List<String> captions, SamplingSettings sampling) {
        List<int[]> prompts = new ArrayList<>();
        for (String caption : captions) {
            prompts.add(speechPromptForCaption(caption));
        }
        return speech(prompts, sampling);
    }

    /** Speaks a caption for each image (given as its codes); see {@link #captionsToSpeech}. */
    public List<int[]> imagesToSpeech(List<int[]> imageCodes, SamplingSettings sampling) {
        List<int[]> prompts = new ArrayList<>();
        for (int[] codes : imageCodes) {
            prompts.add(speechPromptForImage(codes));
        }
        return speech(prompts, sampling);
    }

    /**
     * Transcribes utterances (given as speech units) into captions of at most {@code maxTokens}
     * bytes, cut to what fits in the model's {@code max_seq_len}.
     */
    public List<String> speechToCaptions(
            List<int[]> utterances, SamplingSettings sampling, int maxTokens) {
        List<int[]> prompts = new ArrayList<>();
        for (int[] units : utterances) {
            prompts.add(captionPromptForSpeech(units));
        }
        GenerationSettings settings =
                new GenerationSettings(
                        Math.min(maxTokens, room(prompts, 1, "a caption")),
                        new int[] {JointVocabulary.EOS},
                        sampling,
                        true);
        List<String> out = new ArrayList<>();
        for (Generation g : generator.generate(prompts, settings, rule)) {
            out.add(ChameleonGenerator.bytesToText(g.withoutStop()));
        }
        return out;
    }

    /** Draws one image (as its codes) for each utterance (given as speech units). */
    public List<int[]> speechToImages(List<int[]> utterances, SamplingSettings sampling) {
        List<int[]> prompts = new ArrayList<>();
        for (int[] units : utterances) {
            prompts.add(imagePromptForSpeech(units));
        }
        int codes = rule.codesPerImage();
        room(prompts, codes + 1, "an image's codes and EOI");
        GenerationSettings settings =
                new GenerationSettings(codes + 1, new int[] {JointVocabulary.EOI}, sampling, true);
        List<int[]> images = new ArrayList<>();
        for (Generation g : generator.generate(prompts, settings, rule)) {
            images.add(vocabulary.imageCodes(Arrays.copyOf(g.tokens(), codes)));
        }
        return images;
    }

    /** Units after prompts that end with BOSP; an utterance cut by the length limit is kept. */
    private List<int[]> speech(List<int[]> prompts, SamplingSettings sampling) {
        int limit = Math.min(rule.maxSpeechUnits() + 1, room(prompts, 1, "a speech unit"));
        GenerationSettings settings =
                new GenerationSettings(limit, new int[] {vocabulary.eosp()}, sampling, true);
        List<int[]> out = new ArrayList<>();
        for (Generation g : generator.generate(prompts, settings, rule)) {
            out.add(vocabulary.speechUnits(g.withoutStop()));
        }
        return out;
    }

    /**
     * The most speech units an utterance may have for {@link #speechToCaptions} to fit: its prompt
     * ({@code [BOS] [BOSP] units [EOSP]}) and at least one caption byte within the model's {@code
     * max_seq_len}. Zero or less when no utterance fits.
     */
    public int mostUnitsForCaption() {
        return maxSeqLen() - SPEECH_PROMPT_MARKERS - 1;
    }

    /**
     * The most speech units an utterance may have for {@link #speechToImages} to fit: its prompt
     * ({@code [BOS] [BOSP] units [EOSP] [BOI]}), the image's codes and EOI within the model's
     * {@code max_seq_len}. Zero or less when no utterance fits.
     */
    public int mostUnitsForImage() {
        return maxSeqLen() - SPEECH_PROMPT_MARKERS - 1 - (rule.codesPerImage() + 1);
    }

    private int maxSeqLen() {
        return generator.model().config().maxSeqLen();
    }

    /**
     * Positions left after the longest prompt in the model's {@code max_seq_len}.
     *
     * @throws IllegalArgumentException if fewer than {@code needed}
     */
    private int room(List<int[]> prompts, int needed, String what) {
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
        int maxSeqLen = maxSeqLen();
        int room = maxSeqLen - longest;
        if (room < needed) {
            throw new IllegalArgumentException(
                    "the prompt ("
                            + longest
                            + " tokens) leaves "
                            + Math.max(room, 0)
                            + " positions in the model's max_seq_len "
                            + maxSeqLen
                            + ", too few for "
                            + what);
        }
        return room;
    }

    private int[] imageSpan(int[] codes) {
        checkNotEmpty(codes, "an image", "code");
        return concat(
                new int[] {JointVocabulary.BOI},
                vocabulary.imageTokens(codes),
                new int[] {JointVocabulary.EOI});
    }

    private int[] speechSpan(int[] units) {
        checkNotEmpty(units, "an utterance", "unit");
        return concat(
                new int[] {vocabulary.bosp()},
                vocabulary.speechTokens(units),
                new int[] {vocabulary.eosp()});
    }

    private static void checkNotEmpty(int[] ids, String what, String unit) {
        if (ids == null || ids.length == 0) {
            throw new IllegalArgumentException(what + " needs at least one " + unit + ", got none");
        }
    }

    private static int[] concat(int[]... pieces) {
        int length = 0;
        for (int[] piece : pieces) {
            length += piece.length;
        }
        int[] out = new int[length];
        int at = 0;
        for (int[] piece : pieces) {
            System.arraycopy(piece, 0, out, at, piece.length);
            at += piece.length;
        }
        return out;
    }
}
