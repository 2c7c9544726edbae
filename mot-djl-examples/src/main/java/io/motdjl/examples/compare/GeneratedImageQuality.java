package io.motdjl.examples.compare;

import ai.djl.ndarray.NDManager;
import ai.djl.translate.TranslateException;

import com.google.gson.Gson;
import com.google.gson.JsonPrimitive;

import io.motdjl.config.MoTConfig;
import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.examples.quality.FashionClassifier;
import io.motdjl.examples.quality.FashionImages;
import io.motdjl.examples.quality.ImageQuality;
import io.motdjl.examples.quality.ImageQualityEvaluator;
import io.motdjl.nn.MoTModel;
import io.motdjl.train.TrainingRun;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The quality of each trained model's images, measured the same way in both settings: every model
 * draws {@code perClass} images for the caption "a photo of a" and the class name of each class
 * (the same seeds for every model), and the bundled Fashion-MNIST classifier gives their caption
 * fidelity and their Fashion-MNIST-feature FID against the held-out images (docs/image-quality.md).
 */
final class GeneratedImageQuality implements AutoCloseable {

    /** Draws one image per (class, seed) pair, pixels in [0, 1]. */
    @FunctionalInterface
    interface Drawer {
        List<float[]> draw(List<Integer> labels, List<Long> seeds) throws IOException;
    }

    /**
     * The curves the measures add when taken along training ({@link #alongTraining}): the
     * Fashion-MNIST-feature FID and the share of images the classifier does not label with their
     * caption's class (1 − caption fidelity), both lower-is-better like the losses beside them.
     */
    static final List<String> CURVES = List.of("image feature FID", "caption misses");

    /** The caption that asks for an image of a class. */
    static final String CAPTION_TEMPLATE = "a photo of {a} {}";

    /** Why a model whose experts choose their rows draws no images. */
    static final String CANNOT_DRAW =
            "not measured: expert-choice routing cannot generate (each expert chooses among all"
                    + " rows of a pass, so decoding through a key/value cache is refused)";

    private static final Logger logger = LoggerFactory.getLogger(GeneratedImageQuality.class);

    private final int perClass;
    private final NDManager manager;
    private final FashionClassifier classifier;
    private final ImageQualityEvaluator evaluator;
    private final Map<String, ImageQuality> results = new LinkedHashMap<>();
    private final Set<String> notDrawn = new LinkedHashSet<>();

    /**
     * Loads the bundled classifier and fits the reference features.
     *
     * @param perClass images each model draws per class (at least 1)
     * @param reference real held-out images
     * @throws IOException if the bundled classifier cannot be read
     */
    GeneratedImageQuality(int perClass, FashionMnist reference) throws IOException {
        if (perClass < 1) {
            throw new IllegalArgumentException(
                    "images per class must be positive, got " + perClass);
        }
        this.perClass = perClass;
        this.manager = NDManager.newBaseManager();
        try {
            this.classifier = FashionClassifier.loadBundled(manager);
            this.evaluator = new ImageQualityEvaluator(classifier, FashionImages.all(reference));
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Checks a comparison's images per class for the measures (0: not measured).
     *
     * @return {@code perClass}
     * @throws IllegalArgumentException if it is negative
     */
    static int checkImagesPerClass(int perClass) {
        if (perClass < 0) {
            throw new IllegalArgumentException(
                    "images per class for the quality measures must be 0 or more, got " + perClass);
        }
        return perClass;
    }

    /**
     * Whether a model of {@code config} can draw images: every model except those routed by expert
     * choice ({@link MoTModel#decodesWithCache}).
     */
    static boolean canDraw(MoTConfig config) {
        return MoTModel.decodesWithCache(config);
    }

    /**
     * Refuses architectures that cannot draw where drawing is asked of every model (image measures
     * along training, sample grids), before anything is trained.
     *
     * @param architectures the models to train
     * @param base the config they are derived from
     * @param what what was asked, for the message (e.g. "--quality-curve yes")
     * @throws IllegalArgumentException naming the architectures that cannot draw
     */
    static void requireAllDraw(List<Architecture> architectures, MoTConfig base, String what) {
        List<String> cannot = new ArrayList<>();
        for (Architecture a : architectures) {
            if (!canDraw(a.configure(base))) {
                cannot.add(a.label());
            }
        }
        if (!cannot.isEmpty()) {
            throw new IllegalArgumentException(
                    what
                            + " has every model draw images, but "
                            + String.join(", ", cannot)
                            + " route by expert choice and cannot generate; leave "
                            + (cannot.size() == 1 ? "it" : "them")
                            + " out of --architectures or drop "
                            + what);
        }
    }

    /**
     * Whether {@code architecture}'s model (of {@code config}) can draw; one that cannot is
     * recorded, and reported as not measured.
     */
    boolean drawsFor(Architecture architecture, MoTConfig config) {
        if (canDraw(config)) {
            return true;
        }
        notDrawn.add(architecture.label());
        logger.info("{}: generated images {}", architecture.label(), CANNOT_DRAW);
        return false;
    }

    /** Images per class. */
    int perClass() {
        return perClass;
    }

    /** Has {@code drawer} draw every class's images, measures them and keeps the result. */
    ImageQuality measure(Architecture architecture, Drawer drawer) throws IOException {
        List<Integer> labels = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        for (int label = 0; label < FashionMnist.NUM_CLASSES; label++) {
            for (int k = 0; k < perClass; k++) {
                labels.add(label);
                seeds.add((long) k);
            }
        }
        List<float[]> images = drawer.draw(labels, seeds);
        Map<Integer, List<float[]>> byClass = new LinkedHashMap<>();
        for (int i = 0; i < images.size(); i++) {
            byClass.computeIfAbsent(labels.get(i), l -> new ArrayList<>()).add(images.get(i));
        }
        ImageQuality quality = evaluator.evaluate(byClass);
        results.put(architecture.label(), quality);
        logger.info("{}: {}", architecture.label(), line(quality));
        return quality;
    }

    /**
     * A scorer that adds this measure to {@code losses} at every evaluation of {@code
     * architecture}'s run: the losses, then the {@link #CURVES} values. The last evaluation's
     * measure is the model's result.
     *
     * @param architecture the model scored
     * @param losses the held-out losses
     * @param drawer the model's image drawer, from its run
     */
    CurveTraining.Scorer alongTraining(
            Architecture architecture,
            CurveTraining.Scorer losses,
            Function<TrainingRun, Drawer> drawer) {
        return new CurveTraining.Scorer() {
            @Override
            public double[] score(TrainingRun run) throws IOException, TranslateException {
                double[] heldOut = losses.score(run);
                ImageQuality quality = measure(architecture, drawer.apply(run));
                double[] out = Arrays.copyOf(heldOut, heldOut.length + CURVES.size());
                out[heldOut.length] = quality.fashionMnistFeatureFid();
                out[heldOut.length + 1] = 1 - quality.captionFidelity();
                return out;
            }

            @Override
            public String describe(double[] values) {
                int n = values.length - CURVES.size();
                return losses.describe(Arrays.copyOf(values, n))
                        + String.format(
                                Locale.ROOT,
                                "; generated images: FID %.2f, caption fidelity %.1f %%",
                                values[n],
                                100 * (1 - values[n + 1]));
            }
        };
    }

    /** The caption of class {@code label}. */
    static String caption(int label) {
        return io.motdjl.examples.chameleon.CaptionTemplates.fill(
                CAPTION_TEMPLATE, FashionMnist.captionName(label));
    }

    /**
     * Adds each measured model's figures to the report: under {@code image_quality} in results.json
     * and a line of the printed summary.
     */
    void describe(ComparisonReport report) {
        Gson gson = new Gson();
        results.forEach(
                (model, quality) -> {
                    report.detail(model, "image_quality", gson.toJsonTree(quality.toMap()));
                    report.note(model + " " + line(quality));
                });
        for (String model : notDrawn) {
            report.detail(model, "image_quality", new JsonPrimitive(CANNOT_DRAW));
            report.note(model + " generated images: " + CANNOT_DRAW);
        }
    }

    private static String line(ImageQuality q) {
        return String.format(
                Locale.ROOT,
                "generated images: caption fidelity %.1f %%, Fashion-MNIST-feature FID %.2f (%d"
                        + " images vs %d held-out)",
                100 * q.captionFidelity(),
                q.fashionMnistFeatureFid(),
                q.images(),
                q.referenceImages());
    }

    @Override
    public void close() {
        classifier.close();
        manager.close();
    }

    /** The {@link #CURVES} as panels of a comparison report. */
    static List<ReportPanel> panels() {
        return CURVES.stream().map(ReportPanel::generated).toList();
    }
}
