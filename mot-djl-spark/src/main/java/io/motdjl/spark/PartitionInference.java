package io.motdjl.spark;

import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;

import io.motdjl.io.AtomicFiles;
import io.motdjl.zoo.GenerationOptions;
import io.motdjl.zoo.MoTScore;
import io.motdjl.zoo.MoTSequence;
import io.motdjl.zoo.MoTTranslatorFactory;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The work of one partition: scores and draws its captions in chunks, with one scoring and one
 * drawing {@code Predictor} over the JVM's shared model ({@link JvmModels}), and writes each image
 * as a PNG. Only this object's few fields travel to the executors; the model never does.
 */
public final class PartitionInference implements MapPartitionsFunction<CaptionRow, CaptionResult> {

    /** The folder of the images, inside the output directory. */
    public static final String IMAGES = "images";

    private static final long serialVersionUID = 1L;

    private static final Logger logger = LoggerFactory.getLogger(PartitionInference.class);

    private final ModelSource source;
    private final int batch;
    private final long seed;
    private final double temperature;
    private final String outDir;

    /**
     * The work of every partition of a job.
     *
     * @param source where the executors load the model from
     * @param batch captions per {@code batchPredict} call
     * @param seed seed of the draws (only matters when sampling)
     * @param temperature 0 for greedy drawing, else the sampling temperature
     * @param outDir the output directory (absolute; the images go to its {@value #IMAGES} folder)
     */
    public PartitionInference(
            ModelSource source, int batch, long seed, double temperature, String outDir) {
        this.source = source;
        this.batch = batch;
        this.seed = seed;
        this.temperature = temperature;
        this.outDir = outDir;
    }

    /**
     * The file name of a row's image, relative to the output directory.
     *
     * @param index the row's index
     * @return e.g. {@code images/000007.png}
     */
    public static String imageName(long index) {
        return String.format(Locale.ROOT, "%s/%06d.png", IMAGES, index);
    }

    @Override
    public Iterator<CaptionResult> call(Iterator<CaptionRow> rows) throws TranslateException {
        // the scoring model; the drawing predictor reuses it with another translator, so the
        // JVM loads the weights once for both jobs
        ZooModel<MoTSequence, MoTScore> model =
                JvmModels.get(source, MoTSequence.class, MoTScore.class);
        Translator<String, Image> drawing =
                new MoTTranslatorFactory()
                        .newInstance(
                                String.class,
                                Image.class,
                                model,
                                Map.of(
                                        GenerationOptions.SEED, seed,
                                        GenerationOptions.TEMPERATURE, temperature));
        List<CaptionResult> results = new ArrayList<>();
        try (Predictor<MoTSequence, MoTScore> scorer = model.newPredictor();
                Predictor<String, Image> drawer = model.newPredictor(drawing)) {
            List<CaptionRow> chunk = new ArrayList<>(batch);
            while (rows.hasNext()) {
                chunk.add(rows.next());
                if (chunk.size() == batch || !rows.hasNext()) {
                    results.addAll(infer(chunk, scorer, drawer));
                    chunk.clear();
                }
            }
        }
        logger.debug("partition done: {} rows", results.size());
        return results.iterator();
    }

    private List<CaptionResult> infer(
            List<CaptionRow> chunk,
            Predictor<MoTSequence, MoTScore> scorer,
            Predictor<String, Image> drawer)
            throws TranslateException {
        List<MoTSequence> sequences = new ArrayList<>(chunk.size());
        List<String> captions = new ArrayList<>(chunk.size());
        for (CaptionRow row : chunk) {
            sequences.add(CaptionSequences.of(row.getCaption()));
            captions.add(row.getCaption());
        }
        List<MoTScore> scores;
        List<Image> images;
        try {
            scores = scorer.batchPredict(sequences);
            images = drawer.batchPredict(captions);
        } catch (TranslateException e) {
            // name the rows: Spark reports only the partition that failed
            throw new TranslateException(
                    "captions "
                            + chunk.get(0).getIndex()
                            + ".."
                            + chunk.get(chunk.size() - 1).getIndex()
                            + ": "
                            + e.getMessage(),
                    e);
        }
        List<CaptionResult> out = new ArrayList<>(chunk.size());
        for (int i = 0; i < chunk.size(); i++) {
            CaptionRow row = chunk.get(i);
            String name = imageName(row.getIndex());
            save(images.get(i), Path.of(outDir, name));
            out.add(
                    new CaptionResult(
                            row.getIndex(), row.getCaption(), scores.get(i).loss(), name));
        }
        return out;
    }

    private static void save(Image image, Path file) {
        try {
            Files.createDirectories(file.getParent());
            // atomic, and never replacing what is not a regular file
            AtomicFiles.write(file, os -> image.save(os, "png"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
