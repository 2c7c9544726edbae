package io.motdjl.examples.chameleon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.data.Pairing;
import io.motdjl.data.TokenSequence;
import io.motdjl.data.TokenSequenceDataset;
import io.motdjl.examples.speech.Split;
import io.motdjl.examples.speech.SpokenCaptions;
import io.motdjl.examples.speech.Utterance;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.speech.SpeechUnitTrainer;
import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.tokenize.PatchKMeansTokenizer;
import io.motdjl.tokenize.PatchKMeansTrainer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The Chameleon + speech data: vocabulary ranges, held-out voices, the mix, reproducibility. */
class ChameleonSpeechDataTest {

    private static final int SEQUENCES = 2000;

    private static SpokenCaptions corpus;
    private static PatchKMeansTokenizer images;
    private static SpeechUnitTokenizer speech;
    private static ChameleonSpeechData data;

    @BeforeAll
    static void build() throws IOException {
        corpus = SpokenCaptions.bundled();
        // small tokenizers: these tests are about the layout, not the codes' quality
        images =
                PatchKMeansTrainer.train(
                        TestTokenizers.split().train().head(500).images(),
                        FashionMnist.IMAGE_SIZE,
                        FashionMnist.IMAGE_SIZE,
                        PatchKMeansTrainer.Options.defaults()
                                .withCodebookSize(32)
                                .withIterations(5));
        speech =
                SpeechUnitTrainer.trainMel(
                                corpus.frames(corpus.utterances(Split.TRAIN).subList(0, 200)),
                                SpeechUnitTrainer.Options.defaults()
                                        .withFrontEnd(corpus.frontEnd())
                                        .withUnits(8)
                                        .withIterations(5))
                        .tokenizer();
        data = build(3);
    }

    private static ChameleonSpeechData build(long seed) {
        return ChameleonSpeechData.build(
                TestTokenizers.split(),
                images,
                corpus,
                speech,
                ChameleonSpeechData.Options.defaults(seed).withTrainSequences(SEQUENCES));
    }

    @Test
    void everyTokenCarriesTheModalityOfItsVocabularyRange() {
        JointVocabulary vocabulary = data.vocabulary();
        assertEquals(3, vocabulary.modalityCount());
        assertEquals(261 + 32 + 2 + 8, vocabulary.vocabSize());
        List<TokenSequenceDataset> sets =
                List.of(
                        data.train(),
                        data.heldOutCaptionsAndImages(),
                        data.heldOutUtterances(),
                        data.heldOutVoices());
        int[] seen = new int[3];
        for (TokenSequenceDataset set : sets) {
            for (TokenSequence s : set.sequences()) {
                int[] tokens = s.tokens();
                int[] modalities = s.modalities();
                for (int i = 0; i < tokens.length; i++) {
                    int m = modalities[i];
                    seen[m]++;
                    JointVocabulary.Range range =
                            switch (m) {
                                case JointVocabulary.TEXT -> vocabulary.textRange();
                                case JointVocabulary.IMAGE -> vocabulary.imageRange();
                                default -> vocabulary.speechRange();
                            };
                    assertTrue(range.contains(tokens[i]), "token " + tokens[i] + " modality " + m);
                }
                assertTrue(s.length() <= data.maxSequenceLength());
            }
        }
        for (int m = 0; m < 3; m++) {
            assertTrue(seen[m] > 0, "modality " + m + " has tokens");
        }
    }

    @Test
    void heldOutVoicesAndTheHeldOutTemplateAreNeverTrainedOn() {
        Set<String> heldOutVoices =
                corpus.utterances(Split.HELDOUT_VOICE).stream()
                        .map(Utterance::voice)
                        .collect(Collectors.toSet());
        assertFalse(heldOutVoices.isEmpty());
        long speechExamples = 0;
        for (ChameleonSpeechData.Example e : data.trainExamples()) {
            if (e.utterance() != null) {
                speechExamples++;
                assertEquals(Split.TRAIN, e.utterance().split(), e.utterance().id());
                assertFalse(heldOutVoices.contains(e.utterance().voice()), e.utterance().id());
                assertEquals(e.utterance().label(), e.label());
            }
        }
        assertTrue(speechExamples > 0);
        assertEquals(corpus.utterances(Split.HELDOUT_VOICE).size(), data.heldOutVoices().size());
        assertEquals(
                corpus.utterances(Split.HELDOUT_UTTERANCE).size(), data.heldOutUtterances().size());
    }

    @Test
    void theMixSharesAndBothDirectionsAreRespected() {
        Map<Pairing, Integer> counts = new EnumMap<>(Pairing.class);
        for (ChameleonSpeechData.Example e : data.trainExamples()) {
            counts.merge(e.pairing(), 1, Integer::sum);
            if (e.pairing() == Pairing.SPEECH_TO_IMAGE || e.pairing() == Pairing.IMAGE_TO_SPEECH) {
                // the image is one of the utterance's class
                assertEquals(
                        e.label(), TestTokenizers.split().train().label(e.image()), e.toString());
            }
        }
        assertEquals(SEQUENCES, data.trainExamples().size());
        ChameleonSpeechData.Mix mix = ChameleonSpeechData.Mix.DEFAULT;
        for (ChameleonSpeechData.PairKind kind : ChameleonSpeechData.PairKind.values()) {
            int forward = counts.getOrDefault(kind.pairing(0), 0);
            int backward = counts.getOrDefault(kind.pairing(1), 0);
            assertEquals(
                    mix.share(kind), (forward + backward) / (double) SEQUENCES, 0.01, "" + kind);
            assertTrue(Math.abs(forward - backward) <= 1, kind + " " + forward + "/" + backward);
        }
        // the kinds are mixed through the data, not in blocks
        long speechInFirstTenth =
                data.trainExamples().subList(0, SEQUENCES / 10).stream()
                        .filter(e -> e.utterance() != null)
                        .count();
        assertEquals(0.5, speechInFirstTenth / (SEQUENCES / 10.0), 0.1);
    }

    @Test
    void theSameSeedGivesTheSameSequencesAndAnotherSeedOthers() {
        ChameleonSpeechData again = build(3);
        ChameleonSpeechData other = build(4);
        List<TokenSequence> first = data.train().sequences();
        List<TokenSequence> second = again.train().sequences();
        assertEquals(first.size(), second.size());
        boolean differs = false;
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i).tokens(), second.get(i).tokens());
            assertArrayEquals(first.get(i).modalities(), second.get(i).modalities());
            differs |=
                    !java.util.Arrays.equals(
                            first.get(i).tokens(), other.train().sequence(i).tokens());
        }
        assertTrue(differs, "another seed, another mix");
        for (int i = 0; i < data.heldOutVoices().size(); i++) {
            assertArrayEquals(
                    data.heldOutVoices().sequence(i).tokens(),
                    again.heldOutVoices().sequence(i).tokens());
        }
    }

    @Test
    void badMixesAreRefused() {
        assertThrows(
                IllegalArgumentException.class, () -> new ChameleonSpeechData.Mix(0.5, 0.5, 0.5));
        assertThrows(
                IllegalArgumentException.class, () -> new ChameleonSpeechData.Mix(1.5, -0.5, 0));
        assertNotEquals(ChameleonSpeechData.Mix.DEFAULT, new ChameleonSpeechData.Mix(1, 0, 0));
    }
}
