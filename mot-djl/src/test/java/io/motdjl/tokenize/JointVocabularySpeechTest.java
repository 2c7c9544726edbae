package io.motdjl.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.config.MoTConfig;

import org.junit.jupiter.api.Test;

/** The speech range of the joint vocabulary, and that it leaves the two-modality one unchanged. */
class JointVocabularySpeechTest {

    private final JointVocabulary plain = new JointVocabulary(256);
    private final JointVocabulary speech = JointVocabulary.withSpeech(256, 100);

    @Test
    void theTwoModalityVocabularyIsUnchanged() {
        assertEquals(517, plain.vocabSize());
        assertEquals(JointVocabulary.NUM_MODALITIES, plain.modalityCount());
        assertFalse(plain.hasSpeech());
        assertEquals(0, plain.speechUnits());
        assertArrayEquals(new long[][] {{0, 261}, {261, 517}}, plain.modalityTokenRanges());
        assertEquals(new JointVocabulary.Range(261, 517), plain.imageRange());
        assertFalse(plain.isSpeechUnitToken(516));
        assertEquals(
                "JointVocabulary[517 tokens: text Range[start=0, end=261],"
                        + " image Range[start=261, end=517]]",
                plain.toString());
        MoTConfig config = plain.applyTo(MoTConfig.builder()).build();
        assertEquals(2, config.nModalities());
        assertEquals(517, config.vocabSize());
    }

    @Test
    void speechTokensWithoutASpeechRangeAreRefusedSayingHowToGetOne() {
        for (Runnable call :
                new Runnable[] {
                    plain::bosp,
                    plain::eosp,
                    plain::speechRange,
                    () -> plain.speechToken(0),
                    () -> plain.speechUnit(517),
                    () -> plain.speechTokens(new int[0])
                }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
            assertTrue(e.getMessage().contains("no speech range"), e.getMessage());
            assertTrue(e.getMessage().contains("withSpeech(256, units)"), e.getMessage());
        }
    }

    @Test
    void speechComesAfterTheImageCodesAndMovesNoExistingId() {
        assertEquals(261 + 256 + 2 + 100, speech.vocabSize());
        assertEquals(3, speech.modalityCount());
        assertTrue(speech.hasSpeech());
        assertEquals(plain.textRange(), speech.textRange());
        assertEquals(plain.imageRange(), speech.imageRange());
        assertEquals(new JointVocabulary.Range(517, 619), speech.speechRange());
        assertArrayEquals(
                new long[][] {{0, 261}, {261, 517}, {517, 619}}, speech.modalityTokenRanges());
        for (int token = 0; token < plain.vocabSize(); token++) {
            assertEquals(plain.modalityOf(token), speech.modalityOf(token), "token " + token);
            assertEquals(plain.tokenName(token), speech.tokenName(token), "token " + token);
        }
        assertEquals(516, speech.imageToken(255), "the last image code keeps its id");
        assertFalse(speech.isImageToken(517), "BOSP is no image code");
    }

    @Test
    void markersThenUnitsAllOfTheSpeechModality() {
        assertEquals(517, speech.bosp());
        assertEquals(518, speech.eosp());
        assertEquals(519, speech.speechToken(0));
        assertEquals(618, speech.speechToken(99));
        for (int token = 517; token < 619; token++) {
            assertEquals(JointVocabulary.SPEECH, speech.modalityOf(token), "token " + token);
            assertEquals(token >= 519, speech.isSpeechUnitToken(token), "token " + token);
        }
        assertFalse(JointVocabulary.isSpecial(speech.bosp()), "isSpecial stays BOS..PAD");
        assertEquals("<BOSP>", speech.tokenName(517));
        assertEquals("<EOSP>", speech.tokenName(518));
        assertEquals("<sp:0>", speech.tokenName(519));
        assertEquals("<sp:99>", speech.tokenName(618));
        assertEquals("<img:255>", speech.tokenName(516));
        assertThrows(IllegalArgumentException.class, () -> speech.tokenName(619));
        assertThrows(IllegalArgumentException.class, () -> speech.modalityOf(619));
    }

    @Test
    void unitsMapToTheirTokensAndBack() {
        int[] units = {7, 0, 99, 7};
        int[] tokens = speech.speechTokens(units);
        assertArrayEquals(new int[] {526, 519, 618, 526}, tokens);
        assertArrayEquals(units, speech.speechUnits(tokens));
        assertEquals(42, speech.speechUnit(speech.speechToken(42)));
        IllegalArgumentException tooBig =
                assertThrows(IllegalArgumentException.class, () -> speech.speechToken(100));
        assertEquals("speech unit 100 is outside [0, 100)", tooBig.getMessage());
        assertThrows(IllegalArgumentException.class, () -> speech.speechToken(-1));
        IllegalArgumentException marker =
                assertThrows(
                        IllegalArgumentException.class, () -> speech.speechUnit(speech.eosp()));
        assertTrue(marker.getMessage().contains("not a speech unit"), marker.getMessage());
        assertThrows(IllegalArgumentException.class, () -> speech.speechUnit('a'));
    }

    @Test
    void configuresAThreeModalityModelAndIsAValue() {
        MoTConfig config = speech.applyTo(MoTConfig.builder()).build();
        assertEquals(619, config.vocabSize());
        assertEquals(3, config.nModalities());
        assertArrayEquals(speech.modalityTokenRanges(), config.modalityTokenRanges());
        assertEquals(JointVocabulary.withSpeech(256, 100), speech);
        assertEquals(JointVocabulary.withSpeech(256, 100).hashCode(), speech.hashCode());
        assertNotEquals(plain, speech);
        assertNotEquals(JointVocabulary.withSpeech(256, 99), speech);
        assertEquals(new JointVocabulary(256).hashCode(), plain.hashCode());
        assertTrue(speech.toString().contains("speech Range[start=517, end=619]"));
        IllegalArgumentException noUnits =
                assertThrows(
                        IllegalArgumentException.class, () -> JointVocabulary.withSpeech(256, 0));
        assertTrue(noUnits.getMessage().contains("speech units"), noUnits.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JointVocabulary.withSpeech(0, 10));
    }

    @Test
    void isReadBackFromTheConfigItWasAppliedTo() {
        for (JointVocabulary vocabulary :
                new JointVocabulary[] {plain, speech, JointVocabulary.withSpeech(16, 1)}) {
            MoTConfig config = vocabulary.applyTo(MoTConfig.builder()).build();
            assertEquals(vocabulary, JointVocabulary.of(config));
        }
        // an older config without token ranges: text and image codes
        MoTConfig bare = MoTConfig.builder().vocabSize(517).nModalities(2).build();
        assertEquals(plain, JointVocabulary.of(bare));
    }

    @Test
    void aConfigOverAnotherVocabularyIsRefusedWithItsNumbers() {
        IllegalArgumentException tooSmall =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                JointVocabulary.of(
                                        MoTConfig.builder().vocabSize(200).nModalities(2).build()));
        assertTrue(
                tooSmall.getMessage().contains("vocab_size at least 262"), tooSmall.getMessage());
        assertTrue(tooSmall.getMessage().contains("has vocab_size 200"), tooSmall.getMessage());

        MoTConfig gap =
                speech.applyTo(MoTConfig.builder())
                        .modalityTokenRanges(new long[][] {{0, 261}, {261, 500}, {510, 619}})
                        .build();
        IllegalArgumentException ranges =
                assertThrows(IllegalArgumentException.class, () -> JointVocabulary.of(gap));
        String message = ranges.getMessage();
        assertTrue(message.contains("config has [[0, 261], [261, 500], [510, 619]]"), message);
        assertTrue(message.contains("ranges [[0, 261], [261, 500], [500, 619]]"), message);

        MoTConfig imageElsewhere =
                speech.applyTo(MoTConfig.builder())
                        .modalityTokenRanges(new long[][] {{0, 200}, {200, 517}, {517, 619}})
                        .build();
        IllegalArgumentException image =
                assertThrows(
                        IllegalArgumentException.class, () -> JointVocabulary.of(imageElsewhere));
        assertTrue(
                image.getMessage().contains("image codes start at token 261"), image.getMessage());
    }
}
