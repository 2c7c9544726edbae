package io.motdjl.examples.chameleon;

import io.motdjl.tokenize.KMeans;
import io.motdjl.tokenize.PatchGrid;
import io.motdjl.tokenize.PatchKMeansTokenizer;
import io.motdjl.tokenize.PatchKMeansTrainer;
import io.motdjl.tokenize.ReconstructionReport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;

import javax.imageio.ImageIO;

/**
 * Measures reconstruction quality and training time of patch k-means tokenizers for several patch
 * sizes, codebook sizes and initialisations: trained on 5,000 images, measured on the other 5,000
 * of the bundled test split (split seed 0). Slow, so it runs only on demand:
 *
 * <pre>
 * mvn -o test -pl mot-djl-examples -am -Dtest=TokenizerStudy -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dmotdjl.tokenizerStudy=true
 * </pre>
 *
 * {@code -Dmotdjl.tokenizerStudy.options=4:256:20:KMEANS_PLUS_PLUS,...} (patch size, K, iterations,
 * init) picks other configurations.
 */
@EnabledIfSystemProperty(named = "motdjl.tokenizerStudy", matches = "true")
class TokenizerStudy {

    private static final Logger logger = LoggerFactory.getLogger(TokenizerStudy.class);

    private static final String DEFAULT_OPTIONS =
            String.join(
                    ",",
                    "4:256:20:KMEANS_PLUS_PLUS",
                    "4:128:20:KMEANS_PLUS_PLUS",
                    "4:512:20:KMEANS_PLUS_PLUS",
                    "4:1024:20:KMEANS_PLUS_PLUS",
                    "4:256:20:RANDOM",
                    "4:256:5:KMEANS_PLUS_PLUS",
                    "4:256:10:KMEANS_PLUS_PLUS",
                    "4:256:40:KMEANS_PLUS_PLUS",
                    "2:128:20:KMEANS_PLUS_PLUS",
                    "2:256:20:KMEANS_PLUS_PLUS",
                    "2:512:20:KMEANS_PLUS_PLUS",
                    "7:256:20:KMEANS_PLUS_PLUS");

    private static FashionMnist.Split split() {
        return BundledFashionMnist.get().split(0.5, 0);
    }

    @Test
    void compareOptions() {
        FashionMnist.Split split = split();
        String specs = System.getProperty("motdjl.tokenizerStudy.options", DEFAULT_OPTIONS);
        for (String spec : specs.split(",")) {
            String[] f = spec.split(":");
            PatchKMeansTrainer.Options options =
                    PatchKMeansTrainer.Options.defaults()
                            .withPatchSize(Integer.parseInt(f[0]))
                            .withCodebookSize(Integer.parseInt(f[1]))
                            .withIterations(Integer.parseInt(f[2]))
                            .withInit(KMeans.Init.valueOf(f[3]));
            long start = System.nanoTime();
            PatchKMeansTokenizer tokenizer =
                    PatchKMeansTrainer.train(split.train().images(), 28, 28, options);
            double seconds = (System.nanoTime() - start) / 1e9;
            ReconstructionReport heldOut =
                    ReconstructionReport.measure(tokenizer, split.heldOut().images());
            ReconstructionReport train =
                    ReconstructionReport.measure(tokenizer, split.train().images());
            logger.warn(
                    String.format(
                            "patch %d, K %4d, %2d it, %-16s %3d codes/image: trained in %.1f s;"
                                    + " held-out RMSE %.4f, PSNR %.2f dB (per image %.2f dB);"
                                    + " train RMSE %.4f; %d distinct entries",
                            options.patchSize(),
                            options.codebookSize(),
                            options.iterations(),
                            options.init(),
                            tokenizer.codesPerImage(),
                            seconds,
                            heldOut.rmse(),
                            heldOut.psnrDb(),
                            heldOut.meanImagePsnrDb(),
                            train.rmse(),
                            tokenizer.distinctEntries()));
        }
    }

    /** RMSE of replacing every patch by its mean: a continuous reference with no codebook. */
    @Test
    void patchMeanBaseline() {
        FashionMnist heldOut = split().heldOut();
        for (int patch : new int[] {2, 4, 7}) {
            PatchGrid grid = new PatchGrid(28, 28, patch);
            double sum = 0;
            for (int i = 0; i < heldOut.size(); i++) {
                byte[] image = heldOut.image(i);
                for (int p = 0; p < grid.patchCount(); p++) {
                    double mean = 0;
                    for (int j = 0; j < grid.patchDim(); j++) {
                        mean += Byte.toUnsignedInt(image[grid.pixelIndex(p, j)]);
                    }
                    mean /= grid.patchDim();
                    for (int j = 0; j < grid.patchDim(); j++) {
                        double d = Byte.toUnsignedInt(image[grid.pixelIndex(p, j)]) - mean;
                        sum += d * d;
                    }
                }
            }
            double rmse = Math.sqrt(sum / (784.0 * heldOut.size())) / 255;
            logger.warn(
                    String.format(
                            "patch-mean baseline, patch %d: held-out RMSE %.4f, PSNR %.2f dB",
                            patch, rmse, -20 * Math.log10(rmse)));
        }
    }

    /**
     * Writes 16 held-out originals (top row) and their reconstructions with 4 × 4 / K 256 and 2 × 2
     * / K 256 tokenizers to {@code target/tokenizer-study.png}.
     */
    @Test
    void writeReconstructions() throws IOException {
        FashionMnist.Split split = split();
        PatchKMeansTrainer.Options defaults = PatchKMeansTrainer.Options.defaults();
        PatchKMeansTokenizer[] tokenizers = {
            PatchKMeansTrainer.train(split.train().images(), 28, 28, defaults),
            PatchKMeansTrainer.train(split.train().images(), 28, 28, defaults.withPatchSize(2)),
        };
        int columns = 16;
        int scale = 3;
        BufferedImage out =
                new BufferedImage(
                        columns * 28 * scale,
                        (tokenizers.length + 1) * 28 * scale,
                        BufferedImage.TYPE_BYTE_GRAY);
        for (int c = 0; c < columns; c++) {
            byte[] image = split.heldOut().image(c * 7);
            draw(out, image, c, 0, scale);
            for (int t = 0; t < tokenizers.length; t++) {
                draw(out, tokenizers[t].decode(tokenizers[t].encode(image)), c, t + 1, scale);
            }
        }
        ImageIO.write(out, "png", new File("target/tokenizer-study.png"));
    }

    private static void draw(BufferedImage out, byte[] image, int column, int row, int scale) {
        for (int y = 0; y < 28 * scale; y++) {
            for (int x = 0; x < 28 * scale; x++) {
                int v = Byte.toUnsignedInt(image[(y / scale) * 28 + x / scale]);
                out.getRaster().setSample(column * 28 * scale + x, row * 28 * scale + y, 0, v);
            }
        }
    }
}
