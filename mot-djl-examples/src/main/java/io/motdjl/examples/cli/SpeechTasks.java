package io.motdjl.examples.cli;

import ai.djl.ndarray.NDManager;

import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.examples.quality.FashionClassifier;
import io.motdjl.examples.quality.FashionImages;
import io.motdjl.examples.report.ImageGrid;
import io.motdjl.examples.speech.BagOfUnits;
import io.motdjl.examples.speech.CorpusPlan;
import io.motdjl.examples.speech.Split;
import io.motdjl.examples.speech.SpokenCaptions;
import io.motdjl.examples.speech.Utterance;
import io.motdjl.examples.zoo.CaptionAccuracy;
import io.motdjl.generate.SamplingSettings;
import io.motdjl.speech.WavFile;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The {@code mot generate} tasks of a Chameleon + speech model: caption → speech (WAV), speech →
 * caption, speech → image (PNG) and recognition accuracy on the bundled corpus's held-out voices or
 * utterances. Speech comes in as a WAV file ({@code --audio}), as units ({@code --units}) or as an
 * utterance of the bundled corpus ({@code --heldout-voice I}, {@code --heldout-utterance I}).
 */
final class SpeechTasks {

    /** The tasks, in help order. */
    static final List<String> TASKS =
            List.of(
                    "caption-to-speech",
                    "speech-to-caption",
                    "speech-to-image",
                    "speech-accuracy",
                    "speech-fidelity");

    /** The tasks whose output is speech or an image: sampled at temperature 1 by default. */
    static final List<String> DRAWING =
            List.of("caption-to-speech", "speech-to-image", "speech-fidelity");

    /** The options of speech input. */
    static final List<String> INPUTS =
            List.of("audio", "units", "heldout-voice", "heldout-utterance");

    static final List<String> HELP =
            List.of(
                    "Speech tasks (a model trained with --setting chameleon-speech):",
                    "  caption-to-speech --caption TEXT --out FILE.wav",
                    "                          speak a caption: speech units, then each unit's"
                            + " log-mel",
                    "                          centroid through Griffin-Lim (rough, robotic audio)",
                    "  speech-to-caption SPEECH [--max-tokens N]",
                    "                          transcribe a spoken caption",
                    "  speech-to-image SPEECH --out FILE.png [--samples N]",
                    "                          draw N images (default 4) for a spoken caption",
                    "  speech-accuracy [--split voices|utterances] [--samples N]",
                    "                          transcribe the bundled corpus's held-out voices"
                            + " (default) or",
                    "                          held-out utterances of the training voices and"
                            + " count the",
                    "                          transcripts that name the spoken class; draw an"
                            + " image for each",
                    "                          and count those the bundled Fashion-MNIST"
                            + " classifier puts in it",
                    "  speech-fidelity [--samples N]",
                    "                          speak \"a photo of a <class>\" N times per class"
                            + " (default 20) and",
                    "                          name the class of each utterance twice: a"
                            + " bag-of-units",
                    "                          classifier of the corpus's training utterances,"
                            + " and the",
                    "                          model's own transcript (greedy)",
                    "  SPEECH is one of: --audio FILE.wav (16-bit mono PCM at 16 kHz; pauses at"
                            + " either",
                    "                          end are cut), --units U,U,... (speech unit ids),",
                    "                          --heldout-voice I or --heldout-utterance I (an"
                            + " utterance of",
                    "                          the bundled corpus; its words are shown)");

    private SpeechTasks() {}

    static void run(
            String task,
            CommandOptions options,
            GenerationModel model,
            SamplingSettings sampling,
            int scale,
            String synopsis,
            PrintStream out)
            throws Exception {
        SpeechModel speech = model.speech();
        switch (task) {
            case "caption-to-speech" -> captionToSpeech(options, speech, sampling, synopsis, out);
            case "speech-to-caption" -> speechToCaption(options, speech, sampling, synopsis, out);
            case "speech-to-image" ->
                    speechToImage(options, model, speech, sampling, scale, synopsis, out);
            case "speech-fidelity" -> fidelity(options, speech, sampling, out);
            default -> accuracy(options, model, speech, sampling, synopsis, out);
        }
    }

    private static void captionToSpeech(
            CommandOptions options,
            SpeechModel speech,
            SamplingSettings sampling,
            String synopsis,
            PrintStream out)
            throws Exception {
        String caption = GenerateCommand.required(options, "caption");
        Path file = options.requiredPath("out", synopsis);
        PathChecks.requireWritable(file, "--out");
        int[] units = speech.speak(List.of(caption), sampling).get(0);
        if (units.length == 0) {
            out.println("the model ended the utterance before any speech unit; nothing written");
            return;
        }
        float[] audio = speech.audio(units);
        WavFile.write(file, audio, speech.sampleRate());
        out.printf(
                Locale.ROOT,
                "\"%s\" -> %d speech units (%.2f s), written to %s%n",
                caption,
                units.length,
                (double) audio.length / speech.sampleRate(),
                file);
    }

    private static void speechToCaption(
            CommandOptions options,
            SpeechModel speech,
            SamplingSettings sampling,
            String synopsis,
            PrintStream out)
            throws Exception {
        SpeechInput input = SpeechInput.read(options, speech, synopsis);
        String caption =
                speech.transcribe(
                                List.of(input.units()),
                                sampling,
                                GenerateCommand.maxTokens(options))
                        .get(0);
        out.println(input.description() + " -> " + caption);
    }

    private static void speechToImage(
            CommandOptions options,
            GenerationModel model,
            SpeechModel speech,
            SamplingSettings sampling,
            int scale,
            String synopsis,
            PrintStream out)
            throws Exception {
        SpeechInput input = SpeechInput.read(options, speech, synopsis);
        Path file = options.requiredPath("out", synopsis);
        PathChecks.requireWritable(file, "--out");
        int n = GenerateCommand.samples(options, 4);
        List<byte[]> images = new ArrayList<>();
        for (int[] codes : speech.imageCodes(Collections.nCopies(n, input.units()), sampling)) {
            images.add(model.imageOf(codes));
        }
        new ImageGrid(model.imageHeight(), model.imageWidth(), scale)
                .addRow("", images)
                .writePng(file);
        out.println(n + " image(s) for " + input.description() + " written to " + file);
    }

    /**
     * Transcribes utterances of the bundled corpus in batches and counts the transcripts that name
     * the spoken class (the longest class name a transcript contains counts), per class and
     * overall, and the transcripts equal to the spoken words; draws one image per utterance and
     * counts those the bundled Fashion-MNIST classifier puts in the spoken class.
     */
    private static void accuracy(
            CommandOptions options,
            GenerationModel model,
            SpeechModel speech,
            SamplingSettings sampling,
            String synopsis,
            PrintStream out)
            throws Exception {
        Split split =
                options.optionalChoice("split", "voices", List.of("voices", "utterances"), synopsis)
                                .equals("voices")
                        ? Split.HELDOUT_VOICE
                        : Split.HELDOUT_UTTERANCE;
        SpokenCaptions corpus = SpokenCaptions.bundled();
        List<Utterance> utterances = corpus.utterances(split);
        int n = GenerateCommand.samples(options, utterances.size(), utterances.size());
        int batch = 50;
        int maxTokens = GenerateCommand.maxTokens(options);
        // images are drawn as caption-to-image draws them: at temperature 1 unless told otherwise
        SamplingSettings imageSampling =
                options.has("temperature")
                        ? sampling
                        : new SamplingSettings(
                                1.0, sampling.topK(), sampling.topP(), sampling.seed());
        // spoken captions say "t-shirt or top", "pair of trousers": count by their phrases
        CaptionAccuracy accuracy = new CaptionAccuracy(CorpusPlan.CLASS_PHRASES);
        int[] imagesRight = new int[FashionMnist.NUM_CLASSES];
        int[] imagesDrawn = new int[FashionMnist.NUM_CLASSES];
        int exact = 0;
        try (NDManager manager = NDManager.newBaseManager();
                FashionClassifier classifier = FashionClassifier.loadBundled(manager)) {
            for (int start = 0; start < n; start += batch) {
                List<int[]> units = new ArrayList<>();
                List<Utterance> chunk = utterances.subList(start, Math.min(n, start + batch));
                for (Utterance u : chunk) {
                    units.add(speech.tokenizer().encodeMel(corpus.frames(u)));
                }
                List<String> transcripts = speech.transcribe(units, sampling, maxTokens);
                // an utterance longer than any the model saw before an image leaves no room for
                // one: it is transcribed but draws none
                List<Integer> drawn = new ArrayList<>();
                List<int[]> drawable = new ArrayList<>();
                for (int i = 0; i < units.size(); i++) {
                    if (speech.roomForImage(units.get(i))) {
                        drawn.add(i);
                        drawable.add(units.get(i));
                    }
                }
                List<float[]> images = new ArrayList<>();
                if (!drawable.isEmpty()) {
                    for (int[] codes : speech.imageCodes(drawable, imageSampling)) {
                        images.add(FashionImages.toFloats(model.imageOf(codes)));
                    }
                }
                int[] classes = images.isEmpty() ? new int[0] : classifier.classify(images);
                for (int i = 0; i < chunk.size(); i++) {
                    int label = chunk.get(i).label();
                    accuracy.add(label, transcripts.get(i));
                    if (transcripts.get(i).equals(chunk.get(i).text())) {
                        exact++;
                    }
                }
                for (int j = 0; j < drawn.size(); j++) {
                    int label = chunk.get(drawn.get(j)).label();
                    imagesDrawn[label]++;
                    if (classes[j] == label) {
                        imagesRight[label]++;
                    }
                }
            }
        }
        TextTable table =
                new TextTable(
                        "spoken class",
                        "utterances",
                        "transcript names the class",
                        "image is the class");
        int allRight = 0;
        int allDrawn = 0;
        for (int c = 0; c < FashionMnist.NUM_CLASSES; c++) {
            int total = accuracy.total(c);
            allRight += imagesRight[c];
            allDrawn += imagesDrawn[c];
            table.addRow(
                    CorpusPlan.CLASS_PHRASES.get(c),
                    Integer.toString(total),
                    total == 0 ? "-" : GenerateCommand.percent(accuracy.right(c), total),
                    imagesDrawn[c] == 0
                            ? "-"
                            : GenerateCommand.percent(imagesRight[c], imagesDrawn[c]));
        }
        table.addRow(
                "all",
                Integer.toString(n),
                GenerateCommand.percent(accuracy.right(), n),
                allDrawn == 0 ? "-" : GenerateCommand.percent(allRight, allDrawn));
        table.print(out);
        out.println(
                "transcripts equal to the spoken words: "
                        + GenerateCommand.percent(exact, n)
                        + " ("
                        + (split == Split.HELDOUT_VOICE
                                ? "voices never trained on"
                                : "a caption template never trained on, training voices")
                        + "); images classified by the bundled Fashion-MNIST classifier"
                        + (allDrawn < n
                                ? ", drawn for "
                                        + allDrawn
                                        + " of the "
                                        + n
                                        + " utterances (the rest leave no room for an image in"
                                        + " the model's max_seq_len)"
                                : ""));
    }

    /**
     * Speaks "a photo of a" and each class's phrase in the corpus {@code --samples} times per
     * class, each utterance from its own sampling stream, and says how often its class can be told
     * from the units: by a bag-of-units nearest-centroid classifier of the corpus's training
     * utterances (independent of the model) and by the model's own greedy transcript.
     */
    private static void fidelity(
            CommandOptions options, SpeechModel speech, SamplingSettings sampling, PrintStream out)
            throws Exception {
        int perClass = GenerateCommand.samples(options, 20, 200);
        SpokenCaptions corpus = SpokenCaptions.bundled();
        List<Utterance> train = corpus.utterances(Split.TRAIN);
        BagOfUnits bags =
                new BagOfUnits(
                        speech.tokenizer(), corpus.frames(train), corpus.labels(Split.TRAIN));
        SamplingSettings greedy = new SamplingSettings(0, 0, 1, sampling.seed());
        CaptionAccuracy heard = new CaptionAccuracy(CorpusPlan.CLASS_PHRASES);
        TextTable table =
                new TextTable(
                        "spoken class",
                        "utterances",
                        "bag of units names the class",
                        "the model hears the class");
        int spoken = 0;
        int bagRight = 0;
        long units = 0;
        for (int c = 0; c < FashionMnist.NUM_CLASSES; c++) {
            String caption = CorpusPlan.text(1, c);
            List<int[]> utterances = new ArrayList<>();
            for (int[] u : speech.speak(Collections.nCopies(perClass, caption), sampling)) {
                // an utterance ended before its first unit says nothing
                if (u.length > 0) {
                    utterances.add(u);
                }
            }
            int right = 0;
            for (int[] u : utterances) {
                right += bags.predictUnits(u) == c ? 1 : 0;
                units += u.length;
            }
            int heardBefore = heard.right();
            if (!utterances.isEmpty()) {
                for (String t : speech.transcribe(utterances, greedy, 48)) {
                    heard.add(c, t);
                }
            }
            spoken += utterances.size();
            bagRight += right;
            table.addRow(
                    CorpusPlan.CLASS_PHRASES.get(c),
                    utterances.size() + " of " + perClass,
                    utterances.isEmpty() ? "-" : GenerateCommand.percent(right, utterances.size()),
                    utterances.isEmpty()
                            ? "-"
                            : GenerateCommand.percent(
                                    heard.right() - heardBefore, utterances.size()));
        }
        int asked = perClass * FashionMnist.NUM_CLASSES;
        table.addRow(
                "all",
                spoken + " of " + asked,
                spoken == 0 ? "-" : GenerateCommand.percent(bagRight, spoken),
                spoken == 0 ? "-" : GenerateCommand.percent(heard.right(), spoken));
        table.print(out);
        double perSecond = speech.tokenizer().unitsPerSecond();
        double corpusSeconds =
                train.stream().mapToInt(Utterance::frames).average().orElse(0) / perSecond;
        out.println(
                String.format(
                        java.util.Locale.ROOT,
                        "mean length %.2f s (the corpus's training utterances: %.2f s); the"
                                + " bag-of-units classifier names %.1f %% of the corpus's own"
                                + " held-out-voice utterances",
                        spoken == 0 ? 0.0 : units / perSecond / spoken,
                        corpusSeconds,
                        100 * bagsOnHeldOutVoices(bags, corpus)));
    }

    /** The classifier's accuracy on the corpus's held-out voices: what "right" is worth. */
    private static double bagsOnHeldOutVoices(BagOfUnits bags, SpokenCaptions corpus) {
        return bags.accuracy(
                corpus.frames(corpus.utterances(Split.HELDOUT_VOICE)),
                corpus.labels(Split.HELDOUT_VOICE));
    }

    /** Speech given on the command line, as units, and how to name it in the output. */
    record SpeechInput(int[] units, String description) {

        static SpeechInput read(CommandOptions options, SpeechModel speech, String synopsis)
                throws Exception {
            List<String> given = INPUTS.stream().filter(options::has).toList();
            if (given.size() != 1) {
                throw new UsageException(
                        "give exactly one of --audio FILE.wav, --units U,U,..., --heldout-voice I"
                                + " or --heldout-utterance I"
                                + (given.isEmpty()
                                        ? ""
                                        : " (got --" + String.join(", --", given) + ")"));
            }
            switch (given.get(0)) {
                case "audio" -> {
                    Path file = options.requiredPath("audio", synopsis);
                    return new SpeechInput(speech.unitsOf(file), file.toString());
                }
                case "units" -> {
                    int[] units = parseUnits(options.optionalString("units", ""));
                    return new SpeechInput(
                            speech.checkUnits(units, "--units"), units.length + " speech units");
                }
                default -> {
                    boolean voices = given.get(0).equals("heldout-voice");
                    SpokenCaptions corpus = SpokenCaptions.bundled();
                    List<Utterance> utterances =
                            corpus.utterances(
                                    voices ? Split.HELDOUT_VOICE : Split.HELDOUT_UTTERANCE);
                    int index = options.optionalInt(given.get(0), 0, synopsis);
                    if (index < 0 || index >= utterances.size()) {
                        throw new UsageException(
                                "--"
                                        + given.get(0)
                                        + " must be in [0, "
                                        + utterances.size()
                                        + "), got "
                                        + index);
                    }
                    Utterance u = utterances.get(index);
                    return new SpeechInput(
                            speech.tokenizer().encodeMel(corpus.frames(u)),
                            String.format(
                                    Locale.ROOT,
                                    "held-out %s %d (voice %s: \"%s\")",
                                    voices ? "voice utterance" : "utterance",
                                    index,
                                    u.voice(),
                                    u.text()));
                }
            }
        }

        /** Comma-separated unit ids. */
        static int[] parseUnits(String text) {
            String[] parts = text.split(",", -1);
            int[] units = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    units[i] = Integer.parseInt(parts[i].strip());
                } catch (NumberFormatException e) {
                    throw new UsageException(
                            "--units takes comma-separated speech unit ids, e.g. 12,40,7; item "
                                    + i
                                    + " is '"
                                    + parts[i]
                                    + "'");
                }
            }
            return units;
        }
    }
}
