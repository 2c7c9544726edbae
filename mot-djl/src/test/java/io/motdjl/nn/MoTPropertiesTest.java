package io.motdjl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.NormOrder;
import io.motdjl.config.RopeStyle;
import io.motdjl.config.Untie;
import io.motdjl.io.ReferenceNames;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.Random;

/** Properties that naive MoT code gets wrong. */
class MoTPropertiesTest {

    /** A MoT whose modality parameter sets are all equal computes exactly the dense model. */
    @ParameterizedTest
    @EnumSource(NormOrder.class)
    void equalParameterSetsGiveTheDenseModel(NormOrder order) {
        MoTConfig mot = TinyModels.config(3).normOrder(order).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel dense = TinyModels.model(mot.denseTwin(), manager, DataType.FLOAT32);
            MoTModel model = TinyModels.model(mot, manager, DataType.FLOAT32);
            Map<String, ReferenceNames.Slot> denseParams = ReferenceNames.of(dense);
            for (Map.Entry<String, ReferenceNames.Slot> e : ReferenceNames.of(model).entrySet()) {
                // every modality's set takes the dense model's (only) set
                String denseName =
                        e.getKey().replaceAll("\\.\\d+\\.((w[123]\\.)?weight)$", ".0.$1");
                ReferenceNames.Slot source = denseParams.get(denseName);
                e.getValue().write(source.read());
            }
            Random random = new Random(11);
            NDArray tokens = TinyModels.ids(manager, random, 3, 10, mot.vocabSize());
            NDArray modalities = TinyModels.ids(manager, random, 3, 10, 3);
            NDArray want =
                    TinyModels.logits(dense, manager, MoTInputs.of(tokens, modalities.zerosLike()));
            NDArray got = TinyModels.logits(model, manager, MoTInputs.of(tokens, modalities));
            assertTrue(TinyModels.maxAbsDiff(want, got) < 1e-5, "MoT with equal sets != dense");
        }
    }

    /** Changing one token's modality changes outputs only from that position on (causal). */
    @ParameterizedTest
    @EnumSource(NormOrder.class)
    void modalityChangeOnlyAffectsLaterPositions(NormOrder order) {
        MoTConfig config = TinyModels.config(2).normOrder(order).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Random random = new Random(5);
            NDArray tokens = TinyModels.ids(manager, random, 1, 10, config.vocabSize());
            NDArray modalities = TinyModels.ids(manager, random, 1, 10, 2);
            int changed = 6;
            NDArray flipped = modalities.duplicate();
            flipped.set(new NDIndex(0, changed), 1 - modalities.getLong(0, changed));
            NDArray a = TinyModels.logits(model, manager, MoTInputs.of(tokens, modalities));
            NDArray b = TinyModels.logits(model, manager, MoTInputs.of(tokens, flipped));
            assertEquals(0.0, TinyModels.maxAbsDiff(a.get(":, :6"), b.get(":, :6")), 1e-6);
            for (int t = changed; t < 10; t++) {
                double diff = TinyModels.maxAbsDiff(a.get(":, " + t), b.get(":, " + t));
                assertTrue(diff > 1e-4, "position " + t + " should change, diff " + diff);
            }
        }
    }

    /** Outputs depend on the modality of the token through that modality's parameters only. */
    @Test
    void absentModalityMatchesSameBatchWithoutIt() {
        MoTConfig config = TinyModels.config(3).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Random random = new Random(9);
            NDArray tokens = TinyModels.ids(manager, random, 2, 8, config.vocabSize());
            NDArray modalities = TinyModels.ids(manager, random, 2, 8, 2); // modality 2 absent
            NDArray mixed = TinyModels.logits(model, manager, MoTInputs.of(tokens, modalities));
            // each row alone (possibly with a single modality present) gives the same logits
            for (int b = 0; b < 2; b++) {
                NDArray row =
                        TinyModels.logits(
                                model,
                                manager,
                                MoTInputs.of(
                                        tokens.get(b + ":" + (b + 1)),
                                        modalities.get(b + ":" + (b + 1))));
                assertTrue(TinyModels.maxAbsDiff(row, mixed.get(b + ":" + (b + 1))) < 1e-5);
            }
            NDArray onlyOne =
                    TinyModels.logits(
                            model, manager, MoTInputs.of(tokens, modalities.zerosLike().add(2)));
            assertTrue(Double.isFinite(onlyOne.abs().sum().getFloat()));
        }
    }

    /** One, two and three modalities; batch of one; a single token; exactly the maximum length. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void edgeShapes(int modalities) {
        MoTConfig config = TinyModels.config(modalities).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Random random = new Random(modalities);
            for (int[] shape : new int[][] {{1, 1}, {1, config.maxSeqLen()}, {3, 1}, {2, 5}}) {
                NDArray tokens =
                        TinyModels.ids(manager, random, shape[0], shape[1], config.vocabSize());
                NDArray ids = TinyModels.ids(manager, random, shape[0], shape[1], modalities);
                NDArray logits = TinyModels.logits(model, manager, MoTInputs.of(tokens, ids));
                assertEquals(new Shape(shape[0], shape[1], config.vocabSize()), logits.getShape());
                assertTrue(Float.isFinite(logits.abs().sum().getFloat()));
            }
        }
    }

    /** Left padding with a padding mask: real positions see exactly the unpadded sequence. */
    @ParameterizedTest
    @EnumSource(RopeStyle.class)
    void paddingIsInvisible(RopeStyle style) {
        MoTConfig config = TinyModels.config(2).ropeStyle(style).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Random random = new Random(21);
            NDArray tokens = TinyModels.ids(manager, random, 1, 7, config.vocabSize());
            NDArray modalities = TinyModels.ids(manager, random, 1, 7, 2);
            NDArray alone = TinyModels.logits(model, manager, MoTInputs.of(tokens, modalities));
            NDArray padTokens = manager.zeros(new Shape(1, 3), DataType.INT64).concat(tokens, 1);
            NDArray padModalities =
                    manager.ones(new Shape(1, 3), DataType.INT64).concat(modalities, 1);
            NDArray valid =
                    manager.zeros(new Shape(1, 3), DataType.INT64)
                            .concat(manager.ones(new Shape(1, 7), DataType.INT64), 1);
            NDArray padded =
                    TinyModels.logits(
                            model,
                            manager,
                            MoTInputs.of(padTokens, padModalities).withValidTokens(valid));
            // rotary embeddings are relative, so shifting the sequence by three keeps its logits
            assertTrue(TinyModels.maxAbsDiff(alone, padded.get(":, 3:")) < 1e-4);
            assertTrue(Float.isFinite(padded.abs().sum().getFloat()), "padding rows stay finite");
        }
    }

    /** Two documents packed in one row attend only within themselves. */
    @Test
    void packedDocumentsAreIndependent() {
        MoTConfig config = TinyModels.config(2).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Random random = new Random(4);
            NDArray tokens = TinyModels.ids(manager, random, 1, 10, config.vocabSize());
            NDArray modalities = TinyModels.ids(manager, random, 1, 10, 2);
            NDArray docs =
                    manager.create(new long[] {1, 1, 1, 1, 2, 2, 2, 2, 2, 2}, new Shape(1, 10));
            NDArray packed =
                    TinyModels.logits(
                            model, manager, MoTInputs.of(tokens, modalities).withDocumentIds(docs));
            NDArray second =
                    TinyModels.logits(
                            model,
                            manager,
                            MoTInputs.of(tokens.get(":, 4:"), modalities.get(":, 4:")));
            assertTrue(TinyModels.maxAbsDiff(second, packed.get(":, 4:")) < 1e-4);
        }
    }

    /** Inside an image span attention is bidirectional: a later span token changes earlier ones. */
    @Test
    void imageSpansAreBidirectional() {
        MoTConfig config = TinyModels.config(2).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            long[] ids = {3, 4, 5, 6, 7, 8, 9, 10};
            NDArray tokens = manager.create(ids, new Shape(1, 8));
            NDArray modalities =
                    manager.create(new long[] {0, 0, 1, 1, 1, 1, 0, 0}, new Shape(1, 8));
            NDArray spans = manager.create(new long[] {0, 0, 1, 1, 1, 1, 0, 0}, new Shape(1, 8));
            ids[5] = 20;
            NDArray changed = manager.create(ids, new Shape(1, 8));
            MoTInputs a = MoTInputs.of(tokens, modalities).withImageSpanIds(spans);
            MoTInputs b = MoTInputs.of(changed, modalities).withImageSpanIds(spans);
            NDArray la = TinyModels.logits(model, manager, a);
            NDArray lb = TinyModels.logits(model, manager, b);
            assertEquals(0.0, TinyModels.maxAbsDiff(la.get(":, :2"), lb.get(":, :2")), 1e-6);
            assertTrue(
                    TinyModels.maxAbsDiff(la.get(":, 2"), lb.get(":, 2")) > 1e-4,
                    "span is bidirectional");
            // without spans the same change is invisible to earlier positions
            NDArray ca = TinyModels.logits(model, manager, MoTInputs.of(tokens, modalities));
            NDArray cb = TinyModels.logits(model, manager, MoTInputs.of(changed, modalities));
            assertEquals(0.0, TinyModels.maxAbsDiff(ca.get(":, :5"), cb.get(":, :5")), 1e-6);
        }
    }

    /** Partial untying: tied components store one set and still route the untied ones. */
    @Test
    void partialUntyingStoresOneSetForTiedComponents() {
        MoTConfig config = TinyModels.config(2).untie(new Untie(true, false, false)).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Map<String, ReferenceNames.Slot> names = ReferenceNames.of(model);
            assertTrue(names.containsKey("layers.0.attention.local_experts_wq.1.weight"));
            assertTrue(names.containsKey("layers.0.feed_forward.local_experts.0.w1.weight"));
            assertTrue(!names.containsKey("layers.0.feed_forward.local_experts.1.w1.weight"));
            assertTrue(!names.containsKey("norm.1.weight"));
            Random random = new Random(1);
            NDArray tokens = TinyModels.ids(manager, random, 2, 6, config.vocabSize());
            NDArray modalities = TinyModels.ids(manager, random, 2, 6, 2);
            NDArray a = TinyModels.logits(model, manager, MoTInputs.of(tokens, modalities));
            NDArray b =
                    TinyModels.logits(model, manager, MoTInputs.of(tokens, modalities.zerosLike()));
            assertTrue(
                    TinyModels.maxAbsDiff(a, b) > 1e-4,
                    "untied attention still depends on modality");
        }
    }
}
