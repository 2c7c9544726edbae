package io.motdjl.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.repository.zoo.ZooModel;

import io.motdjl.zoo.MoTScore;
import io.motdjl.zoo.MoTSequence;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

/**
 * A local[2] job over 12 captions in 3 partitions gives what one plain predictor gives, and loads
 * the model once for the JVM.
 */
class BatchCaptionsSparkTest {

    private static final List<String> CAPTIONS =
            List.of(
                    "a photo of a t-shirt or top",
                    "a photo of a pair of trousers",
                    "a photo of a pullover",
                    "a photo of a dress",
                    "a photo of a coat",
                    "a photo of a sandal",
                    "a photo of a shirt",
                    "a photo of a sneaker",
                    "a photo of a bag",
                    "a photo of an ankle boot",
                    "a picture of a bag",
                    "a picture of a coat");

    private static SparkSession spark;

    @TempDir Path tmp;

    @BeforeAll
    static void start() {
        spark = BatchCaptions.session("local[2]");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        JvmModels.closeAll();
    }

    @Test
    void matchesPlainPredictorAndLoadsOnce() throws Exception {
        Path input = Files.write(tmp.resolve("captions.txt"), CAPTIONS);
        Path out = tmp.resolve("out");
        BatchOptions options =
                BatchOptions.parse(
                        new String[] {
                            "--input",
                            input.toString(),
                            "--out",
                            out.toString(),
                            "--partitions",
                            "3",
                            "--batch",
                            "3"
                        });
        JvmModels.closeAll();
        int loadsBefore = JvmModels.loadCount();
        BatchSummary summary =
                BatchCaptions.run(spark, options, CaptionFile.read(input).captions());

        assertEquals(3, summary.partitions());
        assertEquals(CAPTIONS.size(), summary.results().size());
        // 3 partitions, one scoring and one drawing predictor each, one model for the JVM
        assertEquals(1, summary.modelsLoaded());
        assertEquals(1, JvmModels.loadCount() - loadsBefore);
        assertEquals(CAPTIONS.size(), Files.readAllLines(out.resolve(ResultsFile.NAME)).size());

        ModelSource source = options.source();
        try (ZooModel<MoTSequence, MoTScore> scoring =
                        source.criteria(MoTSequence.class, MoTScore.class).loadModel();
                Predictor<MoTSequence, MoTScore> scorer = scoring.newPredictor();
                ZooModel<String, Image> drawing =
                        source.criteria(String.class, Image.class).loadModel();
                Predictor<String, Image> drawer = drawing.newPredictor()) {
            for (int i = 0; i < CAPTIONS.size(); i++) {
                CaptionResult r = summary.results().get(i);
                String caption = CAPTIONS.get(i);
                assertEquals(i, r.getIndex());
                assertEquals(caption, r.getCaption());
                assertTrue(Double.isFinite(r.getScore()), caption);
                assertEquals(
                        scorer.predict(CaptionSequences.of(caption)).loss(),
                        r.getScore(),
                        1e-5,
                        caption);

                BufferedImage png = ImageIO.read(out.resolve(r.getImage()).toFile());
                assertEquals(28, png.getWidth());
                assertEquals(28, png.getHeight());
                BufferedImage want = (BufferedImage) drawer.predict(caption).getWrappedImage();
                assertArrayEquals(pixels(want), pixels(png), caption);
            }
        }
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
