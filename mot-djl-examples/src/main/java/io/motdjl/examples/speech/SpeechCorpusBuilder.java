package io.motdjl.examples.speech;

import io.motdjl.examples.TemporaryDirectory;
import io.motdjl.speech.LogMelSpectrogram;
import io.motdjl.speech.SilenceTrimmer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Makes the spoken-caption corpus: synthesises every utterance of {@link CorpusPlan} with flite or
 * espeak-ng ({@link SpeechSynthesizer}), turns each WAV into 8-bit log-mel frames ({@link
 * UtteranceFeatures}, {@link LogMelQuantization#CORPUS}) and writes one {@link SpokenCaptions}
 * file. The same seed and the same Debian package versions give a byte-identical file.
 *
 * <p>{@code bin/speech-corpus [--out FILE] [--wav-dir DIR] [--seed S]}: the WAV files go to a
 * temporary directory, deleted afterwards, or to {@code DIR} (a new or empty directory), where they
 * stay as the engines wrote them (espeak-ng's at 22,050 Hz). About two minutes on one core for the
 * 2,940 utterances.
 */
public final class SpeechCorpusBuilder {

    private static final Logger logger = LoggerFactory.getLogger(SpeechCorpusBuilder.class);

    private static final int LOG_EVERY = 500;

    private static final String USAGE =
            "usage: speech-corpus --out FILE [--wav-dir DIR] [--seed S (default "
                    + CorpusPlan.DEFAULT_SEED
                    + ")]";

    private SpeechCorpusBuilder() {}

    /**
     * A built corpus.
     *
     * @param corpus the utterances and their frames
     * @param clippedValues log-mel values outside the quantisation range (clipped)
     * @param seconds wall-clock time
     */
    public record Result(SpokenCaptions corpus, long clippedValues, double seconds) {}

    /**
     * Synthesises and processes {@code plan}, in its order.
     *
     * @param plan the utterances, e.g. {@link CorpusPlan#utterances(long)} or a subset of it
     * @param seed the seed the plan was drawn with (recorded in the file)
     * @param synthesizer runs the programs
     * @param wavDir where to keep the WAV files, a new or empty directory; null to use a temporary
     *     directory and delete it
     * @return the corpus
     * @throws IOException if a program fails or a WAV file is not what its engine should write
     */
    public static Result build(
            List<UtteranceSpec> plan, long seed, SpeechSynthesizer synthesizer, Path wavDir)
            throws IOException {
        if (plan.isEmpty()) {
            throw new IllegalArgumentException("no utterances to synthesise");
        }
        if (wavDir != null) {
            return build(plan, seed, synthesizer, prepare(wavDir), true);
        }
        try (TemporaryDirectory tmp = TemporaryDirectory.create("mot-speech-corpus")) {
            return build(plan, seed, synthesizer, tmp.path(), false);
        }
    }

    private static Result build(
            List<UtteranceSpec> plan,
            long seed,
            SpeechSynthesizer synthesizer,
            Path dir,
            boolean keepWavs)
            throws IOException {
        long start = System.nanoTime();
        LogMelSpectrogram.Options frontEnd = LogMelSpectrogram.Options.defaults();
        UtteranceFeatures features = new UtteranceFeatures(frontEnd);
        SpokenCaptions.Builder corpus =
                new SpokenCaptions.Builder(
                        frontEnd, LogMelQuantization.CORPUS, seed, provenance(synthesizer, seed));
        for (int i = 0; i < plan.size(); i++) {
            UtteranceSpec spec = plan.get(i);
            Path wav = dir.resolve(spec.id() + ".wav");
            synthesizer.synthesize(spec, wav);
            UtteranceFeatures.Features f;
            try {
                f = features.compute(wav, spec.engine());
            } catch (IllegalArgumentException e) {
                throw new IOException("utterance " + spec.id() + ": " + e.getMessage(), e);
            }
            corpus.add(spec, f.samples(), f.logMel());
            if (!keepWavs) {
                Files.delete(wav);
            }
            if ((i + 1) % LOG_EVERY == 0) {
                logger.info(
                        "Synthesised {} of {} utterances ({} s)",
                        i + 1,
                        plan.size(),
                        String.format(Locale.ROOT, "%.0f", (System.nanoTime() - start) / 1e9));
            }
        }
        if (corpus.clippedValues() > 0) {
            logger.warn(
                    "{} log-mel values lay above the quantisation range's top, {}, and were clipped",
                    corpus.clippedValues(),
                    LogMelQuantization.CORPUS.max());
        }
        return new Result(
                corpus.build(), corpus.clippedValues(), (System.nanoTime() - start) / 1e9);
    }

    /** How the file was made, recorded in its header. */
    private static Map<String, String> provenance(SpeechSynthesizer synthesizer, long seed)
            throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(
                "generator",
                SpeechCorpusBuilder.class.getName() + " (bin/speech-corpus --seed " + seed + ")");
        for (Engine engine : Engine.values()) {
            p.put(engine.program(), synthesizer.version(engine));
        }
        SpeechSynthesizer.debianPackages().ifPresent(v -> p.put("debian_packages", v));
        p.put(
                "resampler",
                "windowed sinc, Hann, "
                        + SincResampler.HALF_WIDTH
                        + " taps each side, cut-off "
                        + SincResampler.CUTOFF
                        + " x the lower Nyquist frequency; espeak-ng 22050 Hz to 16000 Hz");
        p.put(
                "trim",
                "blocks of "
                        + SilenceTrimmer.BLOCK_MS
                        + " ms, speech within "
                        + -SilenceTrimmer.THRESHOLD_DB
                        + " dB of the loudest block, "
                        + SilenceTrimmer.MARGIN_MS
                        + " ms margins");
        return p;
    }

    /** Creates {@code dir} if needed; refuses anything but a new or empty directory. */
    private static Path prepare(Path dir) throws IOException {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new FileSystemException(dir.toString(), null, "is not a directory");
            }
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new FileSystemException(
                            dir.toString(),
                            null,
                            "is not empty; --wav-dir needs a new or empty directory");
                }
            }
        } else {
            Files.createDirectories(dir);
        }
        return dir;
    }

    /**
     * Builds the whole corpus and writes it, then prints what it holds.
     *
     * @param args {@code --out FILE [--wav-dir DIR] [--seed S]}
     */
    public static void main(String[] args) {
        Path out = null;
        Path wavDir = null;
        long seed = CorpusPlan.DEFAULT_SEED;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--out" -> out = Path.of(value(args, ++i));
                    case "--wav-dir" -> wavDir = Path.of(value(args, ++i));
                    case "--seed" -> seed = Long.parseLong(value(args, ++i));
                    case "-h", "--help" -> {
                        System.out.println(USAGE);
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            if (out == null) {
                throw new IllegalArgumentException("--out FILE is required");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("speech-corpus: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        try {
            Result result =
                    build(CorpusPlan.utterances(seed), seed, SpeechSynthesizer.onPath(), wavDir);
            result.corpus().write(out);
            String sha = sha256(out);
            SpokenCaptions check = SpokenCaptions.read(out); // what was written reads back
            System.out.print(SpokenCaptionsReport.describe(check));
            System.out.printf(
                    Locale.ROOT,
                    "built in %.1f s; %d values clipped; %s: %,d bytes, SHA-256 %s%n",
                    result.seconds(),
                    result.clippedValues(),
                    out,
                    Files.size(out),
                    sha);
        } catch (IOException e) {
            System.err.println("speech-corpus: error: " + e.getMessage());
            System.exit(1);
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    /** The SHA-256 of a file, in hex. */
    static String sha256(Path file) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
