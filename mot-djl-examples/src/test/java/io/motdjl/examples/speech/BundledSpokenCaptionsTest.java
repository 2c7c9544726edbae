package io.motdjl.examples.speech;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.speech.LogMelSpectrogram;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

class BundledSpokenCaptionsTest {

    private final SpokenCaptions corpus = BundledSpokenCaptions.get();

    @Test
    void holdsThePlannedUtterancesInOrder() {
        List<UtteranceSpec> plan = CorpusPlan.utterances(CorpusPlan.DEFAULT_SEED);
        assertEquals(plan.size(), corpus.size());
        for (int i = 0; i < plan.size(); i++) {
            assertEquals(plan.get(i), corpus.utterances().get(i).spec(), "utterance " + i);
        }
        assertEquals(CorpusPlan.DEFAULT_SEED, corpus.seed());
        assertEquals(LogMelSpectrogram.Options.defaults(), corpus.frontEnd());
        assertEquals(LogMelQuantization.CORPUS, corpus.quantization());
        assertTrue(corpus.provenance().get("flite").contains("flite-2.2"));
        assertTrue(corpus.provenance().get("espeak-ng").contains("1.51"));
    }

    @Test
    void countsAndFramesAreAsBuilt() {
        Map<Split, Integer> utterances = new EnumMap<>(Split.class);
        Map<Split, Long> frames = new EnumMap<>(Split.class);
        for (Split split : Split.values()) {
            List<Utterance> part = corpus.utterances(split);
            utterances.put(split, part.size());
            frames.put(split, part.stream().mapToLong(Utterance::frames).sum());
        }
        assertEquals(
                Map.of(Split.TRAIN, 2000, Split.HELDOUT_UTTERANCE, 400, Split.HELDOUT_VOICE, 540),
                utterances);
        assertEquals(
                Map.of(
                        Split.TRAIN,
                        60_998L,
                        Split.HELDOUT_UTTERANCE,
                        15_343L,
                        Split.HELDOUT_VOICE,
                        16_940L),
                frames);
        assertEquals(93_281, corpus.totalFrames());
        LogMelSpectrogram frontEnd = new LogMelSpectrogram(corpus.frontEnd());
        double seconds = 0;
        for (Utterance u : corpus.utterances()) {
            // frames are what the front end makes of the trimmed audio
            assertEquals(frontEnd.frameCount(u.samples()), u.frames(), u.id());
            assertEquals(u.frames(), corpus.frames(u).length, u.id());
            double s = corpus.seconds(u);
            assertTrue(s > 0.3 && s < 3.0, u.id() + " lasts " + s + " s");
            seconds += s;
        }
        assertEquals(1.244, seconds / corpus.size(), 0.001);
    }

    @Test
    void splitsAreDisjointAndHoldOutVoicesAndTheTemplate() {
        Set<String> trainVoices = voices(Split.TRAIN);
        Set<String> heldOutVoices = voices(Split.HELDOUT_VOICE);
        assertEquals(8, trainVoices.size());
        assertEquals(
                Set.of("flite/awb", "espeak-ng/en-gb-scotland+f5", "espeak-ng/en-us-nyc+m7"),
                heldOutVoices);
        assertTrue(Collections.disjoint(trainVoices, heldOutVoices));
        assertEquals(trainVoices, voices(Split.HELDOUT_UTTERANCE));
        Set<String> trainTexts =
                corpus.utterances(Split.TRAIN).stream()
                        .map(Utterance::text)
                        .collect(Collectors.toSet());
        for (Utterance u : corpus.utterances(Split.TRAIN)) {
            assertFalse(u.spec().template() == CorpusPlan.HELD_OUT_TEMPLATE, u.id());
        }
        for (Utterance u : corpus.utterances(Split.HELDOUT_UTTERANCE)) {
            assertFalse(trainTexts.contains(u.text()), u.text() + " is also a training text");
        }
        // every utterance is in exactly one split
        int total = 0;
        for (Split split : Split.values()) {
            total += corpus.utterances(split).size();
        }
        assertEquals(corpus.size(), total);
    }

    private Set<String> voices(Split split) {
        return corpus.utterances(split).stream()
                .map(u -> u.engine() + "/" + u.voice())
                .collect(Collectors.toSet());
    }

    @Test
    void classesAreBalancedInEverySplit() {
        Map<Split, Integer> perClass =
                Map.of(Split.TRAIN, 200, Split.HELDOUT_UTTERANCE, 40, Split.HELDOUT_VOICE, 54);
        for (Split split : Split.values()) {
            int[] counts = new int[FashionMnist.NUM_CLASSES];
            for (Utterance u : corpus.utterances(split)) {
                counts[u.label()]++;
            }
            for (int c = 0; c < counts.length; c++) {
                assertEquals(perClass.get(split), counts[c], split + " class " + c);
            }
        }
    }

    @Test
    void framesLookLikeSpeech() {
        float floor = (float) StrictMath.log(LogMelSpectrogram.LOG_FLOOR);
        for (int i = 0; i < corpus.size(); i += 97) {
            float[][] frames = corpus.frames(i);
            float max = floor;
            for (float[] frame : frames) {
                for (float v : frame) {
                    max = Math.max(max, v);
                }
            }
            // trimmed: speech reaches well above the floor, and no value is clipped at the top
            assertTrue(max > 0 && max < LogMelQuantization.CORPUS_MAX, i + ": max " + max);
        }
    }

    @Test
    void bundledFileIsCompact() throws IOException {
        long bytes = SpokenCaptionsReport.bundledBytes();
        assertTrue(bytes < 8_000_000, bytes + " bytes");
    }
}
