package io.motdjl.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.tokenize.JointVocabulary;

import org.junit.jupiter.api.Test;

class ChameleonDecodingRuleTest {

    private static final JointVocabulary VOCAB = new JointVocabulary(8);

    private static boolean[] allowed(DecodingRule.RowState state) {
        boolean[] mask = new boolean[VOCAB.vocabSize()];
        state.allowed(mask);
        return mask;
    }

    @Test
    void insideAnImageOnlyCodesThenExactlyEoi() {
        ChameleonDecodingRule rule = new ChameleonDecodingRule(VOCAB, 3, true);
        DecodingRule.RowState state =
                rule.start(new int[] {JointVocabulary.BOS, 'a', JointVocabulary.BOI});
        for (int code = 0; code < 3; code++) {
            boolean[] mask = allowed(state);
            for (int t = 0; t < mask.length; t++) {
                assertEquals(VOCAB.isImageToken(t), mask[t], "code " + code + ", token " + t);
            }
            state.accept(VOCAB.imageToken(code));
        }
        boolean[] mask = allowed(state);
        for (int t = 0; t < mask.length; t++) {
            assertEquals(t == JointVocabulary.EOI, mask[t], "after the codes, token " + t);
        }
        state.accept(JointVocabulary.EOI);
        mask = allowed(state);
        assertTrue(mask['x'] && mask[JointVocabulary.EOS] && mask[JointVocabulary.BOI]);
        assertFalse(
                mask[JointVocabulary.BOS]
                        || mask[JointVocabulary.PAD]
                        || mask[JointVocabulary.EOI]);
        assertFalse(mask[VOCAB.imageToken(0)], "no image code outside an image");
    }

    @Test
    void textOnlyRuleNeverOpensAnImage() {
        ChameleonDecodingRule rule = new ChameleonDecodingRule(VOCAB, 3, false);
        int[] prompt = {
            JointVocabulary.BOS,
            JointVocabulary.BOI,
            VOCAB.imageToken(1),
            VOCAB.imageToken(2),
            VOCAB.imageToken(3),
            JointVocabulary.EOI
        };
        boolean[] mask = allowed(rule.start(prompt));
        for (int t = 0; t < mask.length; t++) {
            boolean text = t < JointVocabulary.BYTE_TOKENS || t == JointVocabulary.EOS;
            assertEquals(text, mask[t], "token " + t);
        }
    }

    @Test
    void promptsThatBreakTheLayoutAreRefused() {
        ChameleonDecodingRule rule = new ChameleonDecodingRule(VOCAB, 2, true);
        IllegalArgumentException codeInText =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> rule.start(new int[] {JointVocabulary.BOS, VOCAB.imageToken(0)}));
        assertTrue(codeInText.getMessage().contains("breaks the Chameleon layout"));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        rule.start(
                                new int[] {
                                    JointVocabulary.BOI,
                                    VOCAB.imageToken(0),
                                    VOCAB.imageToken(0),
                                    VOCAB.imageToken(0)
                                }));
        assertThrows(IllegalArgumentException.class, () -> rule.start(new int[] {'a', 9999}));
        assertThrows(
                IllegalArgumentException.class,
                () -> rule.start(new int[] {JointVocabulary.BOI, 'a'}));
    }
}
