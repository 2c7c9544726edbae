package io.motdjl.zoo;

import ai.djl.modality.audio.Audio;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.TranslatorContext;

import io.motdjl.generate.ChameleonSpeechGenerator;
import io.motdjl.nn.MoTModel;
import io.motdjl.speech.GriffinLim;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.tokenize.JointVocabulary;

import java.util.ArrayList;
import java.util.List;

/**
 * Caption → speech ({@code String → Audio}): the prompt is {@code [BOS] caption [BOSP]}; the model
 * generates speech units under modality-constrained decoding until EOSP, the most units of one
 * utterance or the model's {@code max_seq_len} ({@link ChameleonSpeechGenerator#captionsToSpeech}),
 * at least one. The speech tokenizer maps the units back to their log-mel frames ({@link
 * SpeechUnitTokenizer#decodeMel}) and the Griffin-Lim vocoder ({@link GriffinLim}, default options)
 * turns them into audio: mono, at the tokenizer's sample rate (16 kHz by default), {@link
 * GriffinLim#length(int) length(units)} samples, peak {@value GriffinLim#PEAK}. It is a rough
 * vocoder: the audio lets one hear what the units say, it does not sound natural.
 *
 * <p>The most units of one utterance is the {@code maxTokens} argument when given, else {@value
 * #DEFAULT_MAX_SPEECH_UNITS} (10 s at 25 units per second); either is cut to what the model's
 * {@code max_seq_len} leaves after the prompt. See {@link GenerationTranslator} for how generation
 * runs inside a {@code Predictor} and {@link GenerationOptions} for the arguments.
 */
public final class CaptionToSpeechTranslator extends GenerationTranslator<String, String, Audio> {

    /** The most speech units of one utterance when {@code maxTokens} is not given: 10 s. */
    public static final int DEFAULT_MAX_SPEECH_UNITS = 250;

    private final SpeechUnitTokenizer tokenizer;
    private final int codesPerImage;
    private final GriffinLim vocoder;

    /**
     * Creates a translator for a model trained with the given tokenizers.
     *
     * @param tokenizer the speech tokenizer the model was trained with
     * @param codesPerImage codes in one image of the model's image tokenizer
     * @param options how tokens are drawn; {@code maxTokens} is the most units of one utterance
     */
    public CaptionToSpeechTranslator(
            SpeechUnitTokenizer tokenizer, int codesPerImage, GenerationOptions options) {
        super(options);
        if (tokenizer == null) {
            throw new IllegalArgumentException(
                    "caption → speech needs the model's speech tokenizer");
        }
        if (codesPerImage < 1) {
            throw new IllegalArgumentException(
                    "an image needs at least one code, got " + codesPerImage);
        }
        this.tokenizer = tokenizer;
        this.codesPerImage = codesPerImage;
        // immutable, so one vocoder serves every prediction
        this.vocoder = new GriffinLim(tokenizer.frontEnd(), GriffinLim.Options.defaults());
    }

    /** The speech tokenizer. */
    public SpeechUnitTokenizer tokenizer() {
        return tokenizer;
    }

    /** The vocoder that turns the units' log-mel frames into audio. */
    public GriffinLim vocoder() {
        return vocoder;
    }

    /** The most speech units of one utterance, before the model's {@code max_seq_len} cuts it. */
    public int maxSpeechUnits() {
        return options().maxTokens() > 0 ? options().maxTokens() : DEFAULT_MAX_SPEECH_UNITS;
    }

    @Override
    protected String readInput(TranslatorContext ctx, String caption) {
        return requireCaption(caption);
    }

    @Override
    protected List<Audio> generate(MoTModel model, NDManager manager, List<String> captions) {
        List<int[]> utterances =
                new ChameleonSpeechGenerator(
                                model,
                                manager,
                                JointVocabulary.of(model.config()),
                                codesPerImage,
                                maxSpeechUnits())
                        .captionsToSpeech(captions, options().sampling());
        float rate = tokenizer.frontEnd().sampleRate();
        List<Audio> audio = new ArrayList<>(utterances.size());
        for (int[] units : utterances) {
            float[] samples = vocoder.synthesize(tokenizer.decodeMel(units));
            audio.add(new Audio(samples, rate, 1));
        }
        return audio;
    }
}
