package io.motdjl.examples.speech;

import io.motdjl.io.AtomicFiles;
import io.motdjl.speech.LogMelSpectrogram;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A corpus of spoken captions as log-mel frames: each utterance's metadata ({@link Utterance}) and
 * its frames, 8-bit quantised ({@link LogMelQuantization}). Immutable; frame accessors return fresh
 * arrays.
 *
 * <p>mot-djl-examples bundles one ({@link #bundled()}): 2,940 utterances of the ten Fashion-MNIST
 * classes synthesised with flite and espeak-ng by {@link SpeechCorpusBuilder}, as {@link
 * CorpusPlan} lays out; docs/speech.md, "Corpus", and the README.txt beside the resource say how it
 * was made. The file format is {@link SpokenCaptionsFile}'s.
 */
public final class SpokenCaptions {

    /** Class-path name of the bundled corpus. */
    public static final String BUNDLED_RESOURCE =
            "io/motdjl/examples/speech/spoken-captions.bin.gz";

    private final LogMelSpectrogram.Options frontEnd;
    private final LogMelQuantization quantization;
    private final long seed;
    private final Map<String, String> provenance;
    private final List<Utterance> utterances;
    private final int[] firstFrame;
    private final byte[] frames;

    SpokenCaptions(
            LogMelSpectrogram.Options frontEnd,
            LogMelQuantization quantization,
            long seed,
            Map<String, String> provenance,
            List<Utterance> utterances,
            byte[] frames) {
        this.frontEnd = Objects.requireNonNull(frontEnd, "frontEnd");
        this.quantization = Objects.requireNonNull(quantization, "quantization");
        this.seed = seed;
        this.provenance = Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        this.utterances = List.copyOf(utterances);
        this.firstFrame = new int[utterances.size() + 1];
        long total = 0;
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < utterances.size(); i++) {
            Utterance u = utterances.get(i);
            if (u.index() != i) {
                throw new IllegalArgumentException(
                        "utterance " + u.id() + " has index " + u.index() + ", expected " + i);
            }
            if (!ids.add(u.id())) {
                throw new IllegalArgumentException("two utterances have the id " + u.id());
            }
            firstFrame[i] = (int) total;
            total += u.frames();
            if (total * frontEnd.mels() > frames.length) {
                break; // reported below
            }
        }
        if (total * frontEnd.mels() != frames.length) {
            throw new IllegalArgumentException(
                    "the utterances have "
                            + total
                            + " frames of "
                            + frontEnd.mels()
                            + " mels, but "
                            + frames.length
                            + " frame bytes were given");
        }
        firstFrame[utterances.size()] = (int) total;
        this.frames = frames;
    }

    /**
     * The corpus bundled with mot-djl-examples.
     *
     * @throws NoSuchFileException if the resource is missing from the class path
     * @throws SpokenCaptionsFormatException if it is corrupt
     */
    public static SpokenCaptions bundled() throws IOException {
        try (InputStream in =
                SpokenCaptions.class.getClassLoader().getResourceAsStream(BUNDLED_RESOURCE)) {
            if (in == null) {
                throw new NoSuchFileException(
                        "classpath:" + BUNDLED_RESOURCE, null, "spoken-caption corpus not found");
            }
            return SpokenCaptionsFile.read(in, "classpath:" + BUNDLED_RESOURCE);
        }
    }

    /**
     * Reads a corpus file.
     *
     * @throws SpokenCaptionsFormatException if it is corrupt, truncated or of another version
     */
    public static SpokenCaptions read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return SpokenCaptionsFile.read(in, file.toString());
        }
    }

    /**
     * Writes the corpus file atomically ({@link AtomicFiles}: never replaces a directory or other
     * non-regular file).
     */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, os -> SpokenCaptionsFile.write(this, os));
    }

    /** The front end the frames were computed with. */
    public LogMelSpectrogram.Options frontEnd() {
        return frontEnd;
    }

    /** How the frames are quantised. */
    public LogMelQuantization quantization() {
        return quantization;
    }

    /** The seed of the prosody draws ({@link CorpusPlan#utterances(long)}). */
    public long seed() {
        return seed;
    }

    /** How the corpus was made: generator, program versions, packages, resampler, trimming. */
    public Map<String, String> provenance() {
        return provenance;
    }

    /** Number of utterances. */
    public int size() {
        return utterances.size();
    }

    /** Every utterance, in file order. */
    public List<Utterance> utterances() {
        return utterances;
    }

    /** The utterances of one split, in file order. */
    public List<Utterance> utterances(Split split) {
        List<Utterance> selected = new ArrayList<>();
        for (Utterance u : utterances) {
            if (u.split() == split) {
                selected.add(u);
            }
        }
        return List.copyOf(selected);
    }

    /** The class of each utterance of one split, in file order. */
    public int[] labels(Split split) {
        return utterances(split).stream().mapToInt(Utterance::label).toArray();
    }

    /** Total number of frames. */
    public long totalFrames() {
        return firstFrame[utterances.size()];
    }

    /** An utterance's duration in seconds (after trimming). */
    public double seconds(Utterance utterance) {
        return (double) utterance.samples() / frontEnd.sampleRate();
    }

    /** Utterance {@code index}'s log-mel frames, decoded: {@code [frames][mels]}. */
    public float[][] frames(int index) {
        Objects.checkIndex(index, utterances.size());
        int mels = frontEnd.mels();
        float[][] out = new float[utterances.get(index).frames()][mels];
        int offset = firstFrame[index] * mels;
        for (float[] frame : out) {
            for (int m = 0; m < mels; m++) {
                frame[m] = quantization.decode(frames[offset++]);
            }
        }
        return out;
    }

    /** An utterance's log-mel frames, decoded. */
    public float[][] frames(Utterance utterance) {
        return frames(utterance.index());
    }

    /** The decoded frames of several utterances, in their order (e.g. for SpeechUnitTrainer). */
    public List<float[][]> frames(List<Utterance> selection) {
        List<float[][]> out = new ArrayList<>(selection.size());
        for (Utterance u : selection) {
            out.add(frames(u));
        }
        return out;
    }

    /** Utterance {@code index}'s quantised frames: {@code frames × mels} levels, frame by frame. */
    public byte[] quantizedFrames(int index) {
        Objects.checkIndex(index, utterances.size());
        int mels = frontEnd.mels();
        return Arrays.copyOfRange(frames, firstFrame[index] * mels, firstFrame[index + 1] * mels);
    }

    /** Every utterance's quantised frames, one after the other, as the file stores them. */
    byte[] allQuantizedFrames() {
        return frames;
    }

    /** Collects utterances and their frames, quantising them. */
    public static final class Builder {

        private final LogMelSpectrogram.Options frontEnd;
        private final LogMelQuantization quantization;
        private final long seed;
        private final Map<String, String> provenance;
        private final List<Utterance> utterances = new ArrayList<>();
        private byte[] frames = new byte[1 << 16];
        private int used;
        private long clipped;

        /**
         * An empty corpus.
         *
         * @param frontEnd the front end the frames are computed with
         * @param quantization how to quantise them
         * @param seed the seed of the prosody draws
         * @param provenance how the corpus is made (strings)
         */
        public Builder(
                LogMelSpectrogram.Options frontEnd,
                LogMelQuantization quantization,
                long seed,
                Map<String, String> provenance) {
            this.frontEnd = Objects.requireNonNull(frontEnd, "frontEnd");
            this.quantization = Objects.requireNonNull(quantization, "quantization");
            this.seed = seed;
            this.provenance = new LinkedHashMap<>(provenance);
        }

        /**
         * Adds an utterance.
         *
         * @param spec what was synthesised
         * @param samples its length in samples at the front end's rate
         * @param logMel its frames, {@code [frames][mels]}
         * @return the utterance as the corpus holds it
         */
        public Utterance add(UtteranceSpec spec, int samples, float[][] logMel) {
            int mels = frontEnd.mels();
            if (logMel.length == 0) {
                throw new IllegalArgumentException("utterance " + spec.id() + " has no frames");
            }
            long needed = used + (long) logMel.length * mels;
            if (needed > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("too many frames for one corpus");
            }
            if (needed > frames.length) {
                frames = Arrays.copyOf(frames, (int) Math.min(Integer.MAX_VALUE - 8, 2 * needed));
            }
            for (float[] frame : logMel) {
                if (frame.length != mels) {
                    throw new IllegalArgumentException(
                            "utterance "
                                    + spec.id()
                                    + ": a frame has "
                                    + frame.length
                                    + " values, expected "
                                    + mels);
                }
                for (float v : frame) {
                    if (quantization.clips(v)) {
                        clipped++;
                    }
                    frames[used++] = quantization.encode(v);
                }
            }
            Utterance u = new Utterance(utterances.size(), spec, samples, logMel.length);
            utterances.add(u);
            return u;
        }

        /** How many values so far lay outside the quantisation range and were clipped. */
        public long clippedValues() {
            return clipped;
        }

        /** The corpus. */
        public SpokenCaptions build() {
            return new SpokenCaptions(
                    frontEnd,
                    quantization,
                    seed,
                    provenance,
                    utterances,
                    Arrays.copyOf(frames, used));
        }
    }
}
