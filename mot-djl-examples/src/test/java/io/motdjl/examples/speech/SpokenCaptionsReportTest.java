package io.motdjl.examples.speech;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.speech.LogMelSpectrogram;
import io.motdjl.speech.SpeechUnitTokenizer;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

class SpokenCaptionsReportTest {

    @Test
    void describesTheBundledCorpus() {
        String text = SpokenCaptionsReport.describe(BundledSpokenCaptions.get());
        assertTrue(
                text.startsWith("2,940 utterances, 93,281 frames of 80 log-mels at 25 Hz"), text);
        assertTrue(text.contains("train                    2000       8          5"), text);
        assertTrue(text.contains("heldout-voice             540       3          6"), text);
        assertTrue(text.contains("utterances per class: 294 294 294"), text);
    }

    @Test
    void unitsSeparateClassesOnHeldOutVoicesBetterThanChance() {
        // 16 units keep this quick (about 2 s); 256 units: docs/speech.md, "Corpus"
        SpokenCaptionsReport.UnitFigures f =
                SpokenCaptionsReport.measureUnits(BundledSpokenCaptions.get(), 16, 0);
        assertEquals(16, f.units());
        assertTrue(f.heldOutVoice().meanSquaredError() > f.train().meanSquaredError());
        assertTrue(f.heldOutVoiceAccuracy() > 0.2, SpokenCaptionsReport.format(f));
        assertTrue(f.heldOutUtteranceAccuracy() > 0.2, SpokenCaptionsReport.format(f));
    }

    @Test
    void bagOfUnitsPicksTheNearestClassMean() {
        // two units at 0 and 10 in every mel; class 0 says mostly 0, class 1 mostly 10
        float[] centroids = new float[2 * 80];
        Arrays.fill(centroids, 80, 160, 10f);
        SpeechUnitTokenizer tokenizer =
                new SpeechUnitTokenizer(LogMelSpectrogram.Options.defaults(), centroids);
        float[][] mostlyLow = frames(0, 0, 0, 10);
        float[][] mostlyHigh = frames(10, 10, 0, 10);
        BagOfUnits bags =
                new BagOfUnits(tokenizer, List.of(mostlyLow, mostlyHigh), new int[] {0, 1});
        assertEquals(0.25, bags.bag(mostlyLow)[1]);
        assertEquals(0, bags.predict(frames(0, 0, 1, 1, 9)));
        assertEquals(1, bags.predict(frames(9, 9, 9, 1)));
        assertEquals(1.0, bags.accuracy(List.of(mostlyLow, mostlyHigh), new int[] {0, 1}));
    }

    private static float[][] frames(float... values) {
        float[][] frames = new float[values.length][80];
        for (int t = 0; t < values.length; t++) {
            Arrays.fill(frames[t], values[t]);
        }
        return frames;
    }
}
