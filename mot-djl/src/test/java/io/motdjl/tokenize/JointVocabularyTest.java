package io.motdjl.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.config.MoTConfig;

import org.junit.jupiter.api.Test;

class JointVocabularyTest {

    private final JointVocabulary vocabulary = new JointVocabulary(256);

    @Test
    void rangesAndSize() {
        assertEquals(261 + 256, vocabulary.vocabSize());
        assertEquals(new JointVocabulary.Range(0, 261), vocabulary.textRange());
        assertEquals(new JointVocabulary.Range(261, 517), vocabulary.imageRange());
        assertArrayEquals(new long[] {0, 261}, vocabulary.modalityTokenRanges()[0]);
        assertArrayEquals(new long[] {261, 517}, vocabulary.modalityTokenRanges()[1]);
        // ranges are contiguous and cover the vocabulary
        assertEquals(vocabulary.textRange().end(), vocabulary.imageRange().start());
        assertEquals(vocabulary.vocabSize(), vocabulary.imageRange().end());
    }

    @Test
    void modalityOfEveryToken() {
        for (int token = 0; token < vocabulary.vocabSize(); token++) {
            int expected = token < 261 ? JointVocabulary.TEXT : JointVocabulary.IMAGE;
            assertEquals(expected, vocabulary.modalityOf(token), "token " + token);
        }
        for (int special :
                new int[] {
                    JointVocabulary.BOS,
                    JointVocabulary.EOS,
                    JointVocabulary.BOI,
                    JointVocabulary.EOI,
                    JointVocabulary.PAD
                }) {
            assertEquals(JointVocabulary.TEXT, vocabulary.modalityOf(special));
            assertTrue(JointVocabulary.isSpecial(special));
        }
        assertFalse(JointVocabulary.isSpecial('a'));
        assertThrows(IllegalArgumentException.class, () -> vocabulary.modalityOf(-1));
        assertThrows(IllegalArgumentException.class, () -> vocabulary.modalityOf(517));
    }

    @Test
    void imageCodesMapToTheirRange() {
        assertEquals(261, vocabulary.imageToken(0));
        assertEquals(516, vocabulary.imageToken(255));
        assertEquals(17, vocabulary.imageCode(vocabulary.imageToken(17)));
        assertArrayEquals(
                new int[] {3, 0, 255},
                vocabulary.imageCodes(vocabulary.imageTokens(new int[] {3, 0, 255})));
        assertThrows(IllegalArgumentException.class, () -> vocabulary.imageToken(256));
        assertThrows(
                IllegalArgumentException.class, () -> vocabulary.imageCode(JointVocabulary.EOI));
        assertTrue(vocabulary.isImageToken(300));
        assertFalse(vocabulary.isImageToken(JointVocabulary.PAD));
    }

    @Test
    void textRoundTrip() {
        String caption = "a photo of an ankle boot";
        int[] tokens = JointVocabulary.encodeText(caption);
        assertEquals(caption.length(), tokens.length);
        assertEquals('a', tokens[0]);
        assertEquals(caption, JointVocabulary.decodeText(tokens));
        String unicode = "T-shirt/top — é";
        int[] bytes = JointVocabulary.encodeText(unicode);
        assertTrue(bytes.length > unicode.length(), "multi-byte UTF-8");
        for (int b : bytes) {
            assertTrue(b >= 0 && b < 256);
        }
        assertEquals(unicode, JointVocabulary.decodeText(bytes));
        // bytes above 127 become tokens 128..255, never negative
        assertArrayEquals(
                new int[] {0, 127, 128, 255},
                JointVocabulary.byteTokens(new byte[] {0, 127, (byte) 128, (byte) 255}));
        assertThrows(
                IllegalArgumentException.class,
                () -> JointVocabulary.decodeText(new int[] {'a', JointVocabulary.EOS}));
        assertThrows(
                IllegalArgumentException.class, () -> JointVocabulary.decodeText(new int[] {0xc3}));
    }

    @Test
    void tokenNames() {
        assertEquals("'a'", vocabulary.tokenName('a'));
        assertEquals("<0x0a>", vocabulary.tokenName('\n'));
        assertEquals("<BOI>", vocabulary.tokenName(JointVocabulary.BOI));
        assertEquals("<PAD>", vocabulary.tokenName(JointVocabulary.PAD));
        assertEquals("<img:5>", vocabulary.tokenName(266));
    }

    @Test
    void configuresAModel() {
        MoTConfig config = vocabulary.applyTo(MoTConfig.builder()).build();
        assertEquals(517, config.vocabSize());
        assertEquals(2, config.nModalities());
        assertArrayEquals(vocabulary.modalityTokenRanges()[1], config.modalityTokenRanges()[1]);
        assertThrows(IllegalArgumentException.class, () -> new JointVocabulary(0));
    }
}
