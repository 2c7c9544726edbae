package io.motdjl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.io.ReferenceNames;
import io.motdjl.objective.LossValue;
import io.motdjl.objective.NextTokenObjective;
import io.motdjl.objective.WithAuxiliaryLosses;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

/** The module-level design: per-modality containers, factories, adapters, heads, named outputs. */
class ModularModelTest {

    /** A small head for one modality's rows. */
    static final class SmallHead extends AbstractBlock implements OutputHead {
        private final Parameter weight;

        SmallHead(long dim) {
            super((byte) 1);
            weight =
                    addParameter(
                            Parameter.builder()
                                    .setName("weight")
                                    .setType(Parameter.Type.WEIGHT)
                                    .optShape(new Shape(5, dim))
                                    .build());
        }

        @Override
        public String outputName() {
            return "patches";
        }

        @Override
        public long outputWidth() {
            return 5;
        }

        @Override
        public NDArray project(ParameterStore ps, NDArray hidden, boolean training) {
            return ai.djl.nn.core.Linear.linear(
                            hidden, ps.getValue(weight, hidden.getDevice(), training))
                    .head();
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            return new NDList(project(ps, inputs.head(), training));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {inputShapes[0].slice(0, 1).add(5)};
        }
    }

    @Test
    void perModalityRoutesEachRowThroughItsOwnTower() {
        try (NDManager manager = NDManager.newBaseManager()) {
            PerModality<RmsNorm> norms =
                    PerModality.untied(3, t -> RmsNorm.builder().setWidth(4).build());
            norms.initialize(manager, DataType.FLOAT32, new Shape(6, 4));
            for (int t = 0; t < 3; t++) {
                norms.tower(t).weight().getArray().set(new float[] {t + 1, t + 1, t + 1, t + 1});
            }
            NDArray rows = manager.randomNormal(new Shape(6, 4));
            NDArray ids = manager.create(new long[] {2, 0, 1, 1, 0, 2});
            NDArray out =
                    norms.forward(new ParameterStore(manager, false), new NDList(rows, ids), false)
                            .head();
            long[] idValues = ids.toLongArray();
            for (int i = 0; i < 6; i++) {
                NDArray row = rows.get(i);
                NDArray want =
                        RmsNorm.rmsNorm(
                                row,
                                manager.full(new Shape(4), idValues[i] + 1f),
                                1e-5,
                                new ScalarConstants(manager));
                assertTrue(TinyModels.maxAbsDiff(want, out.get(i)) < 1e-6, "row " + i);
            }
            PerModality<RmsNorm> shared =
                    PerModality.shared(3, t -> RmsNorm.builder().setWidth(4).build());
            assertEquals(1, shared.numTowers());
            assertTrue(shared.forModality(2) == shared.forModality(0));
        }
    }

    @Test
    void aTowerMappingMustUseEveryTower() {
        IllegalArgumentException unused =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                PerModality.mapped(
                                        new int[] {0, 2},
                                        t -> RmsNorm.builder().setWidth(4).build()));
        assertTrue(unused.getMessage().contains("tower 1 serves no modality"), unused.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        PerModality.mapped(
                                new int[] {0, -1}, t -> RmsNorm.builder().setWidth(4).build()));
        PerModality<RmsNorm> twoTowers =
                PerModality.mapped(new int[] {0, 1, 0}, t -> RmsNorm.builder().setWidth(4).build());
        assertEquals(2, twoTowers.numTowers());
        assertTrue(twoTowers.forModality(2) == twoTowers.forModality(0));
    }

    @Test
    void aFactoryPutsItsBlockInOneModalityAndItsAuxiliaryLossReachesTheObjective() {
        MoTConfig config = TinyModels.config(2).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model =
                    TinyModels.initialize(
                            MoTModel.builder(config)
                                    .optFeedForwardFactory(
                                            (c, layer, tower) ->
                                                    tower == 0
                                                            ? new TinyModels.PenalisedSwiGlu(c)
                                                            : FeedForwardFactory.SWIGLU.create(
                                                                    c, layer, tower))
                                    .build(),
                            manager,
                            DataType.FLOAT32);
            assertTrue(
                    model.layers().get(0).feedForward().experts().tower(0)
                            instanceof TinyModels.PenalisedSwiGlu);
            assertTrue(model.layers().get(0).feedForward().experts().tower(1) instanceof SwiGlu);
            IllegalArgumentException noNames =
                    assertThrows(IllegalArgumentException.class, () -> ReferenceNames.of(model));
            assertTrue(noNames.getMessage().contains("no reference names"), noNames.getMessage());

            Random random = new Random(5);
            NDArray tokens = TinyModels.ids(manager, random, 2, 8, config.vocabSize());
            NDArray modalities = TinyModels.ids(manager, random, 2, 8, 2);
            MoTInputs inputs = MoTInputs.of(tokens, modalities);
            NDList labels = new NDList(tokens, modalities);
            Map<String, Double> weights = Map.of("l2", 0.5);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                MoTOutputs out =
                        MoTOutputs.of(
                                model.forward(
                                        new ParameterStore(manager, false),
                                        inputs.toNDList(),
                                        true));
                Map<String, NDArray> aux = out.auxiliaryLosses();
                assertEquals(config.nLayers(), aux.size(), aux.keySet().toString());
                assertTrue(aux.containsKey("layers.1.feed_forward.0.l2"), aux.keySet().toString());
                LossValue base = new NextTokenObjective(2).evaluate(out, labels);
                LossValue total =
                        new WithAuxiliaryLosses(new NextTokenObjective(2), weights)
                                .evaluate(out, labels);
                double expected = base.mean().getFloat();
                for (NDArray a : aux.values()) {
                    expected += 0.5 * a.getFloat();
                }
                assertEquals(expected, total.mean().getFloat(), 1e-5);
                IllegalArgumentException unweighted =
                        assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        new WithAuxiliaryLosses(new NextTokenObjective(2), Map.of())
                                                .evaluate(out, labels));
                assertTrue(unweighted.getMessage().contains("no weight"), unweighted.getMessage());
                collector.backward(total.mean());
            }
            TinyModels.PenalisedSwiGlu text =
                    (TinyModels.PenalisedSwiGlu)
                            model.layers().get(0).feedForward().experts().tower(0);
            NDArray grad =
                    text.inner().w13().getParameters().get("weight").getArray().getGradient();
            assertTrue(grad.abs().sum().getFloat() > 0, "the text tower's block is trained");
        }
    }

    @Test
    void aHeadForSomeModalitiesGivesZeroRowsElsewhere() {
        MoTConfig config = TinyModels.config(2).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model =
                    TinyModels.initialize(
                            MoTModel.builder(config)
                                    .optOutputHead(new SmallHead(config.dim()), 1)
                                    .build(),
                            manager,
                            DataType.FLOAT32);
            NDArray tokens = TinyModels.ids(manager, new Random(2), 1, 6, config.vocabSize());
            NDArray modalities = manager.create(new long[] {0, 1, 1, 0, 1, 0}, new Shape(1, 6));
            MoTOutputs out =
                    MoTOutputs.of(
                            model.forward(
                                    new ParameterStore(manager, false),
                                    MoTInputs.of(tokens, modalities).toNDList(),
                                    false));
            NDArray logits = out.logits();
            NDArray patches = out.get("patches");
            assertEquals(new Shape(1, 6, config.vocabSize()), logits.getShape());
            assertEquals(new Shape(1, 6, 5), patches.getShape());
            long[] m = modalities.toLongArray();
            for (int t = 0; t < 6; t++) {
                float logitMass = logits.get(new NDIndex(0, t)).abs().sum().getFloat();
                float patchMass = patches.get(new NDIndex(0, t)).abs().sum().getFloat();
                assertEquals(m[t] == 0, logitMass > 0, "logits at " + t);
                assertEquals(m[t] == 1, patchMass > 0, "patches at " + t);
            }
            assertThrows(IllegalArgumentException.class, () -> out.get("noise"));
        }
    }

    @Test
    void aModalityWithItsOwnAdapterReadsOnlyItsOwnTable() {
        MoTConfig config = TinyModels.config(2).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            TokenEmbedding imageTable = new TokenEmbedding(config.vocabSize(), config.dim());
            MoTModel model =
                    TinyModels.initialize(
                            MoTModel.builder(config).optInputAdapter(imageTable, 1).build(),
                            manager,
                            DataType.FLOAT32);
            assertEquals(2, model.inputAdapters().size());
            NDArray tokens = TinyModels.ids(manager, new Random(3), 2, 7, config.vocabSize());
            NDArray mixed = TinyModels.ids(manager, new Random(4), 2, 7, 2);
            MoTInputs textOnly = MoTInputs.of(tokens, mixed.zerosLike());
            MoTInputs both = MoTInputs.of(tokens, mixed);
            NDArray textBefore = TinyModels.logits(model, manager, textOnly);
            NDArray bothBefore = TinyModels.logits(model, manager, both);
            NDArray table = imageTable.weight().getArray();
            table.set(table.mul(3).toFloatArray());
            assertTrue(
                    TinyModels.maxAbsDiff(textBefore, TinyModels.logits(model, manager, textOnly))
                            == 0);
            assertTrue(
                    TinyModels.maxAbsDiff(bothBefore, TinyModels.logits(model, manager, both))
                            > 1e-4);
        }
    }

    @Test
    void theTrunkStandaloneEqualsTheModel() {
        MoTConfig config = TinyModels.config(3).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Random random = new Random(9);
            NDArray tokens = TinyModels.ids(manager, random, 2, 9, config.vocabSize());
            NDArray modalities = TinyModels.ids(manager, random, 2, 9, 3);
            MoTInputs inputs = MoTInputs.of(tokens, modalities);
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray embedded = model.tokenEmbedding().forward(ps, new NDList(tokens), false).head();
            NDArray hidden =
                    model.trunk()
                            .forward(
                                    ps,
                                    new NDList(embedded),
                                    false,
                                    ForwardContext.create(config, inputs, DataType.FLOAT32)
                                            .asParams())
                            .head();
            NDArray logits = model.vocabularyHead().forward(ps, new NDList(hidden), false).head();
            assertTrue(
                    TinyModels.maxAbsDiff(TinyModels.logits(model, manager, inputs), logits)
                            < 1e-5);
        }
    }

    @Test
    void theBranchesStandaloneComposeToTheLayerAndTheLayersToTheTrunk() {
        MoTConfig config = TinyModels.config(3).nLayers(1).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.model(config, manager, DataType.FLOAT32);
            Random random = new Random(13);
            NDArray tokens = TinyModels.ids(manager, random, 2, 7, config.vocabSize());
            NDArray modalities = TinyModels.ids(manager, random, 2, 7, 3);
            MoTInputs inputs = MoTInputs.of(tokens, modalities);
            ParameterStore ps = new ParameterStore(manager, false);
            PairList<String, Object> context =
                    ForwardContext.create(config, inputs, DataType.FLOAT32).asParams();
            NDArray x = model.tokenEmbedding().forward(ps, new NDList(tokens), false).head();
            MoTLayer layer = model.layers().get(0);
            NDArray h = x.add(layer.attention().forward(ps, new NDList(x), false, context).head());
            NDArray y =
                    h.add(layer.feedForward().forward(ps, new NDList(h), false, context).head());
            NDArray viaLayer = layer.forward(ps, new NDList(x), false, context).head();
            assertTrue(
                    TinyModels.maxAbsDiff(y, viaLayer) < 1e-6, "attention + feed-forward = layer");
            NDArray normed =
                    model.trunk()
                            .norm()
                            .forward(
                                    ps,
                                    new NDList(
                                            viaLayer.reshape(-1, config.dim()),
                                            modalities.reshape(-1)),
                                    false)
                            .head();
            NDArray viaTrunk = model.trunk().forward(ps, new NDList(x), false, context).head();
            assertTrue(
                    TinyModels.maxAbsDiff(normed.reshape(viaTrunk.getShape()), viaTrunk) < 1e-6,
                    "layers + final norm = trunk");
            IllegalArgumentException noContext =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> layer.forward(ps, new NDList(x), false));
            assertTrue(
                    noContext.getMessage().contains("ForwardContext.create"),
                    noContext.getMessage());
        }
    }

    @Test
    void theCensusCountsEachModalitysParameters() {
        MoTConfig mot = TinyModels.config(2).build();
        ParameterCensus census = ParameterCensus.of(new MoTModel(mot));
        io.motdjl.train.FlopsAccounting flops = io.motdjl.train.FlopsAccounting.of(mot);
        long embeddingAndHead = 2L * mot.vocabSize() * mot.dim();
        assertEquals(flops.totalParameters(), census.total());
        assertEquals(embeddingAndHead, census.shared());
        assertEquals(flops.nonEmbeddingParameters() / 2, census.onlyFor(0));
        assertEquals(census.onlyFor(0), census.onlyFor(1));
        assertEquals(embeddingAndHead + census.onlyFor(1), census.usedBy(1));
        assertTrue(
                census.entries().stream()
                        .anyMatch(e -> e.path().equals("trunk.layer0.attention.qkv.1.weight")));

        ParameterCensus tied =
                ParameterCensus.of(
                        new MoTModel(mot.toBuilder().untie(io.motdjl.config.Untie.NONE).build()));
        assertEquals(tied.total(), tied.shared());
        assertEquals(0, tied.onlyFor(0));
        assertEquals(0, tied.onlyFor(1));

        MoTModel withHead =
                MoTModel.builder(mot).optOutputHead(new SmallHead(mot.dim()), 1).build();
        ParameterCensus heads = ParameterCensus.of(withHead);
        assertEquals(census.onlyFor(1) + 5L * mot.dim(), heads.onlyFor(1));
        assertEquals(census.onlyFor(0) + (long) mot.vocabSize() * mot.dim(), heads.onlyFor(0));
    }
}
