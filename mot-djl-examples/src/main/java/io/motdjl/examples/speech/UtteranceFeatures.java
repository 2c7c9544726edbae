package io.motdjl.examples.speech;

import io.motdjl.speech.LogMelSpectrogram;
import io.motdjl.speech.SilenceTrimmer;
import io.motdjl.speech.WavFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * Turns a synthesised WAV file into the corpus's frames: read at the engine's rate ({@link
 * WavFile}), resampled to the front end's rate where it differs ({@link SincResampler}: espeak-ng's
 * 22,050 Hz to 16,000 Hz), leading and trailing pauses cut ({@link SilenceTrimmer}), log-mel frames
 * computed ({@link LogMelSpectrogram}). Deterministic to the bit.
 */
public final class UtteranceFeatures {

    /**
     * One utterance's features.
     *
     * @param samples the trimmed audio's length at the front end's rate
     * @param logMel its log-mel frames, {@code [frames][mels]}
     */
    public record Features(int samples, float[][] logMel) {}

    private final LogMelSpectrogram frontEnd;
    private final Map<Engine, SincResampler> resamplers = new EnumMap<>(Engine.class);

    /** Features with {@code frontEnd}'s options. */
    public UtteranceFeatures(LogMelSpectrogram.Options frontEnd) {
        this.frontEnd = new LogMelSpectrogram(frontEnd);
        for (Engine engine : Engine.values()) {
            resamplers.put(engine, new SincResampler(engine.sampleRate(), frontEnd.sampleRate()));
        }
    }

    /** The front end's options. */
    public LogMelSpectrogram.Options options() {
        return frontEnd.options();
    }

    /**
     * Reads and processes a WAV file that {@code engine} wrote.
     *
     * @throws io.motdjl.speech.WavFormatException if it is not 16-bit mono PCM at the engine's rate
     * @throws IllegalArgumentException if it is silent
     */
    public Features compute(Path wav, Engine engine) throws IOException {
        return compute(WavFile.read(wav, engine.sampleRate()), engine);
    }

    /** Processes audio at {@code engine}'s sample rate. */
    public Features compute(float[] audio, Engine engine) {
        float[] resampled = resamplers.get(engine).resample(audio);
        float[] speech = SilenceTrimmer.trim(resampled, frontEnd.options().sampleRate());
        return new Features(speech.length, frontEnd.compute(speech));
    }
}
