package io.motdjl.examples.cli;

import static io.motdjl.examples.cli.InProcessCli.run;
import static io.motdjl.examples.cli.InProcessCli.trainTiny;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.examples.cli.InProcessCli.Run;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

/**
 * {@code mot train} and {@code mot generate}, in-process through the command line's entry point.
 */
class GenerateCommandTest {

    @TempDir static Path tmp;
    private static Path checkpoint;

    @BeforeAll
    static void trainATinyCheckpoint() {
        checkpoint = tmp.resolve("ckpt");
        Run r = trainTiny(checkpoint, 32, "--tokenizer-iterations", "1", "--devices", "cpu");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("held-out loss text"), r.out());
        for (String file :
                new String[] {
                    "config.json",
                    "model.safetensors",
                    "tokenizer.json",
                    "checksums.sha256",
                    "model-card.json"
                }) {
            assertTrue(Files.isRegularFile(checkpoint.resolve(file)), file);
        }
    }

    @Test
    void captionToImageWritesAPngOfTheAskedSamples() throws Exception {
        Path png = tmp.resolve("bag.png");
        Run r =
                run(
                        "generate",
                        "--checkpoint",
                        checkpoint.toString(),
                        "caption-to-image",
                        "--caption",
                        "a photo of a bag",
                        "--out",
                        png.toString(),
                        "--samples",
                        "3",
                        "--scale",
                        "2",
                        "--seed",
                        "5");
        assertEquals(0, r.status(), r.err());
        BufferedImage image = ImageIO.read(png.toFile());
        // three 56-pixel cells with 4-pixel gaps
        assertEquals(4 + 3 * (56 + 4), image.getWidth());
        assertEquals(4 + 56 + 4, image.getHeight());

        byte[] first = Files.readAllBytes(png);
        assertEquals(
                0,
                run(
                                "generate",
                                "--checkpoint",
                                checkpoint.toString(),
                                "caption-to-image",
                                "--caption",
                                "a photo of a bag",
                                "--out",
                                png.toString(),
                                "--samples",
                                "3",
                                "--scale",
                                "2",
                                "--seed",
                                "5")
                        .status());
        assertArrayEquals(first, Files.readAllBytes(png), "same seed, same images");
    }

    @Test
    void gridHasOneRowPerClass() throws Exception {
        Path png = tmp.resolve("grid.png");
        Run r =
                run(
                        "generate",
                        "--checkpoint",
                        checkpoint.toString(),
                        "grid",
                        "--out",
                        png.toString(),
                        "--samples",
                        "2",
                        "--scale",
                        "1");
        assertEquals(0, r.status(), r.err());
        assertEquals(4 + 10 * (28 + 4), ImageIO.read(png.toFile()).getHeight());
    }

    @Test
    void imageToCaptionAndContinuationPrintText() throws Exception {
        Run caption =
                run(
                        "generate",
                        "--checkpoint",
                        checkpoint.toString(),
                        "image-to-caption",
                        "--heldout",
                        "2",
                        "--max-tokens",
                        "6");
        assertEquals(0, caption.status(), caption.err());
        assertTrue(caption.out().startsWith("held-out image 2 (class: "), caption.out());

        Path png = tmp.resolve("in.png");
        run(
                "generate",
                "--checkpoint",
                checkpoint.toString(),
                "caption-to-image",
                "--caption",
                "a coat",
                "--out",
                png.toString(),
                "--samples",
                "1");
        Run fromFile =
                run(
                        "generate",
                        "--checkpoint",
                        checkpoint.toString(),
                        "image-to-caption",
                        "--image",
                        png.toString(),
                        "--max-tokens",
                        "4");
        assertEquals(0, fromFile.status(), fromFile.err());
        assertTrue(fromFile.out().startsWith(png + " -> "), fromFile.out());

        Run more =
                run(
                        "generate",
                        "--checkpoint",
                        checkpoint.toString(),
                        "continue",
                        "--text",
                        "a photo",
                        "--max-tokens",
                        "5");
        assertEquals(0, more.status(), more.err());
        assertTrue(more.out().startsWith("a photo"), more.out());
    }

    @Test
    void captionAccuracyCountsEveryClass() {
        Run r =
                run(
                        "generate",
                        "--checkpoint",
                        checkpoint.toString(),
                        "caption-accuracy",
                        "--samples",
                        "60",
                        "--max-tokens",
                        "8");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("sneaker"), r.out());
        assertTrue(
                r.out().lines().anyMatch(l -> l.startsWith("all") && l.contains(" 60 ")), r.out());
    }

    @Test
    void imageQualityMeasuresTheDecodedImagesOfEveryClass() {
        String[] args = {
            "generate", "--checkpoint", checkpoint.toString(), "image-quality", "--samples", "2"
        };
        Run r = run(args);
        assertEquals(0, r.status(), r.err());
        assertEquals(11, r.out().lines().filter(l -> l.trim().endsWith("%")).count(), r.out());
        assertTrue(
                r.out().lines().anyMatch(l -> l.startsWith("all") && l.contains(" 20 ")), r.out());
        assertTrue(r.out().contains("Fashion-MNIST-feature FID "), r.out());
        assertEquals(r.out(), run(args).out(), "same seed, same images, same figures");
        Run diffusion =
                run(
                        "generate",
                        "--checkpoint",
                        checkpoint.toString(),
                        "image-quality",
                        "--guidance",
                        "2");
        assertEquals(2, diffusion.status());
        assertTrue(diffusion.err().contains("Chameleon-setting model"), diffusion.err());
    }

    @Test
    void aCaptionNamesTheLongestClassItContains() {
        int shirt = 6;
        int tshirt = 0;
        assertEquals("shirt", io.motdjl.examples.chameleon.FashionMnist.captionName(shirt));
        assertEquals(tshirt, GenerateCommand.namedClass("a photo of a t-shirt/top"));
        assertEquals(shirt, GenerateCommand.namedClass("a picture of the shirt"));
        assertEquals(-1, GenerateCommand.namedClass("a photo of a cat"));
    }

    @Test
    void theBundledZooModelCaptionsAHeldOutImage() {
        Run first =
                run(
                        "generate",
                        "--model",
                        "chameleon-fmnist",
                        "image-to-caption",
                        "--heldout",
                        "3");
        assertEquals(0, first.status(), first.err());
        assertTrue(first.out().contains("->"), first.out());
        Run again =
                run(
                        "generate",
                        "--model",
                        "chameleon-fmnist",
                        "image-to-caption",
                        "--heldout",
                        "3");
        assertEquals(first.out(), again.out(), "greedy decoding is deterministic");
        Run dense =
                run(
                        "generate",
                        "--model",
                        "chameleon-fmnist",
                        "--architecture",
                        "dense",
                        "continue",
                        "--text",
                        "a picture of");
        assertEquals(0, dense.status(), dense.err());
    }

    @Test
    void wrongCommandLinesAreUsageErrorsAndBadInputIsAnError() {
        assertEquals(2, run("generate", "--checkpoint", checkpoint.toString()).status());
        Run unknown = run("generate", "--checkpoint", checkpoint.toString(), "paint");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("unknown generate task 'paint'"), unknown.err());
        Run both =
                run(
                        "generate",
                        "--checkpoint",
                        checkpoint.toString(),
                        "--model",
                        "chameleon-fmnist",
                        "continue",
                        "--text",
                        "a");
        assertEquals(2, both.status());
        assertTrue(both.err().contains("exactly one of --checkpoint"), both.err());
        Run noCaption =
                run(
                        "generate",
                        "--checkpoint",
                        checkpoint.toString(),
                        "caption-to-image",
                        "--out",
                        tmp.resolve("x.png").toString());
        assertEquals(2, noCaption.status());
        assertTrue(noCaption.err().contains("--caption"), noCaption.err());
        Run hot =
                run(
                        "generate",
                        "--checkpoint",
                        checkpoint.toString(),
                        "continue",
                        "--text",
                        "a",
                        "--temperature",
                        "-1");
        assertEquals(2, hot.status());
        assertTrue(hot.err().contains("temperature"), hot.err());
        Run missing =
                run(
                        "generate",
                        "--checkpoint",
                        tmp.resolve("nope").toString(),
                        "continue",
                        "--text",
                        "a");
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("checkpoint directory not found"), missing.err());
        for (String[] devices :
                new String[][] {
                    {"cpu,cpu", "names cpu twice"},
                    {"tpu0", "takes cpu and gpu0, gpu1"},
                    {"cpu,", "got ''"},
                    {"gpu999", "but this machine has"}
                }) {
            Run refused =
                    run("train", "--out", tmp.resolve("never").toString(), "--devices", devices[0]);
            assertEquals(2, refused.status(), devices[0] + ": " + refused.err());
            assertTrue(refused.err().contains(devices[1]), refused.err());
        }
        Run benchWithout = run("bench", "--only", "data-parallel");
        assertEquals(2, benchWithout.status(), benchWithout.err());
        assertTrue(benchWithout.err().contains("needs --devices"), benchWithout.err());
        Run benchBad = run("bench", "--only", "data-parallel", "--devices", "cpu,gpu");
        assertEquals(2, benchBad.status(), benchBad.err());
        assertTrue(benchBad.err().contains("got 'gpu'"), benchBad.err());
        Run notACheckpoint = run("train", "--out", tmp.toString());
        assertEquals(1, notACheckpoint.status(), notACheckpoint.err());
        assertTrue(
                notACheckpoint.err().contains("neither empty nor a checkpoint"),
                notACheckpoint.err());
    }
}
