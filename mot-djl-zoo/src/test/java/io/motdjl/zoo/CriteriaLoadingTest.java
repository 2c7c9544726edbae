package io.motdjl.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;

import io.motdjl.io.ReferenceCheckpoint;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.objective.LossValue;
import io.motdjl.objective.NextTokenLoss;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Checkpoint directories of one's own, loaded through DJL's Criteria. */
class CriteriaLoadingTest {

    @TempDir Path tmp;
    private float[] wantLogits;
    private float[] wantLossPerModality;

    @BeforeEach
    void expectedOutputs() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = Tiny.model(Tiny.config(), manager);
            MoTInputs inputs = Tiny.inputs(manager);
            NDArray logits = Tiny.logits(model, manager, inputs);
            wantLogits = logits.toFloatArray();
            wantLossPerModality =
                    NextTokenLoss.compute(logits, inputs.tokens(), inputs.modalities(), null, 2)
                            .perModality()
                            .toFloatArray();
        }
    }

    private Path save(WeightsFormat format) throws Exception {
        Path dir = tmp.resolve("ckpt-" + format);
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTCheckpointWriter.of(Tiny.model(Tiny.config(), manager)).format(format).write(dir);
        }
        return dir;
    }

    private void checkScores(ZooModel<NDList, NDList> model) throws Exception {
        assertInstanceOf(MoTModel.class, model.getBlock());
        try (NDManager manager = NDManager.newBaseManager();
                Predictor<NDList, NDList> predictor = model.newPredictor()) {
            Tiny.forceGarbageCollection();
            NDList out = predictor.predict(Tiny.inputs(manager).toNDList());
            assertEquals(4, out.size());
            assertEquals(MoTScoringTranslator.LOGITS, out.get(0).getName());
            float[] logits = out.get(MoTScoringTranslator.LOGITS).toFloatArray();
            for (int i = 0; i < wantLogits.length; i++) {
                assertEquals(wantLogits[i], logits[i], 0f, "logit " + i);
            }
            float[] perModality = out.get(MoTScoringTranslator.LOSS_PER_MODALITY).toFloatArray();
            assertEquals(wantLossPerModality[0], perModality[0], 0f);
            assertEquals(wantLossPerModality[1], perModality[1], 0f);
            assertEquals(12f, out.get(MoTScoringTranslator.TARGETS_PER_MODALITY).sum().getFloat());
        }
    }

    /**
     * A directory written by the saver needs nothing but its path: its serving.properties names the
     * block factory. DJL's loader picks the translator factory before it reads that file, so NDList
     * in gives DJL's no-op translator: the logits alone.
     */
    @ParameterizedTest
    @EnumSource(WeightsFormat.class)
    void plainCriteriaLoadsASavedDirectory(WeightsFormat format) throws Exception {
        Path dir = save(format);
        Criteria<NDList, NDList> criteria =
                Criteria.builder().setTypes(NDList.class, NDList.class).optModelPath(dir).build();
        try (ZooModel<NDList, NDList> model = criteria.loadModel();
                Predictor<NDList, NDList> predictor = model.newPredictor();
                NDManager manager = NDManager.newBaseManager()) {
            assertInstanceOf(MoTModel.class, model.getBlock());
            assertEquals(dir.toAbsolutePath(), model.getModelPath().toAbsolutePath());
            Tiny.forceGarbageCollection();
            float[] logits =
                    predictor
                            .predict(Tiny.inputs(manager).toNDList())
                            .singletonOrThrow()
                            .toFloatArray();
            for (int i = 0; i < wantLogits.length; i++) {
                assertEquals(wantLogits[i], logits[i], 0f, "logit " + i);
            }
        }
    }

    /** With the preset (or just optTranslatorFactory), the scoring translator is used. */
    @ParameterizedTest
    @EnumSource(WeightsFormat.class)
    void criteriaPresetAddsTheScoringTranslator(WeightsFormat format) throws Exception {
        Path dir = save(format);
        try (ZooModel<NDList, NDList> model =
                MoTModelZoo.checkpointCriteria(NDList.class, NDList.class)
                        .optModelPath(dir)
                        .build()
                        .loadModel()) {
            checkScores(model);
        }
        try (ZooModel<NDList, NDList> model =
                Criteria.builder()
                        .setTypes(NDList.class, NDList.class)
                        .optTranslatorFactory(new MoTTranslatorFactory())
                        .optModelPath(dir)
                        .build()
                        .loadModel()) {
            checkScores(model);
        }
    }

    @Test
    void modelUrlsLoadTheDirectoryToo() throws Exception {
        Path dir = save(WeightsFormat.SAFETENSORS);
        Criteria<NDList, NDList> criteria =
                MoTModelZoo.checkpointCriteria(NDList.class, NDList.class)
                        .optModelUrls(dir.toUri().toString())
                        .build();
        try (ZooModel<NDList, NDList> model = criteria.loadModel()) {
            checkScores(model);
        }
    }

    /** A checkpoint as PyTorch saves it (config.json + model.safetensors) loads with the preset. */
    @Test
    void bareReferenceCheckpointLoadsWithTheCriteriaPreset() throws Exception {
        Path dir = tmp.resolve("pytorch-style");
        try (NDManager manager = NDManager.newBaseManager()) {
            ReferenceCheckpoint.save(Tiny.model(Tiny.config(), manager), dir);
        }
        try (var files = Files.list(dir)) {
            assertEquals(
                    List.of("config.json", "model.safetensors"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Criteria<NDList, NDList> criteria =
                MoTModelZoo.checkpointCriteria(NDList.class, NDList.class)
                        .optModelPath(dir)
                        .build();
        try (ZooModel<NDList, NDList> model = criteria.loadModel()) {
            checkScores(model);
        }
    }

    @Test
    void requiredChecksumsRefuseABareDirectory() throws Exception {
        Path dir = tmp.resolve("bare");
        try (NDManager manager = NDManager.newBaseManager()) {
            ReferenceCheckpoint.save(Tiny.model(Tiny.config(), manager), dir);
        }
        Criteria<NDList, NDList> criteria =
                MoTModelZoo.checkpointCriteria(NDList.class, NDList.class)
                        .optArgument(MoTBlockFactory.REQUIRE_CHECKSUMS, "true")
                        .optModelPath(dir)
                        .build();
        ChecksumException e = assertThrows(ChecksumException.class, criteria::loadModel);
        assertTrue(e.getMessage().contains("no checksums.sha256"), e.getMessage());
    }

    @Test
    void corruptDirectoryFailsThroughCriteriaWithTheFileNamed() throws Exception {
        Path dir = save(WeightsFormat.SAFETENSORS);
        Tiny.flipByteNearEnd(dir.resolve("model.safetensors"));
        Criteria<NDList, NDList> criteria =
                Criteria.builder().setTypes(NDList.class, NDList.class).optModelPath(dir).build();
        // the block factory named by serving.properties verifies checksums.sha256
        ChecksumException e = assertThrows(ChecksumException.class, criteria::loadModel);
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    @Test
    void sequenceTranslatorScoresOneSequenceAtATime() throws Exception {
        Path dir = save(WeightsFormat.SAFETENSORS);
        Criteria<MoTSequence, MoTScore> criteria =
                MoTModelZoo.checkpointCriteria(MoTSequence.class, MoTScore.class)
                        .optModelPath(dir)
                        .build();
        try (ZooModel<MoTSequence, MoTScore> model = criteria.loadModel();
                Predictor<MoTSequence, MoTScore> predictor = model.newPredictor();
                NDManager manager = NDManager.newBaseManager()) {
            // row 0 of the tiny inputs, with modalities derived from the config's token ranges
            int[] row = {1, 5, 22, 30, 21, 3, 2};
            MoTScore score = predictor.predict(MoTSequence.of(row));
            MoTModel block = (MoTModel) model.getBlock();
            MoTInputs inputs = Tiny.inputs(manager);
            NDArray logits = Tiny.logits(block, manager, inputs).get("0:1");
            LossValue want =
                    NextTokenLoss.compute(
                            logits,
                            inputs.tokens().get("0:1"),
                            inputs.modalities().get("0:1"),
                            null,
                            2);
            assertEquals(want.mean().getFloat(), score.loss(), 1e-6);
            assertEquals(want.perModality().getFloat(0), score.lossPerModality()[0], 1e-6);
            assertEquals(want.perModality().getFloat(1), score.lossPerModality()[1], 1e-6);
            assertEquals(3, score.targetsPerModality()[0]);
            assertEquals(3, score.targetsPerModality()[1]);
            assertEquals(6, score.targetLogProbs().length);
            double mean = 0;
            for (float lp : score.targetLogProbs()) {
                mean -= lp / 6.0;
            }
            assertEquals(score.loss(), mean, 1e-5);

            // several lengths in one call
            Random random = new Random(3);
            List<MoTScore> scores =
                    predictor.batchPredict(
                            List.of(
                                    MoTSequence.of(Tiny.tokens(random, 4)),
                                    MoTSequence.of(Tiny.tokens(random, 9))));
            assertEquals(3, scores.get(0).targetLogProbs().length);
            assertEquals(8, scores.get(1).targetLogProbs().length);

            // a token outside every modality range is a clear translation error
            var e =
                    assertThrows(
                            ai.djl.translate.TranslateException.class,
                            () -> predictor.predict(MoTSequence.of(new int[] {1, 99})));
            assertTrue(String.valueOf(e.getMessage()).contains("token 99"), e.getMessage());
        }
    }

    @Test
    void unsupportedTypesAreRefused() throws Exception {
        Path dir = save(WeightsFormat.SAFETENSORS);
        Criteria<String, Integer> criteria =
                MoTModelZoo.checkpointCriteria(String.class, Integer.class)
                        .optModelPath(dir)
                        .build();
        // DJL's own loader (optModelPath) reports this, in its words
        assertThrows(ai.djl.repository.zoo.ModelNotFoundException.class, criteria::loadModel);
    }
}
