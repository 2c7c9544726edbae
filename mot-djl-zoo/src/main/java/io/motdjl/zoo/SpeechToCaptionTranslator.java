package io.motdjl.zoo;

import ai.djl.modality.audio.Audio;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.TranslatorContext;

import io.motdjl.generate.ChameleonSpeechGenerator;
import io.motdjl.nn.MoTModel;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.tokenize.JointVocabulary;

import java.util.List;
import java.util.Locale;

/**
 * Speech → caption ({@code Audio → String}): a spoken caption is turned into speech units by the
 * model's speech tokenizer ({@link SpeechUnitTokenizer#encodeUtterance(float[])}, 25 units per
 * second with the default front end), and the model continues {@code [BOS] [BOSP] units [EOSP]}
 * with text tokens until EOS or the length limit ({@link
 * ChameleonSpeechGenerator#speechToCaptions}). The output is the caption; bytes that do not form
 * valid UTF-8 become U+FFFD.
 *
 * <p>The audio must be mono at the tokenizer's sample rate (16 kHz by default), as {@code new
 * Audio(samples, 16000, 1)} says; it is not resampled or mixed down, and other audio is refused
 * with a message saying what was given and what is expected. Empty, non-finite or silent audio is
 * refused too. Leading and trailing pauses are cut first ({@link
 * SpeechUnitTokenizer#encodeUtterance}), as they were from the utterances the units were learned
 * on. The units plus three markers and the caption must fit in the model's {@code max_seq_len}.
 *
 * <p>See {@link GenerationTranslator} for how generation runs inside a {@code Predictor} and {@link
 * GenerationOptions} for the arguments; by default a caption has at most what the model's {@code
 * max_seq_len} leaves after the utterance, at most {@value GenerationOptions#DEFAULT_MAX_TOKENS}
 * bytes.
 */
public final class SpeechToCaptionTranslator extends GenerationTranslator<Audio, int[], String> {

    private final SpeechUnitTokenizer tokenizer;
    private final int codesPerImage;

    /**
     * Creates a translator for a model trained with the given tokenizers.
     *
     * @param tokenizer the speech tokenizer the model was trained with
     * @param codesPerImage codes in one image of the model's image tokenizer
     * @param options how tokens are drawn and how many
     */
    public SpeechToCaptionTranslator(
            SpeechUnitTokenizer tokenizer, int codesPerImage, GenerationOptions options) {
        super(options);
        if (tokenizer == null) {
            throw new IllegalArgumentException(
                    "speech → caption needs the model's speech tokenizer");
        }
        if (codesPerImage < 1) {
            throw new IllegalArgumentException(
                    "an image needs at least one code, got " + codesPerImage);
        }
        this.tokenizer = tokenizer;
        this.codesPerImage = codesPerImage;
    }

    /** The speech tokenizer. */
    public SpeechUnitTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    protected int[] readInput(TranslatorContext ctx, Audio audio) {
        return units(tokenizer, audio);
    }

    @Override
    protected List<String> generate(MoTModel model, NDManager manager, List<int[]> utterances) {
        int maxSeqLen = model.config().maxSeqLen();
        int[] longest = new int[0];
        for (int[] units : utterances) {
            if (units.length > longest.length) {
                longest = units;
            }
        }
        ChameleonSpeechGenerator generator = transcriber(model, manager, codesPerImage);
        int most = Math.max(0, generator.mostUnitsForCaption());
        if (longest.length > most) {
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "the recording gives %d speech units (%.2f s), which leave no room"
                                    + " for a caption in the model's max_seq_len %d; at most %d"
                                    + " units (%.2f s) fit",
                            longest.length,
                            longest.length / tokenizer.unitsPerSecond(),
                            maxSeqLen,
                            most,
                            most / tokenizer.unitsPerSecond()));
        }
        // no unit at all: speechToCaptions refuses the batch below, as it always has
        int promptLength =
                longest.length == 0 ? 0 : generator.captionPromptForSpeech(longest).length;
        int maxTokens = options().maxTokensFor(promptLength, maxSeqLen);
        return generator.speechToCaptions(utterances, options().sampling(), maxTokens);
    }

    /**
     * The generator this translator transcribes with: the model's vocabulary read from its config,
     * and a decoding rule that accepts utterances as long as {@code max_seq_len} (nothing longer
     * fits anyway). Code that must transcribe exactly as the translator does uses it too.
     *
     * @param model the model
     * @param manager where the generator's arrays go
     * @param codesPerImage codes in one image of the model's image tokenizer
     * @return the generator
     */
    public static ChameleonSpeechGenerator transcriber(
            MoTModel model, NDManager manager, int codesPerImage) {
        return new ChameleonSpeechGenerator(
                model,
                manager,
                JointVocabulary.of(model.config()),
                codesPerImage,
                Math.max(1, model.config().maxSeqLen()));
    }

    /**
     * The speech units of an audio input: mono at the tokenizer's sample rate, and audible.
     *
     * @throws IllegalArgumentException saying what was given and what is expected
     */
    static int[] units(SpeechUnitTokenizer tokenizer, Audio audio) {
        if (audio == null) {
            throw new IllegalArgumentException("no audio given");
        }
        int rate = tokenizer.frontEnd().sampleRate();
        String expected =
                "; expected mono audio at "
                        + rate
                        + " Hz (new Audio(samples, "
                        + rate
                        + ", 1)), the speech tokenizer's sample rate; resample or mix down first";
        if (audio.getChannels() != 1) {
            throw new IllegalArgumentException(
                    "the audio has "
                            + audio.getChannels()
                            + " channels"
                            + (audio.getChannels() == 0 ? " (not set)" : "")
                            + expected);
        }
        if (audio.getSampleRate() != rate) {
            throw new IllegalArgumentException(
                    "the audio's sample rate is "
                            + formatRate(audio.getSampleRate())
                            + " Hz"
                            + (audio.getSampleRate() == 0 ? " (not set)" : "")
                            + expected);
        }
        if (audio.getData() == null) {
            throw new IllegalArgumentException("the audio has no samples");
        }
        return tokenizer.encodeUtterance(audio.getData());
    }

    private static String formatRate(float rate) {
        return rate == Math.rint(rate) && Math.abs(rate) < 1e9
                ? Long.toString((long) rate)
                : Float.toString(rate);
    }
}
