package io.motdjl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.motdjl.tokenize.JointVocabulary;

import org.junit.jupiter.api.Test;

class ChameleonSequenceBuilderTest {

    private final JointVocabulary vocabulary = new JointVocabulary(8);
    private final ChameleonSequenceBuilder builder = new ChameleonSequenceBuilder(vocabulary);
    private final int[] codes = {0, 7, 3};

    @Test
    void captionToImage() {
        TokenSequence s = builder.build("ab", codes, Direction.CAPTION_TO_IMAGE);
        int bos = JointVocabulary.BOS;
        int boi = JointVocabulary.BOI;
        int eoi = JointVocabulary.EOI;
        int eos = JointVocabulary.EOS;
        assertArrayEquals(new int[] {bos, 'a', 'b', boi, 261, 268, 264, eoi, eos}, s.tokens());
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1, 0, 0}, s.modalities());
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1, 0, 0}, s.imageSpanIds());
    }

    @Test
    void imageToCaption() {
        TokenSequence s = builder.build("ab", codes, Direction.IMAGE_TO_CAPTION);
        int bos = JointVocabulary.BOS;
        int boi = JointVocabulary.BOI;
        int eoi = JointVocabulary.EOI;
        int eos = JointVocabulary.EOS;
        assertArrayEquals(new int[] {bos, boi, 261, 268, 264, eoi, 'a', 'b', eos}, s.tokens());
        assertArrayEquals(new int[] {0, 0, 1, 1, 1, 0, 0, 0, 0}, s.modalities());
        assertArrayEquals(new int[] {0, 0, 1, 1, 1, 0, 0, 0, 0}, s.imageSpanIds());
        assertEquals(2 + 3 + ChameleonSequenceBuilder.FRAMING_TOKENS, s.length());
    }

    @Test
    void sequencesAreImmutableAndValidated() {
        TokenSequence s = builder.build("x", codes, Direction.CAPTION_TO_IMAGE);
        int[] tokens = s.tokens();
        tokens[0] = 99;
        assertEquals(JointVocabulary.BOS, s.token(0));
        assertThrows(
                IllegalArgumentException.class,
                () -> builder.build("x", new int[] {8}, Direction.CAPTION_TO_IMAGE));
        assertThrows(
                IllegalArgumentException.class,
                () -> new TokenSequence(new int[] {1, 2}, new int[] {0}, new int[] {0, 0}));
        assertThrows(
                IllegalArgumentException.class,
                () -> new TokenSequence(new int[0], new int[0], new int[0]));
        TokenSequence same = builder.build("x", codes.clone(), Direction.CAPTION_TO_IMAGE);
        assertEquals(s, same);
        assertEquals(s.hashCode(), same.hashCode());
    }
}
