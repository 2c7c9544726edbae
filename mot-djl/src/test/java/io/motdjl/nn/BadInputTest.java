package io.motdjl.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad inputs are clear exceptions that say what was wrong and what was expected. */
class BadInputTest {

    private NDManager manager;
    private MoTModel model;
    private MoTConfig config;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
        config = TinyModels.config(2).modalityTokenRanges(new long[][] {{0, 20}, {20, 37}}).build();
        model = TinyModels.model(config, manager, DataType.FLOAT32);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private void expect(String fragment, Executable run) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, run);
        assertTrue(e.getMessage().contains(fragment), "message was: " + e.getMessage());
    }

    private NDArray longs(long[] values, long rows, long cols) {
        return manager.create(values, new Shape(rows, cols));
    }

    private void forward(NDArray tokens, NDArray modalities) {
        TinyModels.logits(model, manager, MoTInputs.of(tokens, modalities));
    }

    @Test
    void modalityIdOutOfRange() {
        expect(
                "modality id 2 at (0, 1) is outside [0, 2)",
                () ->
                        forward(
                                longs(new long[] {1, 2, 3}, 1, 3),
                                longs(new long[] {0, 2, 0}, 1, 3)));
        expect(
                "modality id -1",
                () ->
                        forward(
                                longs(new long[] {1, 2, 3}, 1, 3),
                                longs(new long[] {0, -1, 0}, 1, 3)));
    }

    @Test
    void shapeMismatch() {
        expect(
                "modalities must have the same shape as tokens (1, 3), got (1, 2)",
                () -> forward(longs(new long[] {1, 2, 3}, 1, 3), longs(new long[] {0, 0}, 1, 2)));
        expect(
                "tokens must have shape (B, T), got (3)",
                () ->
                        forward(
                                manager.create(new long[] {1, 2, 3}),
                                manager.create(new long[] {0, 0, 0})));
    }

    @Test
    void tokenOutsideVocabularyOrItsModalityRange() {
        expect(
                "token id 37 at (0, 2) is outside the vocabulary [0, 37)",
                () ->
                        forward(
                                longs(new long[] {1, 2, 37}, 1, 3),
                                longs(new long[] {0, 0, 1}, 1, 3)));
        expect(
                "token id 5 at (0, 1) is outside modality 1's token range [20, 37)",
                () ->
                        forward(
                                longs(new long[] {1, 5, 30}, 1, 3),
                                longs(new long[] {0, 1, 1}, 1, 3)));
    }

    @Test
    void sequenceLongerThanMaximum() {
        int t = config.maxSeqLen() + 1;
        expect(
                "sequence length 13 exceeds the model's max_seq_len 12",
                () ->
                        forward(
                                manager.zeros(new Shape(1, t), DataType.INT64),
                                manager.zeros(new Shape(1, t), DataType.INT64)));
    }

    @Test
    void floatTokensAreRejected() {
        expect(
                "tokens must be an integer array",
                () ->
                        forward(
                                manager.zeros(new Shape(1, 3)),
                                manager.zeros(new Shape(1, 3), DataType.INT64)));
    }

    @Test
    void emptySequence() {
        expect(
                "at least one token",
                () ->
                        forward(
                                manager.zeros(new Shape(1, 0), DataType.INT64),
                                manager.zeros(new Shape(1, 0), DataType.INT64)));
    }

    @Test
    void optionalArraysMustMatchTokens() {
        NDArray tokens = longs(new long[] {1, 2, 3}, 1, 3);
        NDArray modalities = longs(new long[] {0, 0, 0}, 1, 3);
        expect(
                "image_span_ids must have the same shape as tokens",
                () ->
                        TinyModels.logits(
                                model,
                                manager,
                                MoTInputs.of(tokens, modalities)
                                        .withImageSpanIds(longs(new long[] {0, 0}, 1, 2))));
    }

    @Test
    void configsThatCannotWork() {
        expectConfig("n_heads (3) must divide dim (16)", TinyModels.config(2).nHeads(3));
        expectConfig("head_dim must be even", TinyModels.config(2).dim(12).nHeads(4));
        expectConfig("n_modalities must be positive, got 0", TinyModels.config(0));
        expectConfig(
                "n_heads * head_dim must equal dim: 4 * 8 != 16", TinyModels.config(2).headDim(8));
        expectConfig("norm_eps must be a positive finite number", TinyModels.config(2).normEps(0));
        expectConfig(
                "modality_token_ranges[1] must be [start, end)",
                TinyModels.config(2).modalityTokenRanges(new long[][] {{0, 10}, {10, 99}}));
    }

    private void expectConfig(String fragment, MoTConfig.Builder builder) {
        expect(fragment, builder::build);
    }
}
