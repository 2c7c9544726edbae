package io.motdjl.examples.cli;

import io.motdjl.generate.ChameleonSpeechGenerator;
import io.motdjl.generate.SamplingSettings;
import io.motdjl.speech.GriffinLim;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.speech.WavFile;
import io.motdjl.speech.WavFormatException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The speech side of a Chameleon + speech model: audio in as speech units of its tokenizer (a WAV
 * file read, its leading and trailing pauses cut as the training corpus's were, then log-mel frames
 * quantised), units out as audio (each unit's centroid frame, then Griffin-Lim), and the model's
 * speech uses on units ({@link ChameleonSpeechGenerator}).
 */
final class SpeechModel {

    /** The longest utterance the model may speak, in units: 10 s at 25 units per second. */
    static final int MAX_UNITS = 250;

    private final ChameleonSpeechGenerator generator;
    private final SpeechUnitTokenizer tokenizer;

    SpeechModel(ChameleonSpeechGenerator generator, SpeechUnitTokenizer tokenizer) {
        this.generator = generator;
        this.tokenizer = tokenizer;
    }

    /** The speech tokenizer. */
    SpeechUnitTokenizer tokenizer() {
        return tokenizer;
    }

    /** The audio sample rate in Hz. */
    int sampleRate() {
        return tokenizer.frontEnd().sampleRate();
    }

    /**
     * The units of a recording.
     *
     * @param wav a 16-bit mono PCM WAV file at {@link #sampleRate()}
     * @return its units, pauses at either end cut
     * @throws BadInputException if the file is not such a WAV file, or is empty or silent
     * @throws IOException if it cannot be read
     */
    int[] unitsOf(Path wav) throws IOException {
        float[] samples;
        try {
            samples = WavFile.read(wav, sampleRate());
        } catch (WavFormatException e) {
            throw new BadInputException(e.getMessage());
        }
        try {
            return tokenizer.encodeUtterance(samples);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(
                    wav + ": " + e.getMessage() + "; expected a recording of speech");
        }
    }

    /**
     * Checks units given by hand.
     *
     * @throws UsageException naming the first unit outside {@code [0, U)}
     */
    int[] checkUnits(int[] units, String option) {
        if (units.length == 0) {
            throw new UsageException(option + " needs at least one speech unit");
        }
        for (int i = 0; i < units.length; i++) {
            if (units[i] < 0 || units[i] >= tokenizer.unitCount()) {
                throw new UsageException(
                        option
                                + ": unit "
                                + units[i]
                                + " at position "
                                + i
                                + " is outside the speech tokenizer's range [0, "
                                + tokenizer.unitCount()
                                + ")");
            }
        }
        return units;
    }

    /** Audio of units: their centroid frames through Griffin-Lim, at {@link #sampleRate()}. */
    float[] audio(int[] units) {
        return new GriffinLim(tokenizer.frontEnd(), GriffinLim.Options.defaults())
                .synthesize(tokenizer.decodeMel(units));
    }

    /** One utterance, as units, per caption. */
    List<int[]> speak(List<String> captions, SamplingSettings sampling) {
        return generator.captionsToSpeech(captions, sampling);
    }

    /** One caption per utterance, at most {@code maxTokens} bytes each. */
    List<String> transcribe(List<int[]> utterances, SamplingSettings sampling, int maxTokens) {
        return generator.speechToCaptions(utterances, sampling, maxTokens);
    }

    /**
     * Whether an image can follow {@code units} within the model's {@code max_seq_len}: {@code
     * [BOS] [BOSP] units [EOSP] [BOI]}, the image's codes and EOI.
     */
    boolean roomForImage(int[] units) {
        return units.length <= generator.mostUnitsForImage();
    }

    /** One image, as its codes, per utterance. */
    List<int[]> imageCodes(List<int[]> utterances, SamplingSettings sampling) {
        return generator.speechToImages(utterances, sampling);
    }
}
