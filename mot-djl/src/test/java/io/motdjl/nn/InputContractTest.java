package io.motdjl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.motdjl.GoldenCase;
import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.Map;

/**
 * The input contract of a forward pass (docs/design.md, "Input contract"): one test per refused
 * case, each checking that the message names the array, the position, the value and the rule; and
 * the inputs the contract allows, the golden cases' among them.
 */
class InputContractTest {

    /** Two modalities: tokens 0..19 are modality 0, 20..36 modality 1. */
    private static final MoTConfig CONFIG =
            TinyModels.config(2).modalityTokenRanges(new long[][] {{0, 20}, {20, 37}}).build();

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** One row of eight tokens: text, text, image x4, text, text. */
    private MoTInputs row() {
        return MoTInputs.of(longs(1, 2, 21, 22, 23, 24, 3, 4), longs(0, 0, 1, 1, 1, 1, 0, 0));
    }

    private NDArray longs(long... values) {
        return manager.create(values, new Shape(1, values.length));
    }

    private static void refused(MoTInputs inputs, String... fragments) {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> InputValidator.validate(CONFIG, inputs));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- refused: the arrays

    @Test
    void anUnnamedOrMissingArrayIsAClearErrorNotANullPointer() {
        ai.djl.ndarray.NDList list = row().toNDList();
        // a mask whose name was lost (DJL's ArrayDataset drops names)
        list.add(longs(1, 1, 1, 1, 1, 1, 1, 1));
        IllegalArgumentException unnamed =
                assertThrows(IllegalArgumentException.class, () -> MoTInputs.from(list));
        assertTrue(unnamed.getMessage().contains("an unnamed array"), unnamed.getMessage());
        assertTrue(unnamed.getMessage().contains("attention_mask"), unnamed.getMessage());
        IllegalArgumentException none =
                assertThrows(IllegalArgumentException.class, () -> MoTInputs.from(null));
        assertTrue(none.getMessage().contains("got null"), none.getMessage());
        IllegalArgumentException noTokens =
                assertThrows(IllegalArgumentException.class, () -> MoTInputs.of(null, null));
        assertTrue(noTokens.getMessage().contains("no tokens"), noTokens.getMessage());
    }

    // ---------------------------------------------------------------- refused: image spans

    @Test
    void negativeSpanIdIsRefused() {
        refused(
                row().withImageSpanIds(longs(0, 0, -1, -1, -1, -1, 0, 0)),
                "image_span_ids value -1 at (0, 2) is negative",
                "0 means outside any span");
    }

    @Test
    void spanIdReusedAwayFromItsRunIsRefused() {
        refused(
                row().withImageSpanIds(longs(0, 0, 1, 1, 0, 1, 0, 0)),
                "image_span_ids value 1 at (0, 5)",
                "span 1 of row 0 already ended at position 3",
                "one contiguous run");
    }

    @Test
    void spanCrossingModalitiesIsRefused() {
        refused(
                row().withImageSpanIds(longs(0, 1, 1, 1, 1, 1, 0, 0)),
                "image_span_ids value 1 at (0, 2)",
                "modality 1 but span 1 began at position 1 with modality 0",
                "one modality");
    }

    @Test
    void paddingInsideASpanIsRefused() {
        refused(
                row().withImageSpanIds(longs(0, 0, 1, 1, 1, 1, 0, 0))
                        .withValidTokens(longs(1, 1, 1, 1, 1, 0, 0, 0)),
                "image_span_ids value 1 at (0, 5) puts padding",
                "padding must have span id 0");
    }

    @Test
    void spanCrossingDocumentsIsRefused() {
        refused(
                row().withImageSpanIds(longs(0, 0, 1, 1, 1, 1, 0, 0))
                        .withDocumentIds(longs(0, 0, 0, 0, 1, 1, 1, 1)),
                "image_span_ids value 1 at (0, 4)",
                "document 1 but span 1 began at position 2 in document 0",
                "inside one document");
    }

    @Test
    void floatSpanIdsAreRefused() {
        refused(
                row().withImageSpanIds(manager.zeros(new Shape(1, 8), DataType.FLOAT32)),
                "image_span_ids must be an integer array");
    }

    // ---------------------------------------------------------------- refused: documents

    @Test
    void negativeDocumentIdIsRefused() {
        refused(
                row().withDocumentIds(longs(0, 0, 0, 0, -2, -2, -2, -2)),
                "document_ids value -2 at (0, 4) is negative",
                "must be >= 0");
    }

    @Test
    void documentIdReusedAwayFromItsRunIsRefused() {
        refused(
                row().withDocumentIds(longs(3, 3, 4, 4, 4, 4, 3, 3)),
                "document_ids value 3 at (0, 6)",
                "document 3 of row 0 already ended at position 1",
                "one contiguous run");
    }

    @Test
    void documentIdsOfAnotherShapeAreRefused() {
        refused(
                row().withDocumentIds(manager.zeros(new Shape(2, 4), DataType.INT64)),
                "document_ids must have the same shape as tokens (1, 8), got (2, 4)");
    }

    // ---------------------------------------------------------------- refused: padding mask

    @Test
    void paddingMaskValuesOtherThanZeroOrOneAreRefused() {
        refused(
                row().withValidTokens(longs(1, 1, 2, 1, 1, 1, 1, 1)),
                "attention_mask value 2 at (0, 2) is neither 1 (real token) nor 0 (padding)");
    }

    @Test
    void floatPaddingMaskIsRefused() {
        refused(
                row().withValidTokens(manager.ones(new Shape(1, 8), DataType.FLOAT32)),
                "attention_mask must be an integer or boolean array",
                "float32");
    }

    // ---------------------------------------------------------------- allowed

    @Test
    void adjacentSpansOfOneModalityAndSpanIdsReusedInAnotherRowAreAllowed() {
        NDArray tokens = manager.create(new long[] {21, 22, 23, 24, 21, 22, 1, 2}, new Shape(2, 4));
        NDArray modalities = manager.create(new long[] {1, 1, 1, 1, 1, 1, 0, 0}, new Shape(2, 4));
        NDArray spans = manager.create(new long[] {1, 1, 2, 2, 1, 1, 0, 0}, new Shape(2, 4));
        InputValidator.validate(CONFIG, MoTInputs.of(tokens, modalities).withImageSpanIds(spans));
    }

    @Test
    void paddingMayCarryAnyDocumentIdAndABooleanMaskIsAllowed() {
        // left padding in document 7, a padding hole inside document 1, right padding in 0
        NDArray valid =
                manager.create(new boolean[] {false, true, true, false, true, true, true, false})
                        .reshape(1, 8);
        InputValidator.HostCopies host =
                InputValidator.validate(
                        CONFIG,
                        row().withImageSpanIds(longs(0, 0, 0, 0, 1, 1, 0, 0))
                                .withDocumentIds(longs(7, 1, 1, 1, 1, 1, 2, 0))
                                .withValidTokens(valid));
        assertArrayEquals(new long[] {0, 1, 1, 0, 1, 1, 1, 0}, host.validTokens());
    }

    @Test
    void withoutOptionalArraysNothingIsCopied() {
        InputValidator.HostCopies host = InputValidator.validate(CONFIG, row());
        assertNull(host.validTokens());
        assertArrayEquals(new long[] {0, 0, 1, 1, 1, 1, 0, 0}, host.modalityIds());
    }

    static Iterable<String> goldenCases() {
        return GoldenCase.NAMES;
    }

    /** Every golden input, spans included, satisfies the contract of its own config. */
    @ParameterizedTest
    @MethodSource("goldenCases")
    void goldenInputsAreAllowed(String name) throws IOException {
        MoTConfig config = MoTConfig.read(GoldenCase.dir(name).resolve("config.json"));
        Map<String, NDArray> input = GoldenCase.input(name, manager);
        MoTInputs in = MoTInputs.of(input.get("tokens"), input.get("modalities"));
        if (input.containsKey("image_span_ids")) {
            in = in.withImageSpanIds(input.get("image_span_ids"));
        }
        InputValidator.validate(config, in);
    }
}
