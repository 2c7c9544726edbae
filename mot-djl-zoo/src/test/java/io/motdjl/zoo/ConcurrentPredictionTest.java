package io.motdjl.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;

import io.motdjl.nn.MoTModel;
import io.motdjl.tokenize.JointVocabulary;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One bundled model shared by several threads, each with its own predictors, scoring and generating
 * at the same time: every output is the one a serial run gives for the same input (scores bit for
 * bit, greedy and seeded generations token for token), and the predictions leave no NDArray behind,
 * neither under the model's manager nor anywhere under the engine's.
 */
class ConcurrentPredictionTest {

    private static final int THREADS = 4;

    /** Scoring inputs; each thread scores all of them {@link #ROUNDS} times. */
    private static final int SEQUENCES = 32;

    /** 8 in CI (1,056 predictions in all); {@code -Dmot.concurrency.rounds=N} for a longer run. */
    private static final int ROUNDS = Integer.getInteger("mot.concurrency.rounds", 8);

    /** Generation inputs; each thread generates a text and an image for each of them once. */
    private static final List<String> PROMPTS =
            List.of("a photo of", "a drawing of a", "a photo of a bag", "an image of");

    private static final int TEXT_TOKENS = 32;

    @Test
    void threadsSharingOneModelGetTheSerialOutputsAndLeaveNoArrays() throws Exception {
        Criteria<MoTSequence, MoTScore> criteria =
                Criteria.builder()
                        .setTypes(MoTSequence.class, MoTScore.class)
                        .optGroupId(MoTModelZoo.GROUP_ID)
                        .optArtifactId(MoTModelZoo.CHAMELEON_FMNIST)
                        .optFilter("architecture", "mot")
                        .build();
        try (ZooModel<MoTSequence, MoTScore> model = criteria.loadModel()) {
            NDManager modelManager = model.getNDManager();
            // the engine's system manager: every base manager of the process is under it
            NDManager engine = modelManager.getParentManager();
            int modelArrays = modelManager.getManagedArrays().size();
            int engineArrays = engine.getManagedArrays().size();

            Workload work = new Workload(model);
            Outputs serial = work.serial();
            assertEquals(
                    modelArrays, modelManager.getManagedArrays().size(), "after the serial run");

            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CyclicBarrier together = new CyclicBarrier(THREADS);
            List<Future<Integer>> threads = new ArrayList<>();
            try {
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    threads.add(
                            pool.submit(
                                    () -> {
                                        together.await();
                                        return work.runAndCompare(thread, serial);
                                    }));
                }
                int predictions = 0;
                for (Future<Integer> f : threads) {
                    predictions += f.get(120, TimeUnit.SECONDS);
                }
                assertTrue(predictions > 1000, predictions + " predictions");
                LoggerFactory.getLogger(ConcurrentPredictionTest.class)
                        .info("{} concurrent predictions on {} threads", predictions, THREADS);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(
                    modelArrays,
                    modelManager.getManagedArrays().size(),
                    "arrays under the model's manager after the threads closed their predictors");
            assertEquals(
                    engineArrays,
                    engine.getManagedArrays().size(),
                    "arrays under the engine's manager after the threads closed their predictors");
        }
    }

    /** What one pass over every input gives, in input order. */
    private record Outputs(
            List<MoTScore> scores, List<String> greedyTexts, List<byte[]> sampledImages) {}

    /** The inputs, the translators, and one pass over them with a thread's own predictors. */
    private static final class Workload {

        private final ZooModel<MoTSequence, MoTScore> model;
        private final List<MoTSequence> sequences = new ArrayList<>();
        private final Translator<String, String> greedyText;
        private final Translator<String, Image> sampledImage;

        Workload(ZooModel<MoTSequence, MoTScore> model) throws TranslateException {
            this.model = model;
            Random random = new Random(5);
            JointVocabulary vocabulary =
                    TextContinuationTranslator.vocabularyOf(((MoTModel) model.getBlock()).config());
            for (int i = 0; i < SEQUENCES; i++) {
                // [BOS] text [BOI] image codes [EOI]: both modalities in every sequence
                int text = 4 + random.nextInt(8);
                int codes = 8 + random.nextInt(16);
                int[] tokens = new int[text + codes + 3];
                tokens[0] = JointVocabulary.BOS;
                for (int j = 1; j <= text; j++) {
                    tokens[j] = 97 + random.nextInt(26);
                }
                tokens[text + 1] = JointVocabulary.BOI;
                for (int j = 0; j < codes; j++) {
                    tokens[text + 2 + j] =
                            vocabulary.imageToken(random.nextInt(vocabulary.imageCodes()));
                }
                tokens[tokens.length - 1] = JointVocabulary.EOI;
                sequences.add(MoTSequence.of(tokens));
            }
            MoTTranslatorFactory factory = new MoTTranslatorFactory();
            greedyText =
                    factory.newInstance(
                            String.class,
                            String.class,
                            model,
                            Map.of(GenerationOptions.MAX_TOKENS, TEXT_TOKENS));
            sampledImage =
                    factory.newInstance(
                            String.class,
                            Image.class,
                            model,
                            Map.of(
                                    GenerationOptions.TEMPERATURE, 1.0,
                                    GenerationOptions.TOP_K, 40,
                                    GenerationOptions.SEED, 17));
        }

        /** Every input once, serially: the reference. */
        Outputs serial() throws TranslateException {
            List<MoTScore> scores = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            List<byte[]> images = new ArrayList<>();
            try (Predictors p = new Predictors()) {
                for (MoTSequence sequence : sequences) {
                    scores.add(p.scorer.predict(sequence));
                }
                for (String prompt : PROMPTS) {
                    texts.add(p.writer.predict(prompt));
                    images.add(p.paint(prompt));
                }
            }
            return new Outputs(scores, texts, images);
        }

        /**
         * One thread's share, compared with the serial outputs as it goes: {@link #ROUNDS} passes
         * over the sequences, each from another start, and in the first rounds one prompt's text
         * and image (every prompt once, the threads starting at different prompts).
         *
         * @return the number of predictions made
         */
        int runAndCompare(int thread, Outputs serial) throws TranslateException {
            int predictions = 0;
            try (Predictors p = new Predictors()) {
                for (int round = 0; round < ROUNDS; round++) {
                    String where = "thread " + thread + ", round " + round;
                    for (int k = 0; k < sequences.size(); k++) {
                        int i = (k + 7 * (thread + round)) % sequences.size();
                        MoTScore score = p.scorer.predict(sequences.get(i));
                        assertEquals(serial.scores().get(i), score, where + ", sequence " + i);
                        predictions++;
                    }
                    if (round < PROMPTS.size()) {
                        int i = (round + thread) % PROMPTS.size();
                        String prompt = PROMPTS.get(i);
                        assertEquals(
                                serial.greedyTexts().get(i),
                                p.writer.predict(prompt),
                                where + ", greedy text of '" + prompt + "'");
                        assertTrue(
                                Arrays.equals(serial.sampledImages().get(i), p.paint(prompt)),
                                where + ", seeded image of '" + prompt + "'");
                        predictions += 2;
                    }
                }
            }
            return predictions;
        }

        /** A thread's own predictors on the shared model. */
        private final class Predictors implements AutoCloseable {

            final Predictor<MoTSequence, MoTScore> scorer = model.newPredictor();
            final Predictor<String, String> writer = model.newPredictor(greedyText);
            final Predictor<String, Image> painter = model.newPredictor(sampledImage);
            final NDManager pixels = NDManager.newBaseManager();

            byte[] paint(String prompt) throws TranslateException {
                Image image = painter.predict(prompt);
                return GrayscaleImages.toGrayscale(
                        image, image.getWidth(), image.getHeight(), pixels);
            }

            @Override
            public void close() {
                scorer.close();
                writer.close();
                painter.close();
                pixels.close();
            }
        }
    }
}
