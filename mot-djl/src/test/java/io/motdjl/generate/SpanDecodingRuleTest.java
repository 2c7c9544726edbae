package io.motdjl.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.tokenize.JointVocabulary;

import org.junit.jupiter.api.Test;

import java.util.function.IntPredicate;

/** The general rule over text, image spans (3 codes) and speech spans (at most 3 units). */
class SpanDecodingRuleTest {

    /** K = 8 image codes, U = 6 speech units: BOSP 269, EOSP 270, units 271..276. */
    private static final JointVocabulary VOCAB = JointVocabulary.withSpeech(8, 6);

    private static final int BOS = JointVocabulary.BOS;
    private static final int EOS = JointVocabulary.EOS;
    private static final int BOI = JointVocabulary.BOI;
    private static final int EOI = JointVocabulary.EOI;
    private static final int BOSP = VOCAB.bosp();
    private static final int EOSP = VOCAB.eosp();

    private static SpanDecodingRule rule(boolean imagesMayOpen, boolean speechMayOpen) {
        return SpanDecodingRule.builder(VOCAB)
                .images(3, imagesMayOpen)
                .speech(3, speechMayOpen)
                .build();
    }

    private static boolean[] allowed(DecodingRule.RowState state) {
        boolean[] mask = new boolean[VOCAB.vocabSize()];
        state.allowed(mask);
        return mask;
    }

    /** Asserts that exactly the tokens {@code expected} accepts are allowed. */
    private static void assertAllows(
            DecodingRule.RowState state, IntPredicate expected, String where) {
        boolean[] mask = allowed(state);
        for (int t = 0; t < mask.length; t++) {
            assertEquals(expected.test(t), mask[t], where + ": token " + VOCAB.tokenName(t));
        }
    }

    private static boolean isText(int token) {
        return token < JointVocabulary.BYTE_TOKENS || token == EOS;
    }

    @Test
    void outsideASpanTextAndTheBeginMarkersTheCallerAllows() {
        assertAllows(
                rule(true, true).start(new int[] {BOS, 'a'}),
                t -> isText(t) || t == BOI || t == BOSP,
                "text, both may open");
        assertAllows(
                rule(false, true).start(new int[] {BOS}),
                t -> isText(t) || t == BOSP,
                "text, speech may open");
        assertAllows(
                rule(false, false).start(new int[] {BOS}),
                SpanDecodingRuleTest::isText,
                "text only");
        assertAllows(
                SpanDecodingRule.builder(VOCAB).build().start(new int[] {BOS}),
                SpanDecodingRuleTest::isText,
                "a rule that knows no span");
    }

    @Test
    void insideSpeechAtLeastOneUnitAtMostTheMaximumThenEosp() {
        DecodingRule.RowState state = rule(true, true).start(new int[] {BOS, 'a', BOSP});
        assertAllows(state, VOCAB::isSpeechUnitToken, "after BOSP: a unit, not yet EOSP");
        state.accept(VOCAB.speechToken(5));
        assertAllows(state, t -> VOCAB.isSpeechUnitToken(t) || t == EOSP, "after 1 unit");
        state.accept(VOCAB.speechToken(0));
        assertAllows(state, t -> VOCAB.isSpeechUnitToken(t) || t == EOSP, "after 2 units");
        state.accept(VOCAB.speechToken(0));
        assertAllows(state, t -> t == EOSP, "at the maximum: only EOSP");
        state.accept(EOSP);
        assertAllows(state, t -> isText(t) || t == BOI || t == BOSP, "after EOSP: text again");
        state.accept(BOSP);
        assertAllows(state, VOCAB::isSpeechUnitToken, "a second utterance starts afresh");
    }

    @Test
    void insideAnImageExactlyItsCodesThenEoiAndNoSpeech() {
        DecodingRule.RowState state = rule(true, true).start(new int[] {BOS, BOI});
        for (int code = 0; code < 3; code++) {
            assertAllows(state, VOCAB::isImageToken, "code " + code);
            state.accept(VOCAB.imageToken(code));
        }
        assertAllows(state, t -> t == EOI, "after the codes");
        state.accept(EOI);
        state.accept(BOSP);
        assertAllows(state, VOCAB::isSpeechUnitToken, "speech after an image");
    }

    @Test
    void theSamplerFollowsTheMaskWhateverTheLogitsSay() {
        DecodingRule.RowState state = rule(false, false).start(new int[] {BOS, 'a', BOSP});
        float[] logits = new float[VOCAB.vocabSize()];
        logits[EOSP] = 100f; // the model wants to end at once
        logits[EOS] = 90f;
        logits[VOCAB.speechToken(4)] = 1f;
        TokenSampler greedy = new TokenSampler(SamplingSettings.greedy());
        boolean[] mask = allowed(state);
        assertEquals(VOCAB.speechToken(4), greedy.sample(logits, mask, greedy.randomForRow(0)));
        for (int i = 0; i < 3; i++) {
            state.accept(VOCAB.speechToken(4));
        }
        logits[EOSP] = -100f; // and now wants to go on
        logits[VOCAB.speechToken(4)] = 100f;
        assertEquals(EOSP, greedy.sample(logits, allowed(state), greedy.randomForRow(0)));
    }

    @Test
    void promptsMayHoldSpansTheModelMayNotOpen() {
        int[] spoken = {BOS, BOSP, VOCAB.speechToken(1), VOCAB.speechToken(2), EOSP};
        assertAllows(rule(false, false).start(spoken), SpanDecodingRuleTest::isText, "s -> c");
        int[] spokenThenImage = {BOS, BOSP, VOCAB.speechToken(1), EOSP, BOI};
        assertAllows(rule(false, false).start(spokenThenImage), VOCAB::isImageToken, "s -> i");
        int[] imageThenSpeech = {
            BOS, BOI, VOCAB.imageToken(1), VOCAB.imageToken(2), VOCAB.imageToken(3), EOI, BOSP
        };
        assertAllows(rule(false, false).start(imageThenSpeech), VOCAB::isSpeechUnitToken, "i -> s");
    }

    @Test
    void promptsThatBreakTheLayoutAreRefusedNamingTokenAndState() {
        SpanDecodingRule rule = rule(true, true);
        assertRefused(
                rule,
                new int[] {BOS, VOCAB.speechToken(0)},
                "prompt token <sp:0> at 1 breaks the Chameleon + speech layout"
                        + " (text: bytes, EOS, BOI or BOSP)");
        assertRefused(
                rule,
                new int[] {BOS, BOSP, EOSP},
                "prompt token <EOSP> at 2 breaks the Chameleon + speech layout"
                        + " (a speech span has begun: a unit must follow)");
        int unit = VOCAB.speechToken(0);
        assertRefused(
                rule,
                new int[] {BOSP, unit, 'a'},
                "prompt token 'a' at 2 breaks the Chameleon + speech layout"
                        + " (inside speech after 1 of at most 3 units: a unit or EOSP)");
        assertRefused(
                rule,
                new int[] {BOSP, unit, unit, unit, unit},
                "prompt token <sp:0> at 4 breaks the Chameleon + speech layout"
                        + " (a speech span has its most 3 units: EOSP must follow)");
        assertRefused(
                rule,
                new int[] {BOI, VOCAB.imageToken(0), BOSP},
                "prompt token <BOSP> at 2 breaks the Chameleon + speech layout"
                        + " (inside an image after 1 of 3 codes)");
        assertRefused(
                rule,
                new int[] {BOS, EOSP},
                "prompt token <EOSP> at 1 breaks the Chameleon + speech layout"
                        + " (text: bytes, EOS, BOI or BOSP)");
        assertRefused(
                rule(false, false),
                new int[] {BOS, BOS},
                "prompt token <BOS> at 1 breaks the Chameleon + speech layout"
                        + " (text only: bytes or EOS)");
        IllegalArgumentException outside =
                assertThrows(IllegalArgumentException.class, () -> rule.start(new int[] {277}));
        assertEquals(
                "prompt token 277 at 0 is outside the vocabulary [0, 277)", outside.getMessage());
    }

    @Test
    void theChameleonRuleKnowsNoSpeechEvenInASpeechVocabulary() {
        ChameleonDecodingRule chameleon = new ChameleonDecodingRule(VOCAB, 3, true);
        assertRefused(
                chameleon,
                new int[] {BOS, BOSP},
                "prompt token <BOSP> at 1 breaks the Chameleon layout (text: bytes, EOS or BOI)");
        assertAllows(
                chameleon.start(new int[] {BOS}), t -> isText(t) || t == BOI, "no BOSP generated");
        assertRefused(
                new ChameleonDecodingRule(VOCAB, 3, false),
                new int[] {BOS, BOI, VOCAB.imageToken(0), 'a'},
                "prompt token 'a' at 3 breaks the Chameleon layout"
                        + " (inside an image after 1 of 3 codes)");
        assertRefused(
                new ChameleonDecodingRule(new JointVocabulary(8), 1, false),
                new int[] {BOI, VOCAB.imageToken(0), 'a'},
                "prompt token 'a' at 2 breaks the Chameleon layout"
                        + " (an image's 1 codes are complete: EOI must follow)");
        assertRefused(
                new ChameleonDecodingRule(new JointVocabulary(8), 1, false),
                new int[] {BOS, 'a', VOCAB.imageToken(0)},
                "prompt token <img:0> at 2 breaks the Chameleon layout (text only: bytes or EOS)");
    }

    @Test
    void badConfigurationsAreRefused() {
        IllegalArgumentException noSpeech =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> SpanDecodingRule.builder(new JointVocabulary(8)).speech(10, true));
        assertTrue(noSpeech.getMessage().contains("withSpeech"), noSpeech.getMessage());
        IllegalArgumentException noRoom =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> SpanDecodingRule.builder(VOCAB).speech(0, true));
        assertTrue(noRoom.getMessage().contains("at least one unit"), noRoom.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> SpanDecodingRule.builder(VOCAB).images(0, true));
        SpanDecodingRule rule = rule(true, false);
        assertEquals(3, rule.codesPerImage());
        assertEquals(3, rule.maxSpeechUnits());
    }

    private static void assertRefused(DecodingRule rule, int[] prompt, String message) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> rule.start(prompt));
        assertEquals(message, e.getMessage());
    }
}
