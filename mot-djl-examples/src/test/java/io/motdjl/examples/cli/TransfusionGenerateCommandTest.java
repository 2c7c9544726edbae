package io.motdjl.examples.cli;

import static io.motdjl.examples.cli.InProcessCli.run;
import static io.motdjl.examples.cli.InProcessCli.trainTiny;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;

import io.motdjl.config.MoTConfig;
import io.motdjl.examples.chameleon.CaptionTemplates;
import io.motdjl.examples.chameleon.FashionMnist;
import io.motdjl.examples.cli.InProcessCli.Run;
import io.motdjl.examples.quality.FashionClassifier;
import io.motdjl.examples.quality.FashionImages;
import io.motdjl.examples.quality.ImageQuality;
import io.motdjl.examples.quality.ImageQualityEvaluator;
import io.motdjl.examples.zoo.TrainZooModels;
import io.motdjl.zoo.MoTCheckpoint;
import io.motdjl.zoo.ModelCard;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

/**
 * {@code mot train --setting transfusion} and {@code mot generate} on Transfusion-setting models (a
 * tiny checkpoint trained here, and the zoo's bundled one), in-process through the command line's
 * entry point.
 */
class TransfusionGenerateCommandTest {

    @TempDir static Path tmp;
    private static Path checkpoint;

    @BeforeAll
    static void trainATinyCheckpoint() throws Exception {
        checkpoint = tmp.resolve("ckpt");
        Run r = trainTiny(checkpoint, 32, "--setting", "transfusion", "--architecture", "dense");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("held-out loss caption text"), r.out());
        for (String file :
                new String[] {
                    "config.json",
                    "model.safetensors",
                    "checksums.sha256",
                    "model-card.json",
                    "README.md"
                }) {
            assertTrue(Files.isRegularFile(checkpoint.resolve(file)), file);
        }
        assertFalse(Files.exists(checkpoint.resolve("tokenizer.json")));
        MoTConfig config = MoTCheckpoint.readConfig(checkpoint);
        assertNotNull(config.diffusion(), "config.json has the diffusion key");
        assertEquals(1, config.diffusion().modality());
        ModelCard card =
                ModelCard.fromJson(Files.readString(checkpoint.resolve("model-card.json")));
        assertEquals("dense-d32-l1", card.name());
        assertEquals(28.0, card.model().get("image_height"));
        assertEquals(4.0, card.model().get("patch_side"));
        assertTrue(card.heldOutLoss().get("image") > 0);
        assertEquals(
                "bin/mot train --out "
                        + checkpoint
                        + " --steps 3 --dim 32 --layers 1 --heads 2 --batch 8 --setting transfusion"
                        + " --architecture dense",
                card.command());
    }

    private static Run generate(String... args) {
        List<String> all =
                new ArrayList<>(List.of("generate", "--checkpoint", checkpoint.toString()));
        all.addAll(Arrays.asList(args));
        return run(all.toArray(String[]::new));
    }

    @Test
    void captionToImageWritesThePngOfTheAskedSamplesTheSameForTheSameSeed() throws Exception {
        Path png = tmp.resolve("bag.png");
        String[] args = {
            "caption-to-image",
            "--caption",
            "a photo of a bag",
            "--out",
            png.toString(),
            "--samples",
            "3",
            "--scale",
            "2",
            "--steps",
            "5",
            "--seed",
            "5"
        };
        Run r = generate(args);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("3 image(s) for \"a photo of a bag\""), r.out());
        BufferedImage image = ImageIO.read(png.toFile());
        // three 56-pixel cells with 4-pixel gaps
        assertEquals(4 + 3 * (56 + 4), image.getWidth());
        assertEquals(4 + 56 + 4, image.getHeight());
        byte[] first = Files.readAllBytes(png);
        assertEquals(0, generate(args).status());
        assertArrayEquals(first, Files.readAllBytes(png), "same seed, same images");

        Run ancestral =
                generate(
                        "caption-to-image",
                        "--caption",
                        "a photo of a bag",
                        "--out",
                        png.toString(),
                        "--samples",
                        "3",
                        "--scale",
                        "2",
                        "--sampler",
                        "ancestral",
                        "--steps",
                        "4",
                        "--guidance",
                        "1.5",
                        "--seed",
                        "5");
        assertEquals(0, ancestral.status(), ancestral.err());
        assertFalse(Arrays.equals(first, Files.readAllBytes(png)), "another sampler");
    }

    @Test
    void gridHasOneRowPerClass() throws Exception {
        Path png = tmp.resolve("grid.png");
        Run r =
                generate(
                        "grid",
                        "--out",
                        png.toString(),
                        "--samples",
                        "2",
                        "--scale",
                        "1",
                        "--steps",
                        "3");
        assertEquals(0, r.status(), r.err());
        assertEquals(4 + 10 * (28 + 4), ImageIO.read(png.toFile()).getHeight());
    }

    @Test
    void imageToCaptionContinuationAndCaptionAccuracyPrintText() throws Exception {
        Run caption = generate("image-to-caption", "--heldout", "2", "--max-tokens", "6");
        assertEquals(0, caption.status(), caption.err());
        assertTrue(caption.out().startsWith("held-out image 2 (class: "), caption.out());

        Path png = tmp.resolve("in.png");
        assertEquals(
                0,
                generate(
                                "caption-to-image",
                                "--caption",
                                "a coat",
                                "--out",
                                png.toString(),
                                "--samples",
                                "1",
                                "--steps",
                                "2")
                        .status());
        Run fromFile = generate("image-to-caption", "--image", png.toString(), "--max-tokens", "4");
        assertEquals(0, fromFile.status(), fromFile.err());
        assertTrue(fromFile.out().startsWith(png + " -> "), fromFile.out());

        Run more = generate("continue", "--text", "a photo", "--max-tokens", "5");
        assertEquals(0, more.status(), more.err());
        assertTrue(more.out().startsWith("a photo"), more.out());

        Run accuracy = generate("caption-accuracy", "--samples", "20", "--max-tokens", "8");
        assertEquals(0, accuracy.status(), accuracy.err());
        assertTrue(
                accuracy.out().lines().anyMatch(l -> l.startsWith("all") && l.contains(" 20 ")),
                accuracy.out());
    }

    @Test
    void imageQualityReportsWhatTheClassifierMakesOfTheImagesTheModelDraws() throws Exception {
        Run r = generate("image-quality", "--samples", "2", "--steps", "2", "--seed", "4");
        assertEquals(0, r.status(), r.err());

        // the same images drawn and measured here, through the library, must give the same figures
        ImageQuality expected;
        try (GenerationModel model = GenerationModel.fromCheckpoint(checkpoint);
                NDManager manager = NDManager.newBaseManager();
                FashionClassifier classifier = FashionClassifier.loadBundled(manager)) {
            FashionMnist heldOut =
                    TrainZooModels.bundledSplit(TrainZooModels.Settings.defaults().seed())
                            .heldOut();
            ImageQualityEvaluator evaluator =
                    new ImageQualityEvaluator(classifier, FashionImages.all(heldOut));
            Map<Integer, List<float[]>> byClass = new HashMap<>();
            for (int label = 0; label < FashionMnist.NUM_CLASSES; label++) {
                String caption =
                        CaptionTemplates.fill("a photo of {a} {}", FashionMnist.captionName(label));
                List<float[]> images = new ArrayList<>();
                for (byte[] pixels :
                        model.draw(
                                List.of(caption, caption),
                                new io.motdjl.generate.SamplingSettings(1.0, 0, 1.0, 4),
                                io.motdjl.diffusion.SamplingSettings.ddim(2, 3.0, 4))) {
                    images.add(FashionImages.toFloats(pixels));
                }
                byClass.put(label, images);
            }
            expected = evaluator.evaluate(byClass);
        }
        String all = String.format(Locale.ROOT, "all 20 %.1f %%", 100 * expected.captionFidelity());
        assertTrue(
                r.out().lines().anyMatch(l -> l.trim().replaceAll(" +", " ").equals(all)),
                "expected the line '" + all + "' in:\n" + r.out());
        assertTrue(
                r.out()
                        .contains(
                                String.format(
                                        Locale.ROOT,
                                        "Fashion-MNIST-feature FID %.2f (20 generated images",
                                        expected.fashionMnistFeatureFid())),
                r.out());
        assertEquals(
                11,
                r.out().lines().filter(l -> l.trim().endsWith("%")).count(),
                "ten classes and all: " + r.out());

        Run none = generate("image-quality", "--samples", "0");
        assertEquals(2, none.status());
        assertTrue(none.err().contains("--samples must be in [1, 500], got 0"), none.err());
        Run tokens = generate("image-quality", "--samples", "1", "--temperature", "0.5");
        assertEquals(2, tokens.status());
        assertTrue(tokens.err().contains("--temperature sets how tokens are drawn"), tokens.err());
    }

    @Test
    void theBundledZooModelCaptionsAHeldOutImage() {
        for (String architecture : List.of("mot", "dense")) {
            Run r =
                    run(
                            "generate",
                            "--model",
                            "transfusion-fmnist",
                            "--architecture",
                            architecture,
                            "image-to-caption",
                            "--heldout",
                            "3");
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().startsWith("held-out image 3 (class: "), r.out());
        }
    }

    @Test
    void outOfRangeSamplingValuesAreUsageErrorsNamingTheValue() {
        String out = tmp.resolve("x.png").toString();
        String[][] cases = {
            {"--steps", "0", "--steps must be in [1, 1000], got 0"},
            {"--steps", "1001", "--steps must be in [1, 1000], got 1001"},
            {"--guidance", "101", "--guidance must be in [0, 100], got 101"},
            {"--guidance", "-0.5", "--guidance must be in [0, 100], got -0.5"},
            {"--sampler", "euler", "option --sampler must be one of ddim, ancestral, got 'euler'"},
            {"--steps", "ten", "option --steps needs an integer, got 'ten'"}
        };
        for (String[] c : cases) {
            Run r = generate("caption-to-image", "--caption", "a bag", "--out", out, c[0], c[1]);
            assertEquals(2, r.status(), c[0] + " " + c[1] + ": " + r.err());
            assertTrue(r.err().contains(c[2]), r.err());
        }
    }

    @Test
    void samplingOptionsOfTheOtherSettingAreRefused() {
        String out = tmp.resolve("x.png").toString();
        Run hot =
                generate(
                        "caption-to-image",
                        "--caption",
                        "a bag",
                        "--out",
                        out,
                        "--temperature",
                        "1");
        assertEquals(2, hot.status(), hot.err());
        assertTrue(
                hot.err().contains("--temperature sets how tokens are drawn")
                        && hot.err().contains("Transfusion-setting model")
                        && hot.err().contains("--guidance"),
                hot.err());

        Run chameleon =
                run(
                        "generate",
                        "--model",
                        "chameleon-fmnist",
                        "caption-to-image",
                        "--caption",
                        "a bag",
                        "--out",
                        out,
                        "--guidance",
                        "2");
        assertEquals(2, chameleon.status(), chameleon.err());
        assertTrue(
                chameleon.err().contains("--guidance sets how a Transfusion-setting model draws")
                        && chameleon.err().contains("Chameleon-setting model"),
                chameleon.err());

        Run textTask = generate("image-to-caption", "--heldout", "1", "--steps", "10");
        assertEquals(2, textTask.status(), textTask.err());
        assertTrue(
                textTask.err().contains("--steps sets how images are drawn by diffusion")
                        && textTask.err().contains("image-to-caption draws none"),
                textTask.err());
        assertFalse(Files.exists(tmp.resolve("x.png")), "nothing written");
    }

    @Test
    void trainRefusesChameleonOnlyOptionsAndUnknownSettings() {
        Path dir = tmp.resolve("never");
        Run tokenizer =
                run(
                        "train",
                        "--setting",
                        "transfusion",
                        "--out",
                        dir.toString(),
                        "--tokenizer-iterations",
                        "3");
        assertEquals(2, tokenizer.status(), tokenizer.err());
        assertTrue(
                tokenizer.err().contains("--tokenizer-iterations sets the k-means image tokenizer"),
                tokenizer.err());
        Run unknown = run("train", "--setting", "parti", "--out", dir.toString());
        assertEquals(2, unknown.status(), unknown.err());
        assertTrue(
                unknown.err().contains("--setting must be one of chameleon, transfusion"),
                unknown.err());
        assertFalse(Files.exists(dir), "nothing trained");
    }
}
