package io.motdjl.speech;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.tokenize.TokenizerFormatException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The unit tokenizer on {@link SyntheticSpeech}; real speech is in {@link SpokenCaptionsTest}. */
class SpeechUnitTokenizerTest {

    private static final SpeechUnitTrainer.Options OPTIONS =
            SpeechUnitTrainer.Options.defaults().withUnits(32).withIterations(20).withSeed(3);

    private static List<float[]> train;
    private static List<float[]> heldOut;
    private static SpeechUnitTrainer.Result standard;

    @TempDir Path dir;

    @BeforeAll
    static void trainOnce() {
        train = SyntheticSpeech.utterances(12, 1.5, 1);
        heldOut = SyntheticSpeech.utterances(4, 1.5, 2);
        standard = SpeechUnitTrainer.train(train, OPTIONS);
    }

    @Test
    void oneUnitPerFortyMilliseconds() {
        SpeechUnitTokenizer tokenizer = standard.tokenizer();
        assertEquals(32, tokenizer.unitCount());
        assertEquals(25.0, tokenizer.unitsPerSecond());
        float[] audio = heldOut.get(0);
        int[] units = tokenizer.encode(audio);
        assertEquals(audio.length / 640 + 1, units.length);
        for (int u : units) {
            assertTrue(u >= 0 && u < 32, "unit " + u);
        }
        float[][] mel = tokenizer.decodeMel(units);
        assertEquals(units.length, mel.length);
        assertArrayEquals(tokenizer.centroid(units[3]), mel[3]);
        // a centroid's nearest unit is itself
        assertArrayEquals(units, tokenizer.encodeMel(mel));
    }

    @Test
    void anUtterancesPausesAreCutBeforeItsUnits() {
        SpeechUnitTokenizer tokenizer = standard.tokenizer();
        float[] speech = heldOut.get(1);
        // half a second of silence on either side, as a recording would have
        float[] padded = new float[speech.length + 16_000];
        System.arraycopy(speech, 0, padded, 8_000, speech.length);
        int[] all = tokenizer.encode(padded);
        int[] utterance = tokenizer.encodeUtterance(padded);
        assertEquals(padded.length / 640 + 1, all.length);
        assertArrayEquals(tokenizer.encode(SilenceTrimmer.trim(padded, 16_000)), utterance);
        // what is left is the speech and the trimmer's 50 ms margins, not the pauses
        int speechUnits = speech.length / 640 + 1;
        assertTrue(
                utterance.length >= speechUnits - 1 && utterance.length <= speechUnits + 3,
                utterance.length + " units for " + speechUnits + " of speech");
        assertEquals(
                "the audio is silent: its peak |sample| is 0.0, below 1.0E-4; expected speech",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> tokenizer.encodeUtterance(new float[16000]))
                        .getMessage());
        assertEquals(
                "no audio samples: expected at least one",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> tokenizer.encodeUtterance(new float[0]))
                        .getMessage());
    }

    @Test
    void trainingIsDeterministicForASeed() {
        SpeechUnitTrainer.Result again = SpeechUnitTrainer.train(train, OPTIONS);
        assertEquals(standard.tokenizer(), again.tokenizer());
        assertEquals(standard.report(), again.report());
        SpeechUnitTrainer.Result other = SpeechUnitTrainer.train(train, OPTIONS.withSeed(4));
        assertNotEquals(standard.tokenizer(), other.tokenizer());
    }

    @Test
    void reportDescribesTheTrainingFrames() {
        QuantizationReport report = standard.report();
        assertEquals(12, report.utterances());
        assertEquals(12 * (24_000 / 640 + 1), report.frames());
        assertTrue(report.relativeError() > 0 && report.relativeError() < 0.5, report.toString());
        assertEquals(
                report.meanSquaredError() / report.frameVariance(), report.relativeError(), 1e-12);
        assertTrue(report.unitsUsed() <= 32 && report.unitsUsed() > 16, report.toString());
        assertTrue(
                report.perplexity() >= 1 && report.perplexity() <= report.unitsUsed(),
                report.toString());
        assertEquals(report, QuantizationReport.measure(standard.tokenizer(), train));
    }

    @Test
    void moreUnitsQuantiseBetter() {
        QuantizationReport few = SpeechUnitTrainer.train(train, OPTIONS.withUnits(4)).report();
        QuantizationReport many = SpeechUnitTrainer.train(train, OPTIONS.withUnits(128)).report();
        QuantizationReport standardReport = standard.report();
        assertTrue(
                few.meanSquaredError() > standardReport.meanSquaredError(),
                few + " vs " + standardReport);
        assertTrue(
                standardReport.meanSquaredError() > many.meanSquaredError(),
                standardReport + " vs " + many);
        // held-out frames too
        assertTrue(
                QuantizationReport.measure(
                                        SpeechUnitTrainer.train(train, OPTIONS.withUnits(4))
                                                .tokenizer(),
                                        heldOut)
                                .meanSquaredError()
                        > QuantizationReport.measure(standard.tokenizer(), heldOut)
                                .meanSquaredError());
    }

    @Test
    void saveAndLoadKeepEveryBit() throws IOException {
        Path file = dir.resolve("units.json");
        standard.tokenizer().save(file);
        SpeechUnitTokenizer loaded = SpeechUnitTokenizer.load(file);
        assertEquals(standard.tokenizer(), loaded);
        assertArrayEquals(standard.tokenizer().centroids(), loaded.centroids());
        for (float[] audio : heldOut) {
            assertArrayEquals(standard.tokenizer().encode(audio), loaded.encode(audio));
        }
        // saving the loaded one gives the same file
        Path again = dir.resolve("again.json");
        loaded.save(again);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again));
        String text = Files.readString(file);
        assertTrue(text.startsWith("{\n \"format\": \"mot-djl/speech-unit-tokenizer\""), text);
    }

    @Test
    void silentEmptyOrWrongRateAudioIsRefused(@TempDir Path tmp) throws IOException {
        SpeechUnitTokenizer tokenizer = standard.tokenizer();
        IllegalArgumentException zeros =
                assertThrows(
                        IllegalArgumentException.class, () -> tokenizer.encode(new float[16000]));
        assertEquals(
                "the audio is silent: its peak |sample| is 0.0, below 1.0E-4; expected speech",
                zeros.getMessage());
        float[] whisper = SyntheticSpeech.sine(300, 5e-5, 16000);
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> tokenizer.encode(whisper))
                        .getMessage()
                        .startsWith("the audio is silent"));
        assertEquals(
                "no audio samples: expected at least one",
                assertThrows(IllegalArgumentException.class, () -> tokenizer.encode(new float[0]))
                        .getMessage());
        Path wav22k = tmp.resolve("22k.wav");
        WavFile.write(wav22k, heldOut.get(0), 22050);
        WavFormatException e =
                assertThrows(WavFormatException.class, () -> tokenizer.encode(wav22k));
        assertTrue(
                e.getMessage()
                        .endsWith(
                                "sample rate 22050 Hz; expected 16000 Hz (resample the audio first)"),
                e.getMessage());
        Path wav16k = tmp.resolve("16k.wav");
        WavFile.write(wav16k, heldOut.get(0), 16000);
        assertEquals(tokenizer.encode(heldOut.get(0)).length, tokenizer.encode(wav16k).length);
        IllegalArgumentException silentTraining =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                SpeechUnitTrainer.train(
                                        List.of(train.get(0), new float[800]), OPTIONS));
        assertTrue(silentTraining.getMessage().startsWith("utterance 1: the audio is silent"));
    }

    @Test
    void tooFewFramesOrBadUnitsAreRefused() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> SpeechUnitTrainer.train(train.subList(0, 1), OPTIONS.withUnits(256)));
        assertEquals(
                "1 utterances give 38 frames, fewer than the 256 units asked for; train on more"
                        + " audio or ask for fewer units",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OPTIONS.withUnits(0));
        assertThrows(IllegalArgumentException.class, () -> OPTIONS.withUnits(65_537));
        assertEquals(500, OPTIONS.withUnits(500).units());
        IllegalArgumentException unit =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> standard.tokenizer().decodeMel(new int[] {0, 32}));
        assertEquals("unit 32 at position 1 is outside [0, 32)", unit.getMessage());
    }

    @Test
    void corruptOrMismatchedFilesAreRefused() throws IOException {
        Path file = dir.resolve("units.json");
        standard.tokenizer().save(file);
        String good = Files.readString(file);
        assertRefused(good.substring(0, good.length() / 2), "not valid JSON");
        assertRefused(
                good.replace("speech-unit-tokenizer", "patch-kmeans-image-tokenizer"),
                "format is \"mot-djl/patch-kmeans-image-tokenizer\", expected"
                        + " \"mot-djl/speech-unit-tokenizer\"");
        assertRefused(
                good.replace("\"version\": 1", "\"version\": 2"),
                "version 2 is not supported (this reader knows version 1)");
        assertRefused(
                good.replace("\"units\": 32", "\"units\": 33"),
                "units is 33 but there are 32 centroids");
        assertRefused(
                good.replace("\"mels\": 80", "\"mels\": 64"),
                "centroid 0 has 80 values; the front end has 64 mels");
        assertRefused(
                good.replace("\"mel_scale\": \"slaney\"", "\"mel_scale\": \"htk\""),
                "mel_scale is \"htk\"; this reader computes features on the \"slaney\" scale");
        assertRefused(
                good.replace("\"log_floor\": 1.0E-5", "\"log_floor\": 1.0E-10"),
                "log_floor is 1.0E-10; this reader computes features with the floor 1.0E-5");
        assertRefused(
                good.replace("\"hop\": 640", "\"hop\": 0"),
                "hop must lie in [1, nFft = 1024], got 0");
        assertRefused(good.replace("\"hop\": 640", "\"hop\": 640.5"), "\"hop\" must be an integer");
        assertRefused(
                good.replace("\"hop\": 640,", "\"hop\": 640, \"hop\": 640,"),
                "duplicate key \"hop\"");
        assertRefused(good.replace("\"hop\": 640,", ""), "missing key(s) [hop]");
        assertRefused(
                good.replace("\"hop\": 640,", "\"hop\": 640, \"extra\": 1,"),
                "unknown key \"extra\"");
        int firstValue = good.indexOf("[[") + 2;
        assertRefused(
                good.substring(0, firstValue)
                        + "1e999"
                        + good.substring(good.indexOf(',', firstValue)),
                "\"centroid 0\" value 1e999 is out of range; expected a finite float");
        assertRefused(
                good.substring(0, firstValue)
                        + "\"x\""
                        + good.substring(good.indexOf(',', firstValue)),
                "\"centroid 0\" must be a number, got STRING");
    }

    private void assertRefused(String text, String expected) throws IOException {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, text, StandardCharsets.UTF_8);
        TokenizerFormatException e =
                assertThrows(TokenizerFormatException.class, () -> SpeechUnitTokenizer.load(bad));
        assertTrue(e.getMessage().startsWith(bad + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
