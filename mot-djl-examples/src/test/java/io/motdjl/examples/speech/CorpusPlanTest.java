package io.motdjl.examples.speech;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

class CorpusPlanTest {

    private static final List<UtteranceSpec> PLAN = CorpusPlan.utterances(0);

    @Test
    void countsPerSplit() {
        Map<Split, Long> counts =
                PLAN.stream()
                        .collect(
                                Collectors.groupingBy(UtteranceSpec::split, Collectors.counting()));
        // 8 voices x 5 templates x 10 classes x 5 draws; x 1 template; 3 voices x 6 x 10 x 3
        assertEquals(2000, counts.get(Split.TRAIN));
        assertEquals(400, counts.get(Split.HELDOUT_UTTERANCE));
        assertEquals(540, counts.get(Split.HELDOUT_VOICE));
        assertEquals(2940, PLAN.size());
        assertEquals(2940, PLAN.stream().map(UtteranceSpec::id).distinct().count());
    }

    @Test
    void heldOutVoicesAndTemplateNeverTrain() {
        Set<String> heldOutVoices = Set.of("awb", "en-gb-scotland+f5", "en-us-nyc+m7");
        for (UtteranceSpec u : PLAN) {
            boolean heldOutVoice = heldOutVoices.contains(u.voice());
            assertEquals(heldOutVoice, u.split() == Split.HELDOUT_VOICE, u.id());
            if (u.split() == Split.TRAIN) {
                assertNotEquals(CorpusPlan.HELD_OUT_TEMPLATE, u.template(), u.id());
            }
            if (u.split() == Split.HELDOUT_UTTERANCE) {
                assertEquals(CorpusPlan.HELD_OUT_TEMPLATE, u.template(), u.id());
            }
        }
        assertEquals(
                Set.of("kal16", "slt", "rms", "awb"),
                PLAN.stream()
                        .filter(u -> u.engine() == Engine.FLITE)
                        .map(UtteranceSpec::voice)
                        .collect(Collectors.toSet()));
    }

    @Test
    void captionsReadNaturally() {
        assertEquals("a t-shirt or top", CorpusPlan.text(0, 0));
        assertEquals("a photo of a pair of trousers", CorpusPlan.text(1, 1));
        assertEquals("an image of an ankle boot", CorpusPlan.text(3, 9));
        assertEquals("a close-up of a sneaker", CorpusPlan.text(CorpusPlan.HELD_OUT_TEMPLATE, 7));
        for (UtteranceSpec u : PLAN) {
            assertFalse(u.text().contains("/"), u.text());
            assertEquals(CorpusPlan.text(u.template(), u.label()), u.text());
        }
    }

    @Test
    void prosodyDrawsStayInTheirRanges() {
        Set<String> stretches = new HashSet<>();
        for (UtteranceSpec u : PLAN) {
            if (u.prosody() instanceof Prosody.Flite f) {
                assertTrue(f.durationStretch() >= 0.85 && f.durationStretch() <= 1.15, u.id());
                stretches.add(String.valueOf(f.durationStretch()));
                assertEquals(u.voice().equals("rms"), f.f0Mean().isEmpty(), u.id());
                int centre = Map.of("kal16", 96, "slt", 168, "awb", 129).getOrDefault(u.voice(), 0);
                f.f0Mean()
                        .ifPresent(
                                f0 ->
                                        assertTrue(
                                                f0 >= centre * 0.8 - 1 && f0 <= centre * 1.2 + 1,
                                                u.id() + " f0 " + f0));
            } else {
                Prosody.Espeak e = (Prosody.Espeak) u.prosody();
                assertTrue(e.pitch() >= 30 && e.pitch() <= 70, u.id());
                assertTrue(e.speed() >= 140 && e.speed() <= 190, u.id());
            }
        }
        assertTrue(stretches.size() > 25, "stretch values used: " + stretches);
    }

    @Test
    void drawsDependOnTheSeedAndTheUtteranceOnly() {
        assertEquals(PLAN, CorpusPlan.utterances(0));
        List<UtteranceSpec> other = CorpusPlan.utterances(1);
        long differing = 0;
        for (int i = 0; i < PLAN.size(); i++) {
            assertEquals(PLAN.get(i).id(), other.get(i).id());
            if (!PLAN.get(i).prosody().equals(other.get(i).prosody())) {
                differing++;
            }
        }
        assertTrue(differing > 2800, differing + " of 2940 prosody draws differ between seeds");
    }

    @Test
    void commandLineOptionsMatchTheRecordedValues() {
        assertEquals(
                List.of("--setf", "duration_stretch=1.05", "--setf", "int_f0_target_mean=180"),
                new Prosody.Flite(1.05, OptionalInt.of(180)).arguments());
        assertEquals(
                List.of("--setf", "duration_stretch=0.90"),
                new Prosody.Flite(0.9, OptionalInt.empty()).arguments());
        assertEquals(List.of("-p", "45", "-s", "160"), new Prosody.Espeak(45, 160).arguments());
        assertThrows(
                IllegalArgumentException.class,
                () -> new Prosody.Flite(1.055, OptionalInt.empty()));
        assertThrows(IllegalArgumentException.class, () -> new Prosody.Espeak(100, 160));
    }
}
