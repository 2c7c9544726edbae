package io.motdjl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.MoeConfig;
import io.motdjl.config.MoeRouting;
import io.motdjl.config.NormOrder;
import io.motdjl.config.RopeStyle;
import io.motdjl.config.Untie;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Incremental decoding with a {@link KeyValueCache} gives the logits of a full forward pass. */
class KeyValueCacheTest {

    private static final double TOLERANCE = 1e-4;
    private static final int LENGTH = 12;

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of(NormOrder.POST, true, 2, RopeStyle.INTERLEAVED, Untie.ALL),
                Arguments.of(NormOrder.POST, false, 2, RopeStyle.HALF, Untie.ALL),
                Arguments.of(NormOrder.PRE, true, 2, RopeStyle.HALF, Untie.ALL),
                Arguments.of(NormOrder.PRE, false, 3, RopeStyle.INTERLEAVED, Untie.ALL),
                Arguments.of(NormOrder.POST, true, 3, RopeStyle.INTERLEAVED, Untie.ALL),
                Arguments.of(NormOrder.PRE, true, 2, RopeStyle.INTERLEAVED, Untie.NONE));
    }

    private static MoTConfig config(
            NormOrder order, boolean qkNorm, int modalities, RopeStyle rope, Untie untie) {
        return TinyModels.config(modalities)
                .normOrder(order)
                .qkNorm(qkNorm)
                .ropeStyle(rope)
                .untie(untie)
                .maxSeqLen(LENGTH)
                .build();
    }

    @ParameterizedTest(name = "{0} qkNorm={1} M={2} {3} untie={4}")
    @MethodSource("variants")
    void prefillThenOneTokenAtATimeMatchesTheFullPass(
            NormOrder order, boolean qkNorm, int modalities, RopeStyle rope, Untie untie) {
        MoTConfig config = config(order, qkNorm, modalities, rope, untie);
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Random random = new Random(7);
            NDArray tokens = TinyModels.ids(manager, random, 3, LENGTH, config.vocabSize());
            NDArray modalityIds = TinyModels.ids(manager, random, 3, LENGTH, modalities);
            NDArray full = TinyModels.logits(model, manager, MoTInputs.of(tokens, modalityIds));

            for (int prefill : new int[] {1, 5, LENGTH}) {
                NDArray cached = decode(model, manager, tokens, modalityIds, null, prefill);
                double diff = TinyModels.maxAbsDiff(full, cached);
                assertTrue(diff < TOLERANCE, "prefill " + prefill + ": max |Δlogit| " + diff);
            }
        }
    }

    @Test
    void aTokenChoiceMixtureDecodesLikeTheFullPass() {
        // top-2 experts in the text tower only (the paper's hybrid, made causal)
        MoTConfig config =
                TinyModels.config(2)
                        .maxSeqLen(LENGTH)
                        .moe(new MoeConfig(3, MoeRouting.TOKEN_CHOICE, 2, 1.0, List.of(0)))
                        .build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Random random = new Random(5);
            NDArray tokens = TinyModels.ids(manager, random, 2, LENGTH, config.vocabSize());
            NDArray modalityIds = TinyModels.ids(manager, random, 2, LENGTH, 2);
            NDArray full = TinyModels.logits(model, manager, MoTInputs.of(tokens, modalityIds));
            NDArray cached = decode(model, manager, tokens, modalityIds, null, 3);
            double diff = TinyModels.maxAbsDiff(full, cached);
            assertTrue(diff < TOLERANCE, "max |Δlogit| " + diff);
        }
    }

    @Test
    void anExpertChoiceMixtureRefusesTheCacheAndSaysWhy() {
        MoTConfig config =
                TinyModels.config(2)
                        .maxSeqLen(LENGTH)
                        .moe(new MoeConfig(3, MoeRouting.EXPERT_CHOICE, 1, 1.0, List.of(0)))
                        .build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Random random = new Random(5);
            NDArray tokens = TinyModels.ids(manager, random, 1, LENGTH, config.vocabSize());
            NDArray modalityIds = TinyModels.ids(manager, random, 1, LENGTH, 2);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> decode(model, manager, tokens, modalityIds, null, 4));
            assertTrue(e.getMessage().contains("expert_choice"), e.getMessage());
            assertTrue(e.getMessage().contains("token_choice"), e.getMessage());
            // scoring whole sequences works
            NDArray full = TinyModels.logits(model, manager, MoTInputs.of(tokens, modalityIds));
            assertEquals(new Shape(1, LENGTH, config.vocabSize()), full.getShape());
        }
    }

    @Test
    void leftPaddedRowsDecodeLikeTheirUnpaddedSelves() {
        MoTConfig config = config(NormOrder.POST, true, 2, RopeStyle.INTERLEAVED, Untie.ALL);
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Random random = new Random(11);
            NDArray tokens = TinyModels.ids(manager, random, 2, LENGTH, config.vocabSize());
            NDArray modalityIds = TinyModels.ids(manager, random, 2, LENGTH, 2);
            int pad = 4;
            long[] valid = new long[2 * LENGTH];
            for (int t = 0; t < LENGTH; t++) {
                valid[t] = t < pad ? 0 : 1; // row 0: four padding slots first
                valid[LENGTH + t] = 1;
            }
            NDArray validTokens = manager.create(valid, new Shape(2, LENGTH));
            NDArray full =
                    TinyModels.logits(
                            model,
                            manager,
                            MoTInputs.of(tokens, modalityIds).withValidTokens(validTokens));
            NDArray cached = decode(model, manager, tokens, modalityIds, validTokens, pad + 2);
            NDIndex real = new NDIndex(":, " + pad + ":");
            double diff = TinyModels.maxAbsDiff(full.get(real), cached.get(real));
            assertTrue(diff < TOLERANCE, "padded batch: max |Δlogit| " + diff);

            // row 0 without its padding, alone: the same logits at the same tokens
            NDIndex row0 = new NDIndex("0:1, " + pad + ":");
            NDArray alone =
                    TinyModels.logits(
                            model, manager, MoTInputs.of(tokens.get(row0), modalityIds.get(row0)));
            double shift = TinyModels.maxAbsDiff(alone, cached.get(row0));
            assertTrue(shift < TOLERANCE, "padded vs unpadded row: max |Δlogit| " + shift);
        }
    }

    @Test
    void decodingLeavesNoArraysBehind() {
        MoTConfig config = config(NormOrder.POST, true, 2, RopeStyle.INTERLEAVED, Untie.ALL);
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            ParameterStore ps = new ParameterStore(manager, false);
            int before = manager.getManagedArrays().size();
            try (KeyValueCache cache =
                    new KeyValueCache(
                            config, 2, LENGTH, manager, DataType.FLOAT32, manager.getDevice())) {
                int withCache = manager.getManagedArrays().size();
                for (int t = 0; t < LENGTH; t++) {
                    try (NDManager step = manager.newSubManager()) {
                        NDArray token = step.create(new long[] {t % 5, t % 7}, new Shape(2, 1));
                        NDArray modality = step.create(new long[] {t % 2, 1}, new Shape(2, 1));
                        model.forward(
                                ps,
                                MoTInputs.of(token, modality).toNDList(),
                                false,
                                cache.asParam());
                    }
                    assertEquals(withCache, manager.getManagedArrays().size(), "after step " + t);
                }
                assertEquals(LENGTH, cache.length());
            }
            assertEquals(before, manager.getManagedArrays().size());
        }
    }

    @Test
    void badUseIsRefusedWithAClearMessage() {
        MoTConfig config = config(NormOrder.POST, true, 2, RopeStyle.INTERLEAVED, Untie.ALL);
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            ParameterStore ps = new ParameterStore(manager, false);
            IllegalArgumentException tooLong =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    new KeyValueCache(
                                            config,
                                            1,
                                            LENGTH + 1,
                                            manager,
                                            DataType.FLOAT32,
                                            manager.getDevice()));
            assertTrue(tooLong.getMessage().contains("max_seq_len"), tooLong.getMessage());
            try (KeyValueCache cache =
                    new KeyValueCache(
                            config, 1, 4, manager, DataType.FLOAT32, manager.getDevice())) {
                NDArray five = manager.zeros(new Shape(1, 5), DataType.INT64);
                IllegalArgumentException full =
                        assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        model.forward(
                                                ps,
                                                MoTInputs.of(five, five).toNDList(),
                                                false,
                                                cache.asParam()));
                assertTrue(full.getMessage().contains("do not fit"), full.getMessage());
                NDArray two = manager.zeros(new Shape(2, 1), DataType.INT64);
                IllegalArgumentException rows =
                        assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        model.forward(
                                                ps,
                                                MoTInputs.of(two, two).toNDList(),
                                                false,
                                                cache.asParam()));
                assertTrue(rows.getMessage().contains("row"), rows.getMessage());
                NDArray one = manager.zeros(new Shape(1, 1), DataType.INT64);
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                model.forward(
                                        ps,
                                        MoTInputs.of(one, one).toNDList(),
                                        true,
                                        cache.asParam()));
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                model.forward(
                                        ps,
                                        MoTInputs.of(one, one).withDocumentIds(one).toNDList(),
                                        false,
                                        cache.asParam()));
                assertEquals(0, cache.length(), "a refused pass writes nothing");
            }
        }
    }

    @Test
    void anImageSpanAfterACachedPrefixAttendsBothWaysAndCanBeRunAgain() {
        MoTConfig config = config(NormOrder.PRE, true, 2, RopeStyle.HALF, Untie.ALL);
        int prefix = 5;
        int end = 10; // positions prefix..end-1 form image span 1
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            ParameterStore ps = new ParameterStore(manager, false);
            Random random = new Random(11);
            NDArray tokens = TinyModels.ids(manager, random, 2, end, config.vocabSize());
            long[] modality = new long[2 * end];
            long[] span = new long[2 * end];
            for (int i = 0; i < modality.length; i++) {
                boolean image = i % end >= prefix;
                modality[i] = image ? 1 : 0;
                span[i] = image ? 1 : 0;
            }
            NDArray modalities = manager.create(modality, new Shape(2, end));
            NDArray spans = manager.create(span, new Shape(2, end));
            NDArray full =
                    TinyModels.logits(
                            model,
                            manager,
                            MoTInputs.of(tokens, modalities).withImageSpanIds(spans));
            NDIndex head = new NDIndex(":, :" + prefix);
            NDIndex block = new NDIndex(":, " + prefix + ":");
            NDIndex part = new NDIndex(":, " + prefix + ":" + (prefix + 2));
            try (KeyValueCache cache =
                    new KeyValueCache(
                            config, 2, LENGTH, manager, DataType.FLOAT32, manager.getDevice())) {
                model.forward(
                        ps,
                        MoTInputs.of(tokens.get(head), modalities.get(head)).toNDList(),
                        false,
                        cache.asParam());
                MoTInputs spanPass =
                        MoTInputs.of(tokens.get(block), modalities.get(block))
                                .withImageSpanIds(spans.get(block));
                for (int run = 0; run < 2; run++) {
                    NDArray logits =
                            model.forward(ps, spanPass.toNDList(), false, cache.asParam()).head();
                    double diff = TinyModels.maxAbsDiff(full.get(block), logits);
                    assertTrue(diff < TOLERANCE, "run " + run + ": max |Δlogit| " + diff);
                    assertEquals(end, cache.length());
                    cache.rewind(prefix);
                }
                model.forward(
                        ps,
                        MoTInputs.of(tokens.get(part), modalities.get(part))
                                .withImageSpanIds(spans.get(part))
                                .toNDList(),
                        false,
                        cache.asParam());
                NDIndex rest = new NDIndex(":, " + (prefix + 2) + ":");
                IllegalArgumentException split =
                        assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        model.forward(
                                                ps,
                                                MoTInputs.of(tokens.get(rest), modalities.get(rest))
                                                        .withImageSpanIds(spans.get(rest))
                                                        .toNDList(),
                                                false,
                                                cache.asParam()));
                assertTrue(split.getMessage().contains("continues a span"), split.getMessage());
                assertThrows(IllegalArgumentException.class, () -> cache.rewind(prefix + 3));
                assertThrows(IllegalArgumentException.class, () -> cache.rewind(-1));
            }
        }
    }

    /** Logits of a prefill of {@code prefill} tokens and then one token per pass. */
    private static NDArray decode(
            MoTModel model,
            NDManager manager,
            NDArray tokens,
            NDArray modalities,
            NDArray validTokens,
            int prefill) {
        ParameterStore ps = new ParameterStore(manager, false);
        long rows = tokens.getShape().get(0);
        NDList pieces = new NDList();
        try (KeyValueCache cache =
                new KeyValueCache(
                        model.config(),
                        (int) rows,
                        LENGTH,
                        manager,
                        DataType.FLOAT32,
                        manager.getDevice())) {
            int start = 0;
            while (start < LENGTH) {
                int end = start == 0 ? prefill : start + 1;
                NDIndex chunk = new NDIndex(":, " + start + ":" + end);
                MoTInputs in = MoTInputs.of(tokens.get(chunk), modalities.get(chunk));
                if (validTokens != null) {
                    in = in.withValidTokens(validTokens.get(chunk));
                }
                pieces.add(model.forward(ps, in.toNDList(), false, cache.asParam()).head());
                TinyModels.forceGarbageCollection();
                start = end;
            }
        }
        return NDArrays.concat(pieces, 1);
    }
}
