package io.motdjl.zoo;

import ai.djl.modality.audio.Audio;
import ai.djl.ndarray.NDManager;

import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTModel;
import io.motdjl.speech.LogMelSpectrogram;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.tokenize.PatchGrid;
import io.motdjl.tokenize.PatchKMeansTokenizer;

import java.io.IOException;
import java.nio.file.Path;

/** Tiny Chameleon + speech models and their tokenizers, for fast tests. */
final class TinySpeech {

    /** Image codes K: 8×8 images of four 4×4 patches. */
    static final int CODES = 5;

    /** Speech units U. */
    static final int UNITS = 6;

    /** 261 text tokens, 5 image codes, BOSP/EOSP and 6 units: 274 tokens in 3 modalities. */
    static final JointVocabulary VOCABULARY = JointVocabulary.withSpeech(CODES, UNITS);

    static final int SAMPLE_RATE = LogMelSpectrogram.Options.DEFAULT_SAMPLE_RATE;

    private TinySpeech() {}

    /** A config over {@link #VOCABULARY}; 48 positions hold a 0.5 s utterance and its caption. */
    static MoTConfig config() {
        return VOCABULARY
                .applyTo(MoTConfig.builder())
                .dim(16)
                .nLayers(1)
                .nHeads(2)
                .ffnHiddenDim(16)
                .maxSeqLen(48)
                .build();
    }

    /** A two-modality config over text and {@link #CODES} image codes. */
    static MoTConfig twoModalityConfig() {
        return new JointVocabulary(CODES)
                .applyTo(MoTConfig.builder())
                .dim(16)
                .nLayers(1)
                .nHeads(2)
                .ffnHiddenDim(16)
                .maxSeqLen(48)
                .build();
    }

    /** An image tokenizer of {@code codes} codes for 8×8 images (4 codes per image). */
    static PatchKMeansTokenizer imageTokenizer(int codes) {
        PatchGrid grid = new PatchGrid(8, 8, 4);
        byte[] codebook = new byte[codes * grid.patchDim()];
        for (int i = 0; i < codebook.length; i++) {
            codebook[i] = (byte) (i * 37);
        }
        return new PatchKMeansTokenizer(grid, codebook);
    }

    /** A speech tokenizer of {@code units} distinct centroids over the default 80-mel front end. */
    static SpeechUnitTokenizer speechTokenizer(int units) {
        LogMelSpectrogram.Options frontEnd = LogMelSpectrogram.Options.defaults();
        int mels = frontEnd.mels();
        float[] centroids = new float[units * mels];
        for (int u = 0; u < units; u++) {
            for (int m = 0; m < mels; m++) {
                centroids[u * mels + m] =
                        (float) (-7 + 0.8 * u + 2 * Math.sin(0.05 * (u + 1) * (m + 1)));
            }
        }
        return new SpeechUnitTokenizer(frontEnd, centroids);
    }

    /** Writes a random model of {@link #config()} with both tokenizers. */
    static MoTModel write(Path dir, NDManager manager) throws IOException {
        MoTModel model = Tiny.model(config(), manager);
        MoTCheckpointWriter.of(model)
                .imageTokenizer(imageTokenizer(CODES))
                .speechTokenizer(speechTokenizer(UNITS))
                .write(dir);
        return model;
    }

    /** A sine tone of amplitude 0.3. */
    static float[] sine(double seconds, double hz) {
        float[] samples = new float[(int) Math.round(seconds * SAMPLE_RATE)];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (float) (0.3 * Math.sin(2 * Math.PI * hz * i / SAMPLE_RATE));
        }
        return samples;
    }

    /** Half a second of 440 Hz, mono at 16 kHz. */
    static Audio tone() {
        return new Audio(sine(0.5, 440), SAMPLE_RATE, 1);
    }
}
