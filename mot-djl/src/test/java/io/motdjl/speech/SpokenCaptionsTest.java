package io.motdjl.speech;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Real speech: the six flite utterances bundled in the test resources (see README.txt there). The
 * tokenizer is trained on the "sneaker" and "trousers" captions of both voices and measured on the
 * held-out "ankle boot" captions.
 */
class SpokenCaptionsTest {

    private static final Logger logger = LoggerFactory.getLogger(SpokenCaptionsTest.class);

    private static final List<String> TRAIN =
            List.of(
                    "kal16-a-photo-of-a-sneaker",
                    "slt-a-photo-of-a-sneaker",
                    "kal16-a-pair-of-trousers",
                    "slt-a-pair-of-trousers");

    private static final List<String> HELD_OUT =
            List.of("kal16-an-ankle-boot", "slt-an-ankle-boot");

    /** 164 training frames are few: 8 units generalise, more units mostly memorise them. */
    private static final SpeechUnitTrainer.Options OPTIONS =
            SpeechUnitTrainer.Options.defaults().withUnits(8);

    private static List<float[]> train;
    private static List<float[]> heldOut;
    private static SpeechUnitTrainer.Result trained;

    @TempDir Path dir;

    @BeforeAll
    static void trainOnce() throws IOException {
        train = read(TRAIN);
        heldOut = read(HELD_OUT);
        trained = SpeechUnitTrainer.train(train, OPTIONS);
    }

    @Test
    void theBundledFilesAreSixteenKilohertzSpeech() {
        for (float[] audio : train) {
            double seconds = audio.length / 16000.0;
            assertTrue(seconds > 0.9 && seconds < 2.0, seconds + " s");
        }
        assertEquals(164, trained.report().frames());
    }

    @Test
    void heldOutCaptionsQuantiseWithinTwiceTheTrainingError() {
        QuantizationReport training = trained.report();
        QuantizationReport held = QuantizationReport.measure(trained.tokenizer(), heldOut);
        logger.info("training: {}; held out: {}", training, held);
        assertTrue(
                held.meanSquaredError() < 2 * training.meanSquaredError(),
                "held out " + held + " vs training " + training);
        assertTrue(held.relativeError() < 0.5, held.toString());
        assertTrue(training.unitsUsed() == 8 && held.unitsUsed() >= 4, held.toString());
    }

    @Test
    void differentSentencesGiveDifferentUnits() {
        SpeechUnitTokenizer tokenizer = trained.tokenizer();
        int[] boot = tokenizer.encode(heldOut.get(0));
        int[] sneaker = tokenizer.encode(train.get(0));
        assertFalse(Arrays.equals(boot, sneaker));
        // leading and trailing pauses share the silence unit; the speech between differs
        assertEquals(boot[0], sneaker[0]);
        assertEquals(boot[boot.length - 1], sneaker[sneaker.length - 1]);
        assertFalse(
                Arrays.equals(Arrays.copyOfRange(boot, 5, 15), Arrays.copyOfRange(sneaker, 5, 15)));
    }

    @Test
    void unitsBackToAWavOfTheRightDuration() throws IOException {
        SpeechUnitTokenizer tokenizer = trained.tokenizer();
        GriffinLim vocoder = new GriffinLim(tokenizer.frontEnd(), GriffinLim.Options.defaults());
        for (int i = 0; i < heldOut.size(); i++) {
            float[] original = heldOut.get(i);
            int[] units = tokenizer.encode(original);
            long start = System.nanoTime();
            float[] audio = vocoder.synthesize(tokenizer.decodeMel(units));
            double seconds = (System.nanoTime() - start) / 1e9;
            Path wav = dir.resolve(HELD_OUT.get(i) + ".units.wav");
            WavFile.write(wav, audio, 16000);
            float[] back = WavFile.read(wav, 16000);
            assertEquals(audio.length, back.length);
            assertEquals(WavFile.HEADER_BYTES + 2L * back.length, Files.size(wav));
            // within half a 40 ms hop of the original
            assertEquals(original.length / 16000.0, back.length / 16000.0, 0.0201);
            // the vocoder normalises the peak; log-mel units also encode loudness, so compare at
            // the original's peak (flite's kal16 peaks at 0.28, slt at 0.66)
            int[] again = tokenizer.encode(scaleToPeak(back, peak(original)));
            assertEquals(units.length, again.length);
            int same = 0;
            for (int t = 0; t < units.length; t++) {
                same += units[t] == again[t] ? 1 : 0;
            }
            logger.info(
                    "{}: {} units, resynthesized in {} s ({} s of audio); {} of {} units survive"
                            + " the round trip",
                    HELD_OUT.get(i),
                    units.length,
                    String.format("%.3f", seconds),
                    String.format("%.2f", back.length / 16000.0),
                    same,
                    units.length);
            // all of them, measured with these 8 units (and with seeds 1-3 as well)
            assertTrue(same >= 0.9 * units.length, same + " of " + units.length + " units agree");
        }
    }

    private static float peak(float[] samples) {
        float peak = 0;
        for (float x : samples) {
            peak = Math.max(peak, Math.abs(x));
        }
        return peak;
    }

    private static float[] scaleToPeak(float[] samples, float target) {
        float scale = target / peak(samples);
        float[] out = new float[samples.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = samples[i] * scale;
        }
        return out;
    }

    private static List<float[]> read(List<String> names) throws IOException {
        List<float[]> out = new ArrayList<>();
        for (String name : names) {
            out.add(WavFile.read(resource(name + ".wav"), 16000));
        }
        return out;
    }

    private static Path resource(String name) throws IOException {
        URL url = SpokenCaptionsTest.class.getResource(name);
        if (url == null) {
            throw new IOException("test resource io/motdjl/speech/" + name + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }
}
