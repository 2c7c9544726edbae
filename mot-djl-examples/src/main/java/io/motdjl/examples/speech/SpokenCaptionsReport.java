package io.motdjl.examples.speech;

import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.speech.QuantizationReport;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.speech.SpeechUnitTrainer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a spoken-caption corpus holds, and how well speech units learned on its training split
 * describe it.
 *
 * <p>{@link #describe} counts utterances, voices, durations and frames per split. {@link
 * #measureUnits} trains a {@link SpeechUnitTokenizer} on the training split's frames and measures
 * its quantisation error on each split, and how well the units tell the ten classes apart: each
 * utterance becomes its bag of units (the share of its frames each unit takes), each class the mean
 * bag of its training utterances, and an utterance is assigned the class whose mean bag is nearest
 * (Euclidean). Chance is 10 %.
 *
 * <p>{@code java ... io.motdjl.examples.speech.SpokenCaptionsReport [CORPUS_FILE] [--units K]
 * [--seed S]} (default: the bundled corpus, 256 units, seed 0) prints both.
 */
public final class SpokenCaptionsReport {

    private SpokenCaptionsReport() {}

    /**
     * Speech units measured on a corpus.
     *
     * @param units K
     * @param train quantisation error on the training split
     * @param heldOutUtterance on the held-out template, training voices
     * @param heldOutVoice on the held-out voices
     * @param trainAccuracy nearest-class-bag accuracy on the training split itself
     * @param heldOutUtteranceAccuracy the same on the held-out template
     * @param heldOutVoiceAccuracy the same on the held-out voices
     * @param seconds wall-clock time of training and measuring
     */
    public record UnitFigures(
            int units,
            QuantizationReport train,
            QuantizationReport heldOutUtterance,
            QuantizationReport heldOutVoice,
            double trainAccuracy,
            double heldOutUtteranceAccuracy,
            double heldOutVoiceAccuracy,
            double seconds) {}

    /** A table of utterances, voices, mean duration and frames per split, and the totals. */
    public static String describe(SpokenCaptions corpus) {
        StringBuilder sb = new StringBuilder();
        var q = corpus.quantization();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%,d utterances, %,d frames of %d log-mels at %.0f Hz; 8-bit levels over"
                                + " [%.4f, %.4f], step %.4f, error at most %.4f%n",
                        corpus.size(),
                        corpus.totalFrames(),
                        corpus.frontEnd().mels(),
                        corpus.frontEnd().framesPerSecond(),
                        q.min(),
                        q.max(),
                        q.step(),
                        q.maxError()));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%-18s %10s %7s %10s %8s %8s%n",
                        "split",
                        "utterances",
                        "voices",
                        "templates",
                        "mean s",
                        "frames"));
        for (Split split : Split.values()) {
            row(sb, split.id(), corpus, corpus.utterances(split));
        }
        row(sb, "all", corpus, corpus.utterances());
        int[] perClass = new int[FashionMnist.NUM_CLASSES];
        for (Utterance u : corpus.utterances()) {
            perClass[u.label()]++;
        }
        sb.append("utterances per class:");
        for (int c : perClass) {
            sb.append(' ').append(c);
        }
        return sb.append('\n').toString();
    }

    private static void row(
            StringBuilder sb, String name, SpokenCaptions corpus, List<Utterance> utterances) {
        Set<String> voices = new TreeSet<>();
        Set<Integer> templates = new TreeSet<>();
        double seconds = 0;
        long frames = 0;
        for (Utterance u : utterances) {
            voices.add(u.engine() + "/" + u.voice());
            templates.add(u.spec().template());
            seconds += corpus.seconds(u);
            frames += u.frames();
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%-18s %10d %7d %10d %8.3f %8d%n",
                        name,
                        utterances.size(),
                        voices.size(),
                        templates.size(),
                        utterances.isEmpty() ? 0 : seconds / utterances.size(),
                        frames));
    }

    /**
     * Trains {@code units} speech units (k-means++, {@code seed}, the trainer's default iterations)
     * on the training split's frames and measures them on every split.
     */
    public static UnitFigures measureUnits(SpokenCaptions corpus, int units, long seed) {
        long start = System.nanoTime();
        List<float[][]> train = corpus.frames(corpus.utterances(Split.TRAIN));
        List<float[][]> heldOutUtterance =
                corpus.frames(corpus.utterances(Split.HELDOUT_UTTERANCE));
        List<float[][]> heldOutVoice = corpus.frames(corpus.utterances(Split.HELDOUT_VOICE));
        SpeechUnitTrainer.Result trained =
                SpeechUnitTrainer.trainMel(
                        train,
                        SpeechUnitTrainer.Options.defaults()
                                .withFrontEnd(corpus.frontEnd())
                                .withUnits(units)
                                .withSeed(seed));
        SpeechUnitTokenizer tokenizer = trained.tokenizer();
        BagOfUnits bags = new BagOfUnits(tokenizer, train, corpus.labels(Split.TRAIN));
        return new UnitFigures(
                units,
                trained.report(),
                QuantizationReport.measureMel(tokenizer, heldOutUtterance),
                QuantizationReport.measureMel(tokenizer, heldOutVoice),
                bags.accuracy(train, corpus.labels(Split.TRAIN)),
                bags.accuracy(heldOutUtterance, corpus.labels(Split.HELDOUT_UTTERANCE)),
                bags.accuracy(heldOutVoice, corpus.labels(Split.HELDOUT_VOICE)),
                (System.nanoTime() - start) / 1e9);
    }

    /** The figures as a few lines of text. */
    public static String format(UnitFigures f) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%d speech units trained on the train split in %.1f s%n",
                        f.units(),
                        f.seconds()));
        quantization(sb, "train", f.train(), f.trainAccuracy());
        quantization(sb, "heldout-utterance", f.heldOutUtterance(), f.heldOutUtteranceAccuracy());
        quantization(sb, "heldout-voice", f.heldOutVoice(), f.heldOutVoiceAccuracy());
        return sb.toString();
    }

    private static void quantization(
            StringBuilder sb, String split, QuantizationReport r, double accuracy) {
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%-18s MSE %.3f (%.1f %% of variance %.2f), %d units used, perplexity %.1f;"
                                + " class from bag of units %.1f %% (chance 10 %%)%n",
                        split,
                        r.meanSquaredError(),
                        100 * r.relativeError(),
                        r.frameVariance(),
                        r.unitsUsed(),
                        r.perplexity(),
                        100 * accuracy));
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    /** The size in bytes of the bundled corpus resource. */
    public static long bundledBytes() throws IOException {
        try (InputStream in =
                SpokenCaptions.class
                        .getClassLoader()
                        .getResourceAsStream(SpokenCaptions.BUNDLED_RESOURCE)) {
            if (in == null) {
                throw new NoSuchFileException("classpath:" + SpokenCaptions.BUNDLED_RESOURCE);
            }
            return in.transferTo(OutputStream.nullOutputStream());
        }
    }

    /**
     * Prints the description and the unit figures.
     *
     * @param args optionally a corpus file (default the bundled one), {@code --units K}, {@code
     *     --seed S}
     */
    public static void main(String[] args) throws IOException {
        Path file = null;
        int units = SpeechUnitTrainer.Options.DEFAULT_UNITS;
        long seed = 0;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--units" -> units = Integer.parseInt(value(args, ++i));
                    case "--seed" -> seed = Long.parseLong(value(args, ++i));
                    default -> {
                        if (args[i].startsWith("-") || file != null) {
                            throw new IllegalArgumentException("unexpected argument " + args[i]);
                        }
                        file = Path.of(args[i]);
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(
                    "SpokenCaptionsReport: "
                            + e.getMessage()
                            + "\nusage: SpokenCaptionsReport [CORPUS_FILE] [--units K] [--seed S]");
            System.exit(2);
            return;
        }
        long start = System.nanoTime();
        SpokenCaptions corpus = file == null ? SpokenCaptions.bundled() : SpokenCaptions.read(file);
        long bytes = file == null ? bundledBytes() : Files.size(file);
        double readSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "%s: %,d bytes, read in %.2f s%n",
                file == null ? "classpath:" + SpokenCaptions.BUNDLED_RESOURCE : file,
                bytes,
                readSeconds);
        System.out.print(describe(corpus));
        System.out.print(format(measureUnits(corpus, units, seed)));
    }
}
