package io.motdjl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.MoeConfig;
import io.motdjl.config.MoeRouting;
import io.motdjl.config.NormOrder;
import io.motdjl.config.ParameterCount;
import io.motdjl.config.Untie;
import io.motdjl.io.ReferenceNames;
import io.motdjl.objective.NextTokenLoss;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Modalities that share a tower ({@code towers} in the config): each is exactly the model whose
 * modality ids were relabelled to the tower's, with the same weights.
 */
class TowersTest {

    private static final double TOLERANCE = 1e-5;
    private static final int BATCH = 3;
    private static final int LENGTH = 10;

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of(NormOrder.POST, Untie.ALL),
                Arguments.of(NormOrder.PRE, Untie.ALL),
                Arguments.of(NormOrder.POST, new Untie(true, false, true)),
                Arguments.of(NormOrder.PRE, new Untie(false, true, false)));
    }

    /**
     * Towers [0, 1, 1] are the two-modality MoT where every modality-2 token is a modality-1 token:
     * it fails if the mapping is ignored (a third tower) or misapplied (modality 2 in tower 0).
     */
    @ParameterizedTest(name = "{0} untie={1}")
    @MethodSource("layouts")
    void twoModalitiesInOneTowerAreOneModality(NormOrder order, Untie untie) {
        MoTConfig shared =
                TinyModels.config(3).normOrder(order).untie(untie).towers(0, 1, 1).build();
        MoTConfig two = TinyModels.config(2).normOrder(order).untie(untie).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(shared, manager, DataType.FLOAT32);
            MoTModel reference = TinyModels.model(two, manager, DataType.FLOAT32);
            copyWeights(reference, model);
            Random random = new Random(3);
            NDArray tokens = TinyModels.ids(manager, random, BATCH, LENGTH, shared.vocabSize());
            NDArray modalities = TinyModels.ids(manager, random, BATCH, LENGTH, 3);
            NDArray got = TinyModels.logits(model, manager, MoTInputs.of(tokens, modalities));
            NDArray want =
                    TinyModels.logits(
                            reference, manager, MoTInputs.of(tokens, relabelled(modalities)));
            assertTrue(TinyModels.maxAbsDiff(want, got) < TOLERANCE, "[0, 1, 1] != relabelled");

            // and modality 2's tokens really do go through tower 1, not tower 0
            NDArray inTowerZero = modalities.mul(modalities.neq(2).toType(DataType.INT64, false));
            NDArray misapplied =
                    TinyModels.logits(reference, manager, MoTInputs.of(tokens, inTowerZero));
            assertTrue(TinyModels.maxAbsDiff(misapplied, got) > 1e-3, "modality 2 in tower 0");
        }
    }

    /** Every modality in tower 0 with everything untied is exactly the dense model. */
    @ParameterizedTest
    @EnumSource(NormOrder.class)
    void oneTowerForEveryModalityIsTheDenseModel(NormOrder order) {
        MoTConfig oneTower = TinyModels.config(3).normOrder(order).towers(0, 0, 0).build();
        MoTConfig dense = TinyModels.config(3).normOrder(order).untie(Untie.NONE).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(oneTower, manager, DataType.FLOAT32);
            MoTModel reference = TinyModels.model(dense, manager, DataType.FLOAT32);
            assertFalse(model.trunk().isUntied(), "one tower takes the dense path");
            assertEquals(ParameterCount.of(dense).total(), ParameterCount.of(oneTower).total());
            assertEquals(storedValues(reference), storedValues(model));
            copyWeights(reference, model);
            Random random = new Random(8);
            NDArray tokens = TinyModels.ids(manager, random, BATCH, LENGTH, dense.vocabSize());
            NDArray modalities = TinyModels.ids(manager, random, BATCH, LENGTH, 3);
            MoTInputs in = MoTInputs.of(tokens, modalities);
            NDArray want = TinyModels.logits(reference, manager, in);
            assertEquals(0.0, TinyModels.maxAbsDiff(want, TinyModels.logits(model, manager, in)));
        }
    }

    /** Towers [0, 1, 2] are the default: the same config, names and outputs. */
    @Test
    void aTowerPerModalityIsTheDefault() {
        MoTConfig explicit = TinyModels.config(3).towers(0, 1, 2).build();
        MoTConfig plain = TinyModels.config(3).build();
        assertEquals(plain, explicit);
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(explicit, manager, DataType.FLOAT32);
            MoTModel reference = TinyModels.model(plain, manager, DataType.FLOAT32);
            copyWeights(reference, model);
            Random random = new Random(4);
            MoTInputs in =
                    MoTInputs.of(
                            TinyModels.ids(manager, random, BATCH, LENGTH, plain.vocabSize()),
                            TinyModels.ids(manager, random, BATCH, LENGTH, 3));
            NDArray want = TinyModels.logits(reference, manager, in);
            assertEquals(0.0, TinyModels.maxAbsDiff(want, TinyModels.logits(model, manager, in)));
        }
    }

    /** Two towers store two parameter sets; the census says which modalities use each. */
    @Test
    void twoTowersStoreTwoSetsThatTheCensusAttributes() {
        MoTConfig config = TinyModels.config(3).towers(0, 1, 1).build();
        MoTConfig two = TinyModels.config(2).build();
        MoTModel model = new MoTModel(config);
        Map<String, ReferenceNames.Slot> names = ReferenceNames.of(model);
        assertEquals(ReferenceNames.of(new MoTModel(two)).keySet(), names.keySet());
        assertTrue(names.containsKey("layers.1.feed_forward.local_experts.1.w2.weight"));
        assertTrue(
                names.keySet().stream().noneMatch(n -> n.matches(".*\\.2\\.(w[123]\\.)?weight")));
        assertEquals(2, model.layers().get(0).attention().qkv().numTowers());
        assertEquals(1, model.layers().get(0).attention().qkv().towerOf(2));

        ParameterCensus census = ParameterCensus.of(model);
        assertEquals(ParameterCount.of(config).total(), census.total());
        assertEquals(ParameterCount.of(two).total(), census.total());
        assertEquals(census.usedBy(1), census.usedBy(2));
        assertEquals(census.usedBy(0), census.usedBy(1));
        assertEquals(0, census.onlyFor(1), "tower 1 is modality 1's and 2's, not 1's alone");
        assertTrue(census.onlyFor(0) > 0);
        ParameterCensus.Entry norm =
                census.entries().stream()
                        .filter(e -> e.path().equals("trunk.norm.1.weight"))
                        .findFirst()
                        .orElseThrow();
        assertEquals("{1, 2}", norm.modalities().toString());
    }

    /** Modality 2's tokens train tower 1; tower 0 trains on modality 0; no third set exists. */
    @Test
    void gradientsReachBothTowers() {
        MoTConfig config = TinyModels.config(3).towers(0, 1, 1).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Random random = new Random(12);
            NDArray tokens = TinyModels.ids(manager, random, BATCH, LENGTH, config.vocabSize());
            // modalities 0 and 2 only: tower 1 is reached through modality 2 alone
            NDArray modalities = TinyModels.ids(manager, random, BATCH, LENGTH, 2).mul(2);
            MoTInputs in = MoTInputs.of(tokens, modalities);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits =
                        model.forward(new ParameterStore(manager, false), in.toNDList(), true)
                                .singletonOrThrow();
                collector.backward(
                        NextTokenLoss.compute(logits, tokens, modalities, null, 3).mean());
            }
            int perTower0 = 0;
            int perTower1 = 0;
            for (Map.Entry<String, ReferenceNames.Slot> e : ReferenceNames.of(model).entrySet()) {
                String name = e.getKey();
                double magnitude =
                        e.getValue()
                                .gradient()
                                .abs()
                                .sum()
                                .toType(DataType.FLOAT64, false)
                                .getDouble();
                assertTrue(magnitude > 0, name + " should get a gradient");
                perTower0 += name.matches(".*\\.0\\.(w[123]\\.)?weight") ? 1 : 0;
                perTower1 += name.matches(".*\\.1\\.(w[123]\\.)?weight") ? 1 : 0;
            }
            assertEquals(perTower0, perTower1);
            assertTrue(perTower1 > 20, perTower1 + " tensors in tower 1");
        }
    }

    /**
     * A mixture in the shared tower runs once over the rows of both its modalities: an expert's
     * capacity is over all of them and its statistics and auxiliary losses are reported once per
     * tower, as in the two-modality model.
     */
    @ParameterizedTest
    @EnumSource(MoeRouting.class)
    void aMixtureInASharedTowerSeesBothModalitiesAtOnce(MoeRouting routing) {
        MoeConfig moe = new MoeConfig(3, routing, 2, 1.0, List.of(1));
        MoTConfig shared = TinyModels.config(3).towers(0, 1, 1).moe(moe).build();
        MoTConfig two = TinyModels.config(2).moe(moe).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(shared, manager, DataType.FLOAT32);
            MoTModel reference = TinyModels.model(two, manager, DataType.FLOAT32);
            assertInstanceOf(
                    MixtureOfExperts.class, model.layers().get(0).feedForward().experts().tower(1));
            copyWeights(reference, model);
            Random random = new Random(21);
            NDArray tokens = TinyModels.ids(manager, random, BATCH, LENGTH, shared.vocabSize());
            NDArray modalities = TinyModels.ids(manager, random, BATCH, LENGTH, 3);
            long[] valid = new long[BATCH * LENGTH];
            java.util.Arrays.fill(valid, 1);
            valid[0] = 0; // padding is never routed, in either model
            valid[LENGTH] = 0;
            NDArray validity = manager.create(valid, new Shape(BATCH, LENGTH));
            MoTOutputs got = forward(model, manager, MoTInputs.of(tokens, modalities), validity);
            MoTOutputs want =
                    forward(
                            reference,
                            manager,
                            MoTInputs.of(tokens, relabelled(modalities)),
                            validity);
            assertTrue(TinyModels.maxAbsDiff(want.logits(), got.logits()) < TOLERANCE, "logits");
            assertEquals(want.auxiliaryLosses().keySet(), got.auxiliaryLosses().keySet());
            assertEquals(want.statistics().keySet(), got.statistics().keySet());
            assertTrue(got.statistics().keySet().contains("layers.0.feed_forward.1.expert_share"));
            for (Map.Entry<String, NDArray> e : want.statistics().entrySet()) {
                double diff = TinyModels.maxAbsDiff(e.getValue(), got.statistics().get(e.getKey()));
                assertTrue(diff < TOLERANCE, e.getKey());
            }
            for (Map.Entry<String, NDArray> e : want.auxiliaryLosses().entrySet()) {
                double diff =
                        TinyModels.maxAbsDiff(e.getValue(), got.auxiliaryLosses().get(e.getKey()));
                assertTrue(diff < TOLERANCE, e.getKey());
            }
        }
    }

    /** DJL's own format round-trips a model with towers and refuses another mapping. */
    @Test
    void djlParamsRoundTripAndRefuseOtherTowers(@TempDir Path dir) throws Exception {
        MoTConfig config = TinyModels.config(3).towers(0, 1, 1).build();
        try (NDManager manager = NDManager.newBaseManager();
                Model saved = Model.newInstance("mot")) {
            MoTModel block = TinyModels.model(config, saved.getNDManager(), DataType.FLOAT32);
            saved.setBlock(block);
            Random random = new Random(2);
            MoTInputs in =
                    MoTInputs.of(
                            TinyModels.ids(manager, random, BATCH, LENGTH, config.vocabSize()),
                            TinyModels.ids(manager, random, BATCH, LENGTH, 3));
            NDArray before = TinyModels.logits(block, manager, in);
            saved.save(dir, "mot");
            try (Model loaded = Model.newInstance("mot")) {
                MoTModel fresh = new MoTModel(config);
                loaded.setBlock(fresh);
                loaded.load(dir, "mot");
                assertEquals(
                        0.0, TinyModels.maxAbsDiff(before, TinyModels.logits(fresh, manager, in)));
            }
            try (Model other = Model.newInstance("mot")) {
                other.setBlock(new MoTModel(config.toBuilder().towers(0, 0, 1).build()));
                MalformedModelException e =
                        assertThrows(MalformedModelException.class, () -> other.load(dir, "mot"));
                assertTrue(e.getMessage().contains("towers: "), e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Modality ids with 2 relabelled 1. */
    private static NDArray relabelled(NDArray modalities) {
        return modalities.minimum(1);
    }

    /** Every reference tensor of {@code to} takes the value of the same name in {@code from}. */
    private static void copyWeights(MoTModel from, MoTModel to) {
        Map<String, ReferenceNames.Slot> source = ReferenceNames.of(from);
        Map<String, ReferenceNames.Slot> target = ReferenceNames.of(to);
        assertEquals(source.keySet(), target.keySet());
        target.forEach((name, slot) -> slot.write(source.get(name).read()));
    }

    private static MoTOutputs forward(
            MoTModel model, NDManager manager, MoTInputs in, NDArray validity) {
        NDList out =
                model.forward(
                        new ParameterStore(manager, false),
                        in.withValidTokens(validity).toNDList(),
                        false);
        return MoTOutputs.of(out);
    }

    private static long storedValues(MoTModel model) {
        return model.getParameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
    }
}
