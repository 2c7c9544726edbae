package io.motdjl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.tokenize.JointVocabulary;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

/** Sequences of text, image codes and speech units over a 3-modality vocabulary (K = 8, U = 6). */
class InterleavedSequenceBuilderTest {

    private static final JointVocabulary VOCAB = JointVocabulary.withSpeech(8, 6);
    private static final int BOS = JointVocabulary.BOS;
    private static final int EOS = JointVocabulary.EOS;
    private static final int BOI = JointVocabulary.BOI;
    private static final int EOI = JointVocabulary.EOI;
    private static final int BOSP = 269;
    private static final int EOSP = 270;

    private final InterleavedSequenceBuilder builder = new InterleavedSequenceBuilder(VOCAB);
    private final int[] codes = {0, 7};
    private final int[] units = {5, 0, 2};

    private TokenSequence build(Pairing pairing) {
        return builder.build(pairing, "ab", codes, units);
    }

    @Test
    void theVocabularyPutsTheMarkersWhereTheTestsExpect() {
        assertEquals(BOSP, VOCAB.bosp());
        assertEquals(EOSP, VOCAB.eosp());
        assertArrayEquals(new int[] {276, 271, 273}, VOCAB.speechTokens(units));
    }

    @Test
    void captionAndImageAsChameleonLaysThemOut() {
        TokenSequence c2i = build(Pairing.CAPTION_TO_IMAGE);
        assertArrayEquals(new int[] {BOS, 'a', 'b', BOI, 261, 268, EOI, EOS}, c2i.tokens());
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 0, 0}, c2i.modalities());
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 0, 0}, c2i.imageSpanIds());
        TokenSequence i2c = build(Pairing.IMAGE_TO_CAPTION);
        assertArrayEquals(new int[] {BOS, BOI, 261, 268, EOI, 'a', 'b', EOS}, i2c.tokens());
        assertArrayEquals(new int[] {0, 0, 1, 1, 0, 0, 0, 0}, i2c.modalities());
        ChameleonSequenceBuilder chameleon = new ChameleonSequenceBuilder(VOCAB);
        for (Direction d : Direction.values()) {
            TokenSequence same = chameleon.build("ab", codes, d);
            assertEquals(build(Pairing.of(d)), same, d.toString());
            assertEquals(
                    new ChameleonSequenceBuilder(new JointVocabulary(8)).build("ab", codes, d),
                    same,
                    "the speech range changes no caption-image sequence");
        }
    }

    @Test
    void captionAndSpeechBothWays() {
        TokenSequence c2s = build(Pairing.CAPTION_TO_SPEECH);
        assertArrayEquals(new int[] {BOS, 'a', 'b', BOSP, 276, 271, 273, EOSP, EOS}, c2s.tokens());
        assertArrayEquals(new int[] {0, 0, 0, 2, 2, 2, 2, 2, 0}, c2s.modalities());
        assertArrayEquals(new int[9], c2s.imageSpanIds(), "speech is causal: no span ids");
        TokenSequence s2c = build(Pairing.SPEECH_TO_CAPTION);
        assertArrayEquals(new int[] {BOS, BOSP, 276, 271, 273, EOSP, 'a', 'b', EOS}, s2c.tokens());
        assertArrayEquals(new int[] {0, 2, 2, 2, 2, 2, 0, 0, 0}, s2c.modalities());
        assertArrayEquals(new int[9], s2c.imageSpanIds());
    }

    @Test
    void imageAndSpeechBothWays() {
        TokenSequence i2s = build(Pairing.IMAGE_TO_SPEECH);
        assertArrayEquals(
                new int[] {BOS, BOI, 261, 268, EOI, BOSP, 276, 271, 273, EOSP, EOS}, i2s.tokens());
        assertArrayEquals(new int[] {0, 0, 1, 1, 0, 2, 2, 2, 2, 2, 0}, i2s.modalities());
        assertArrayEquals(new int[] {0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0}, i2s.imageSpanIds());
        TokenSequence s2i = build(Pairing.SPEECH_TO_IMAGE);
        assertArrayEquals(
                new int[] {BOS, BOSP, 276, 271, 273, EOSP, BOI, 261, 268, EOI, EOS}, s2i.tokens());
        assertArrayEquals(new int[] {0, 2, 2, 2, 2, 2, 0, 1, 1, 0, 0}, s2i.modalities());
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0}, s2i.imageSpanIds());
    }

    @Test
    void anyPartsInAnyOrderEachImageItsOwnSpan() {
        TokenSequence s =
                builder.build(
                        SequencePart.image(new int[] {1}),
                        SequencePart.speech(new int[] {3}),
                        SequencePart.text("x"),
                        SequencePart.image(new int[] {2}));
        assertArrayEquals(
                new int[] {BOS, BOI, 262, EOI, BOSP, 274, EOSP, 'x', BOI, 263, EOI, EOS},
                s.tokens());
        assertArrayEquals(new int[] {0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 0}, s.imageSpanIds());
        assertEquals(6, Pairing.values().length);
        for (Pairing p : Pairing.values()) {
            assertEquals(
                    p.first() == SequencePart.Kind.SPEECH || p.second() == SequencePart.Kind.SPEECH,
                    p.hasSpeech());
        }
    }

    @Test
    void modalityIdsAreThoseTheConfigsTokenRangesGive() {
        MoTConfig config = VOCAB.applyTo(TinyModels.config(3)).maxSeqLen(16).build();
        long[][] ranges = config.modalityTokenRanges();
        for (Pairing p : Pairing.values()) {
            TokenSequence s = build(p);
            for (int t = 0; t < s.length(); t++) {
                int m = s.modality(t);
                assertTrue(
                        s.token(t) >= ranges[m][0] && s.token(t) < ranges[m][1],
                        p + ": token " + s.token(t) + " at " + t + " outside range of " + m);
            }
        }
        // the model's input validation agrees: it runs the sequence, and refuses a BOSP
        // labelled text
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            TokenSequence s = build(Pairing.SPEECH_TO_IMAGE);
            NDArray logits = TinyModels.logits(model, manager, inputs(manager, s));
            assertEquals(new Shape(1, s.length(), VOCAB.vocabSize()), logits.getShape());
            int[] wrong = s.modalities();
            wrong[1] = JointVocabulary.TEXT;
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    TinyModels.logits(
                                            model,
                                            manager,
                                            MoTInputs.of(
                                                    row(manager, s.tokens()),
                                                    row(manager, wrong))));
            assertTrue(e.getMessage().contains(String.valueOf(BOSP)), e.getMessage());
        }
    }

    private static MoTInputs inputs(NDManager manager, TokenSequence s) {
        return MoTInputs.of(row(manager, s.tokens()), row(manager, s.modalities()));
    }

    private static NDArray row(NDManager manager, int[] values) {
        long[] longs = Arrays.stream(values).asLongStream().toArray();
        return manager.create(longs, new Shape(1, values.length));
    }

    @Test
    void badPartsAreRefusedSayingWhatWasExpected() {
        IllegalArgumentException empty =
                assertThrows(IllegalArgumentException.class, () -> SequencePart.speech(new int[0]));
        assertEquals("a speech part needs at least one unit, got none", empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SequencePart.image(new int[0]));
        IllegalArgumentException unit =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                builder.build(
                                        Pairing.CAPTION_TO_SPEECH, "a", null, new int[] {1, 6}));
        assertEquals("speech unit 6 is outside [0, 6)", unit.getMessage());
        InterleavedSequenceBuilder noSpeech =
                new InterleavedSequenceBuilder(new JointVocabulary(8));
        IllegalArgumentException vocabulary =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> noSpeech.build(Pairing.SPEECH_TO_CAPTION, "a", null, units));
        assertTrue(
                vocabulary.getMessage().contains("needs a vocabulary with speech units"),
                vocabulary.getMessage());
        IllegalArgumentException missing =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> builder.build(Pairing.IMAGE_TO_SPEECH, "a", codes, null));
        assertEquals("IMAGE_TO_SPEECH needs the speech part, got null", missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.build(List.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> builder.build(Pairing.CAPTION_TO_IMAGE, "a", new int[] {8}, null));
    }
}
