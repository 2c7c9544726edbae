package io.motdjl.examples.cli;

import static io.motdjl.examples.cli.InProcessCli.run;
import static io.motdjl.examples.cli.InProcessCli.trainTiny;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;

import io.motdjl.config.MoTConfig;
import io.motdjl.examples.cli.InProcessCli.Run;
import io.motdjl.examples.quality.FashionClassifier;
import io.motdjl.examples.quality.FashionImages;
import io.motdjl.examples.speech.CorpusPlan;
import io.motdjl.examples.speech.Split;
import io.motdjl.examples.speech.SpokenCaptions;
import io.motdjl.examples.speech.Utterance;
import io.motdjl.examples.zoo.CaptionAccuracy;
import io.motdjl.examples.zoo.TrainSpeechCheckpoint;
import io.motdjl.speech.GriffinLim;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.speech.WavFile;
import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.zoo.MoTCheckpoint;
import io.motdjl.zoo.ModelCard;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import javax.imageio.ImageIO;

/**
 * {@code mot train --setting chameleon-speech} and the speech tasks of {@code mot generate} on a
 * tiny checkpoint trained here, in-process through the command line's entry point: what each task
 * writes, that every way of giving speech reaches the same units, and the refusals of bad audio.
 */
class SpeechGenerateCommandTest {

    private static final int UNITS = 16;

    @TempDir static Path tmp;
    private static Path checkpoint;
    private static SpeechUnitTokenizer tokenizer;

    @BeforeAll
    static void trainATinyCheckpoint() throws Exception {
        checkpoint = tmp.resolve("ckpt");
        Run r =
                trainTiny(
                        checkpoint,
                        16,
                        "--setting",
                        "chameleon-speech",
                        "--tokenizer-iterations",
                        "2",
                        "--speech-units",
                        Integer.toString(UNITS));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("held-out loss speech"), r.out());
        assertTrue(r.out().contains("caption-to-speech"), r.out());
        MoTConfig config = MoTCheckpoint.readConfig(checkpoint);
        assertEquals(3, config.nModalities());
        tokenizer = MoTCheckpoint.readSpeechTokenizer(checkpoint);
        assertEquals(UNITS, tokenizer.unitCount());
        JointVocabulary vocabulary = JointVocabulary.of(config);
        assertEquals(UNITS, vocabulary.speechUnits());
        assertEquals(
                MoTCheckpoint.readTokenizer(checkpoint).codebookSize(), vocabulary.imageCodes());
        ModelCard card =
                ModelCard.fromJson(Files.readString(checkpoint.resolve("model-card.json")));
        assertTrue(card.heldOutLoss().get("speech") > 0);
        assertTrue(card.heldOutLoss().get(TrainSpeechCheckpoint.HELD_OUT_VOICES) > 0);
        try (NDManager manager = NDManager.newBaseManager()) {
            // checksums cover both tokenizers; loading checks them against the config
            MoTCheckpoint.load(checkpoint, manager, null, MoTCheckpoint.Verification.REQUIRED);
        }
    }

    private static Run generate(String... args) {
        List<String> all =
                new ArrayList<>(List.of("generate", "--checkpoint", checkpoint.toString()));
        all.addAll(Arrays.asList(args));
        return run(all.toArray(String[]::new));
    }

    @Test
    void captionToSpeechWritesTheUnitsAsA16KhzWavTheSameForTheSameSeed() throws Exception {
        Path wav = tmp.resolve("sneaker.wav");
        String[] args = {
            "caption-to-speech", "--caption", "a photo of a sneaker", "--out", wav.toString()
        };
        Run r = generate(args);
        assertEquals(0, r.status(), r.err());
        // "... -> N speech units (x s), written to ..."
        String said = r.out().split("-> ")[1];
        int units = Integer.parseInt(said.substring(0, said.indexOf(' ')));
        assertTrue(units >= 1 && units <= SpeechModel.MAX_UNITS, r.out());
        float[] audio = WavFile.read(wav, 16_000);
        GriffinLim griffinLim = new GriffinLim(tokenizer.frontEnd(), GriffinLim.Options.defaults());
        assertEquals(griffinLim.length(units), audio.length);
        byte[] first = Files.readAllBytes(wav);
        assertEquals(0, generate(args).status());
        assertArrayEquals(first, Files.readAllBytes(wav), "same seed, same speech");
    }

    @Test
    void audioUnitsAndCorpusUtterancesReachTheSameTranscription() throws Exception {
        // a held-out voice's utterance rendered to a WAV file: the file's units, after the pause
        // trimming the CLI applies, must transcribe as the same units given by hand
        SpokenCaptions corpus = SpokenCaptions.bundled();
        Utterance u = corpus.utterances(Split.HELDOUT_VOICE).get(7);
        float[] audio =
                new GriffinLim(tokenizer.frontEnd(), GriffinLim.Options.defaults())
                        .synthesize(corpus.frames(u));
        Path wav = tmp.resolve("voice.wav");
        WavFile.write(wav, audio, 16_000);
        int[] units = tokenizer.encodeUtterance(WavFile.read(wav, 16_000));
        String list =
                Arrays.stream(units).mapToObj(Integer::toString).collect(Collectors.joining(","));

        Run fromAudio =
                generate("speech-to-caption", "--audio", wav.toString(), "--max-tokens", "8");
        assertEquals(0, fromAudio.status(), fromAudio.err());
        Run fromUnits = generate("speech-to-caption", "--units", list, "--max-tokens", "8");
        assertEquals(0, fromUnits.status(), fromUnits.err());
        assertEquals(transcript(fromAudio), transcript(fromUnits));
        assertTrue(fromUnits.out().startsWith(units.length + " speech units -> "), fromUnits.out());

        Run fromCorpus = generate("speech-to-caption", "--heldout-voice", "7", "--max-tokens", "8");
        assertEquals(0, fromCorpus.status(), fromCorpus.err());
        assertTrue(
                fromCorpus.out().startsWith("held-out voice utterance 7 (voice " + u.voice()),
                fromCorpus.out());
        assertTrue(fromCorpus.out().contains("\"" + u.text() + "\""), fromCorpus.out());
        String corpusUnits =
                Arrays.stream(tokenizer.encodeMel(corpus.frames(u)))
                        .mapToObj(Integer::toString)
                        .collect(Collectors.joining(","));
        assertEquals(
                transcript(fromCorpus),
                transcript(
                        generate(
                                "speech-to-caption", "--units", corpusUnits, "--max-tokens", "8")));
    }

    private static String transcript(Run r) {
        String out = r.out().strip();
        return out.substring(out.indexOf(" -> ") + 4);
    }

    @Test
    void speechToImageDrawsTheAskedImages() throws Exception {
        Path png = tmp.resolve("heard.png");
        Run r =
                generate(
                        "speech-to-image",
                        "--heldout-utterance",
                        "3",
                        "--out",
                        png.toString(),
                        "--samples",
                        "3",
                        "--scale",
                        "1");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("3 image(s) for held-out utterance 3"), r.out());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(4 + 3 * (28 + 4), image.getWidth());
    }

    @Test
    void speechAccuracyCountsTranscriptsAndImagesOfTheSpokenClass() throws Exception {
        int n = 6;
        Run r = generate("speech-accuracy", "--samples", Integer.toString(n), "--max-tokens", "8");
        assertEquals(0, r.status(), r.err());
        // the same (greedy) transcripts, one utterance at a time, counted here
        List<Utterance> voices = SpokenCaptions.bundled().utterances(Split.HELDOUT_VOICE);
        CaptionAccuracy expected = new CaptionAccuracy(CorpusPlan.CLASS_PHRASES);
        for (int i = 0; i < n; i++) {
            Run one =
                    generate(
                            "speech-to-caption",
                            "--heldout-voice",
                            Integer.toString(i),
                            "--max-tokens",
                            "8");
            expected.add(voices.get(i).label(), transcript(one));
        }
        assertEquals(
                List.of("all", Integer.toString(n), GenerateCommand.percent(expected.right(), n)),
                allRow(r).subList(0, 3));
        assertTrue(r.out().contains("voices never trained on"), r.out());

        // images are sampled with a stream per batch row: one utterance is row 0 either way
        Path png = tmp.resolve("voice-0.png");
        Run drawn =
                generate(
                        "speech-to-image",
                        "--heldout-voice",
                        "0",
                        "--samples",
                        "1",
                        "--scale",
                        "1",
                        "--out",
                        png.toString());
        assertEquals(0, drawn.status(), drawn.err());
        int imageClass;
        try (NDManager manager = NDManager.newBaseManager();
                FashionClassifier classifier = FashionClassifier.loadBundled(manager)) {
            imageClass = classifier.classify(List.of(FashionImages.toFloats(cell(png))))[0];
        }
        Run single = generate("speech-accuracy", "--samples", "1", "--max-tokens", "8");
        assertEquals(0, single.status(), single.err());
        assertEquals(
                imageClass == voices.get(0).label() ? "100.0 %" : "0.0 %", allRow(single).get(3));

        Run utterances = generate("speech-accuracy", "--split", "utterances", "--samples", "2");
        assertEquals(0, utterances.status(), utterances.err());
        assertTrue(
                utterances.out().contains("a caption template never trained on"), utterances.out());
    }

    @Test
    void speechFidelityNamesTheClassOfEveryGeneratedUtteranceTwice() throws Exception {
        // greedy: the three utterances of a class are the same, so each class is all or nothing
        Run r = generate("speech-fidelity", "--samples", "3", "--temperature", "0");
        assertEquals(0, r.status(), r.err());
        List<String> rows =
                Arrays.stream(r.out().split("\n"))
                        .filter(line -> line.matches("^[a-z].*\\d+ of 3 .*"))
                        .toList();
        assertEquals(10, rows.size(), r.out());
        int spoken = 0;
        for (String row : rows) {
            List<String> columns = Arrays.asList(row.trim().split("\\s{2,}"));
            int said = Integer.parseInt(columns.get(1).split(" ")[0]);
            assertTrue(said == 0 || said == 3, row);
            spoken += said;
            if (said > 0) {
                assertTrue(List.of("0.0 %", "100.0 %").contains(columns.get(2)), row);
                assertTrue(List.of("0.0 %", "100.0 %").contains(columns.get(3)), row);
            }
        }
        assertEquals(List.of("all", spoken + " of 30"), allRow(r).subList(0, 2));
        assertTrue(r.out().contains("the corpus's training utterances: 1."), r.out());
    }

    /** The columns of the table's "all" row. */
    private static List<String> allRow(Run r) {
        String all =
                Arrays.stream(r.out().split("\n"))
                        .filter(line -> line.startsWith("all "))
                        .findFirst()
                        .orElseThrow();
        return Arrays.asList(all.trim().split("\\s{2,}"));
    }

    /** The one 28x28 image of a grid written at scale 1 (a 4-pixel border around it). */
    private static byte[] cell(Path png) throws Exception {
        BufferedImage grid = ImageIO.read(png.toFile());
        byte[] pixels = new byte[28 * 28];
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                pixels[y * 28 + x] = (byte) grid.getRaster().getSample(4 + x, 4 + y, 0);
            }
        }
        return pixels;
    }

    @Test
    void theImageTasksStillWorkOnASpeechModel() throws Exception {
        Path png = tmp.resolve("shirt.png");
        Run r =
                generate(
                        "caption-to-image",
                        "--caption",
                        "a shirt",
                        "--out",
                        png.toString(),
                        "--samples",
                        "1");
        assertEquals(0, r.status(), r.err());
        Run caption = generate("image-to-caption", "--heldout", "0", "--max-tokens", "4");
        assertEquals(0, caption.status(), caption.err());
    }

    @Test
    void badAudioIsRefusedSayingWhatWasExpected() throws Exception {
        float[] tone = new float[8000];
        for (int i = 0; i < tone.length; i++) {
            tone[i] = (float) (0.3 * Math.sin(2 * Math.PI * 440 * i / 16_000.0));
        }
        Path lowRate = tmp.resolve("8k.wav");
        WavFile.write(lowRate, tone, 8_000);
        assertFails(1, "sample rate 8000 Hz; expected 16000 Hz", "--audio", lowRate.toString());

        Path silent = tmp.resolve("silent.wav");
        WavFile.write(silent, new float[16_000], 16_000);
        assertFails(1, "silent", "--audio", silent.toString());

        Path quiet = tmp.resolve("quiet.wav");
        float[] faint = new float[16_000];
        Arrays.fill(faint, 1f / 32768);
        WavFile.write(quiet, faint, 16_000);
        assertFails(1, "expected a recording of speech", "--audio", quiet.toString());

        // the same tone as 32-bit float samples (format 3): not PCM
        Path floats = tmp.resolve("float.wav");
        byte[] pcm = WavFile.toBytes(tone, 16_000);
        ByteBuffer header = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN);
        header.putShort(20, (short) 3);
        Files.write(floats, pcm);
        assertFails(1, "format 3", "--audio", floats.toString());

        Path text = tmp.resolve("notes.wav");
        Files.writeString(text, "not audio at all");
        assertFails(1, text.toString(), "--audio", text.toString());
        assertFails(1, "no such file", "--audio", tmp.resolve("missing.wav").toString());

        assertFails(2, "unit 16 at position 1 is outside", "--units", "3,16");
        assertFails(2, "unit -1 at position 0", "--units", "-1");
        assertFails(2, "item 1 is 'x'", "--units", "3,x");
        assertFails(2, "exactly one of --audio", "--units", "1", "--heldout-voice", "2");
        assertFails(2, "exactly one of --audio");
        assertFails(2, "--heldout-voice must be in [0, 540)", "--heldout-voice", "540");
    }

    private static void assertFails(int status, String message, String... input) {
        List<String> args = new ArrayList<>(List.of("speech-to-caption"));
        args.addAll(Arrays.asList(input));
        Run r = generate(args.toArray(String[]::new));
        assertEquals(status, r.status(), r.out() + r.err());
        assertTrue(r.err().contains(message), r.err());
    }

    @Test
    void speechOptionsAndTasksNeedASpeechModel() throws Exception {
        Run images = generate("continue", "--text", "a", "--units", "1,2");
        assertEquals(2, images.status());
        assertTrue(images.err().contains("--units sets the speech of speech tasks"), images.err());

        Run zoo =
                run(
                        "generate",
                        "--model",
                        "chameleon-fmnist",
                        "speech-to-caption",
                        "--units",
                        "1,2");
        assertEquals(2, zoo.status(), zoo.out());
        assertTrue(zoo.err().contains("has no speech modality"), zoo.err());
        assertTrue(zoo.err().contains("--setting chameleon-speech"), zoo.err());

        // a speech model whose speech tokenizer was removed
        Path bare = tmp.resolve("bare");
        Files.createDirectories(bare);
        for (String file : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
            Files.copy(checkpoint.resolve(file), bare.resolve(file));
        }
        Run noTokenizer =
                run(
                        "generate",
                        "--checkpoint",
                        bare.toString(),
                        "speech-to-caption",
                        "--units",
                        "1");
        assertEquals(1, noTokenizer.status(), noTokenizer.out());
        assertTrue(noTokenizer.err().contains("no speech-tokenizer.json"), noTokenizer.err());

        Run option = run("train", "--out", tmp.resolve("never").toString(), "--speech-units", "8");
        assertEquals(2, option.status());
        assertTrue(option.err().contains("--speech-units sets the speech tokenizer"), option.err());
        Run range =
                run(
                        "train",
                        "--out",
                        tmp.resolve("never").toString(),
                        "--setting",
                        "chameleon-speech",
                        "--speech-units",
                        "0");
        assertEquals(2, range.status());
        assertTrue(range.err().contains("--speech-units must be in [1, 65536]"), range.err());
    }
}
