package io.motdjl.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.motdjl.examples.compare.Architecture;
import io.motdjl.examples.compare.ComparisonReport;
import io.motdjl.examples.compare.TransfusionComparison;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code bin/mot compare} at a tiny size: both models train and every output is written. */
class CompareScriptTest {

    @Test
    void tinyComparisonWritesResultsAndPlot(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        MotScript.Result result =
                MotScript.run(
                        tmp,
                        "compare",
                        "--out",
                        out.toString(),
                        "--steps",
                        "6",
                        "--dim",
                        "32",
                        "--layers",
                        "1",
                        "--heads",
                        "2",
                        "--batch",
                        "8",
                        "--evals",
                        "2",
                        "--data",
                        "bundled",
                        "--quality-images",
                        "3");
        assertEquals(0, result.exitCode(), result.toString());
        // by default half of the sequences are prose: three held-out sets
        for (String set : new String[] {"prose text  ", "caption text", "image       "}) {
            assertTrue(
                    result.stdout().contains(set + " dense final held-out loss"), result.stdout());
        }
        JsonObject json =
                JsonParser.parseString(Files.readString(out.resolve(ComparisonReport.JSON)))
                        .getAsJsonObject();
        assertEquals(2, json.getAsJsonObject("models").getAsJsonArray("dense").size());
        assertEquals(2, json.getAsJsonObject("models").getAsJsonArray("mot").size());
        JsonObject architectures = json.getAsJsonObject("architectures");
        assertTrue(
                architectures.getAsJsonObject("mot").get("parameters").getAsLong()
                        > architectures.getAsJsonObject("dense").get("parameters").getAsLong());
        assertTrue(Files.size(out.resolve(ComparisonReport.PNG)) > 1000);
        assertTrue(Files.size(out.resolve(ComparisonReport.TIME_PNG)) > 1000);
        assertEquals(5, Files.readAllLines(out.resolve(ComparisonReport.CSV)).size());
        assertTrue(
                Files.readAllLines(out.resolve(ComparisonReport.CSV))
                        .get(0)
                        .endsWith(
                                "heldout_loss_prose text,heldout_loss_caption text,"
                                        + "heldout_loss_image"));
        assertImageQuality(architectures, List.of("dense", "mot"), 30, result.stdout());
        JsonObject settings = json.getAsJsonObject("settings");
        assertEquals(0.5, settings.get("prose_fraction").getAsDouble());
        assertTrue(settings.get("heldout_prose_sequences").getAsInt() > 0);
    }

    @Test
    void proseZeroIsTheEarlierSettingOfCaptionsAndImagesWithTheChosenPatches(@TempDir Path tmp)
            throws Exception {
        Path out = tmp.resolve("out");
        MotScript.Result result =
                MotScript.run(
                        tmp,
                        "compare",
                        "--out",
                        out.toString(),
                        "--steps",
                        "2",
                        "--dim",
                        "16",
                        "--layers",
                        "1",
                        "--heads",
                        "2",
                        "--batch",
                        "4",
                        "--evals",
                        "1",
                        "--prose",
                        "0",
                        "--data",
                        "bundled",
                        "--norm-order",
                        "pre",
                        "--qk-norm",
                        "no",
                        "--patch",
                        "7");
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.stdout().contains("text   dense final held-out loss"), result.stdout());
        assertTrue(result.stdout().contains("image  dense final held-out loss"), result.stdout());
        assertTrue(!result.stdout().contains("prose text"), result.stdout());
        JsonObject settings =
                JsonParser.parseString(Files.readString(out.resolve(ComparisonReport.JSON)))
                        .getAsJsonObject()
                        .getAsJsonObject("settings");
        assertEquals(0, settings.get("train_prose_sequences").getAsInt());
        // the architecture options reach both models
        assertEquals("pre", settings.get("norm_order").getAsString());
        assertFalse(settings.get("qk_norm").getAsBoolean());
        // and the tokenizer option reaches the image codes: 7x7 patches, 16 per 28x28 image
        assertTrue(
                settings.get("tokenizer").getAsString().startsWith("16 codes/image (7x7 patches)"),
                settings.get("tokenizer").toString());
    }

    @Test
    void badFlagsAreUsageErrors(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        assertRefused(
                tmp, "must divide dim", "--out", out.toString(), "--dim", "30", "--heads", "4");
        assertRefused(
                tmp, "prose fraction must be in [0, 1)", "--out", out.toString(), "--prose", "1");
        assertRefused(
                tmp,
                "--norm-order must be one of post, pre",
                "--out",
                out.toString(),
                "--norm-order",
                "mid");
        assertRefused(tmp, "patch side must divide 28", "--out", out.toString(), "--patch", "5");
        assertRefused(
                tmp,
                "unknown architecture 'moe' (known: dense,moe-4x,mot,",
                "--out",
                out.toString(),
                "--architectures",
                "dense,moe");
        assertRefused(
                tmp,
                "the comparison needs dense",
                "--out",
                out.toString(),
                "--architectures",
                "mot,moe-4x");
        assertTrue(Files.notExists(out), "nothing written on a usage error");
    }

    @Test
    void allFourArchitecturesTrainOnOneDataOrder(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        MotScript.Result result =
                MotScript.run(
                        tmp,
                        "compare",
                        "--out",
                        out.toString(),
                        "--steps",
                        "4",
                        "--dim",
                        "16",
                        "--layers",
                        "1",
                        "--heads",
                        "2",
                        "--batch",
                        "4",
                        "--evals",
                        "2",
                        "--data",
                        "bundled",
                        "--architectures",
                        "mot-moe-text,dense-2x,moe-4x,dense,mot",
                        // the default asks every model for images: the mixtures cannot draw
                        "--quality-images",
                        "1");
        assertEquals(0, result.exitCode(), result.toString());
        JsonObject json =
                JsonParser.parseString(Files.readString(out.resolve(ComparisonReport.JSON)))
                        .getAsJsonObject();
        // dense first, then the declaration order, whatever order the flag gave
        assertEquals(
                List.of("dense", "moe-4x", "mot", "mot-moe-text", "dense-2x"),
                List.copyOf(json.getAsJsonObject("models").keySet()));
        assertEquals(
                List.of("moe-4x", "mot", "mot-moe-text", "dense-2x"),
                List.copyOf(json.getAsJsonObject("flops_fraction_to_match_dense_final").keySet()));
        JsonObject architectures = json.getAsJsonObject("architectures");
        // the mixtures report their experts' use; expert choice with capacity factor 1 gives
        // each of the four experts a quarter of the computed rows in every layer
        for (String mixture : List.of("moe-4x", "mot-moe-text")) {
            JsonObject places =
                    architectures
                            .getAsJsonObject(mixture)
                            .getAsJsonObject("expert_utilisation")
                            .getAsJsonObject("places");
            assertEquals(1, places.size(), places.toString());
            JsonObject place = places.entrySet().iterator().next().getValue().getAsJsonObject();
            assertEquals(4, place.getAsJsonArray("expert_share").size());
            for (var share : place.getAsJsonArray("expert_share")) {
                assertEquals(0.25, share.getAsDouble(), 1e-6);
            }
            double dropped = place.get("dropped").getAsDouble();
            assertTrue(dropped >= 0 && dropped < 1, place.toString());
        }
        assertTrue(!architectures.getAsJsonObject("mot").has("expert_utilisation"));
        assertImageQuality(architectures, List.of("dense", "mot", "dense-2x"), 10, result.stdout());
        for (String mixture : List.of("moe-4x", "mot-moe-text")) {
            assertTrue(
                    architectures
                            .getAsJsonObject(mixture)
                            .get("image_quality")
                            .getAsString()
                            .startsWith("not measured: expert-choice routing cannot generate"),
                    architectures.getAsJsonObject(mixture).toString());
            assertTrue(
                    result.stdout().contains(mixture + " generated images: not measured"),
                    result.stdout());
        }
        // the size claim's dense model: twice the layers, about twice dense's parameters
        double ratio =
                architectures
                                .getAsJsonObject("dense-2x")
                                .get("active_non_embedding_parameters_per_token")
                                .getAsDouble()
                        / architectures
                                .getAsJsonObject("dense")
                                .get("active_non_embedding_parameters_per_token")
                                .getAsDouble();
        assertEquals(2.0, ratio, 1e-9);
        // equal FLOPs per token up to the router: within 1 % of dense's
        double dense =
                architectures
                        .getAsJsonObject("dense")
                        .get("training_flops_per_token_at_max_len")
                        .getAsDouble();
        for (String a : List.of("moe-4x", "mot", "mot-moe-text")) {
            double flops =
                    architectures
                            .getAsJsonObject(a)
                            .get("training_flops_per_token_at_max_len")
                            .getAsDouble();
            assertEquals(1.0, flops / dense, 0.01, a);
        }
        // the hybrid has MoT's parameters plus three more text feed-forwards and a router
        assertTrue(
                architectures.getAsJsonObject("mot-moe-text").get("parameters").getAsLong()
                        > architectures.getAsJsonObject("mot").get("parameters").getAsLong());
        assertEquals(11, Files.readAllLines(out.resolve(ComparisonReport.CSV)).size());
        assertTrue(result.stdout().contains("rows got no expert"), result.stdout());
    }

    @Test
    void aTransfusionMixtureTrainsButDrawsNothing(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        MotScript.Result result =
                MotScript.run(
                        tmp,
                        "compare",
                        "--out",
                        out.toString(),
                        "--setting",
                        "transfusion",
                        "--architectures",
                        "dense,moe-4x",
                        "--steps",
                        "2",
                        "--dim",
                        "16",
                        "--layers",
                        "1",
                        "--heads",
                        "2",
                        "--batch",
                        "4",
                        "--evals",
                        "1",
                        "--data",
                        "bundled",
                        "--samples",
                        "1",
                        "--sample-steps",
                        "2",
                        "--quality-images",
                        "1");
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(
                Files.exists(out.resolve(TransfusionComparison.samplesFile(Architecture.DENSE))));
        assertTrue(
                Files.notExists(
                        out.resolve(TransfusionComparison.samplesFile(Architecture.MOE_4X))));
        assertTrue(result.stdout().contains("samples: "), result.stdout());
        assertTrue(!result.stdout().contains("samples_moe"), result.stdout());
        JsonObject architectures =
                JsonParser.parseString(Files.readString(out.resolve(ComparisonReport.JSON)))
                        .getAsJsonObject()
                        .getAsJsonObject("architectures");
        assertImageQuality(architectures, List.of("dense"), 10, result.stdout());
        assertTrue(
                architectures
                        .getAsJsonObject("moe-4x")
                        .get("image_quality")
                        .getAsString()
                        .startsWith("not measured"),
                architectures.toString());
    }

    @Test
    void theTransfusionSettingTrainsDiffusionAndText(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        MotScript.Result result =
                MotScript.run(
                        tmp,
                        "compare",
                        "--out",
                        out.toString(),
                        "--setting",
                        "transfusion",
                        "--steps",
                        "4",
                        "--dim",
                        "16",
                        "--layers",
                        "1",
                        "--heads",
                        "2",
                        "--batch",
                        "4",
                        "--evals",
                        "2",
                        "--data",
                        "bundled",
                        "--samples",
                        "2",
                        "--sample-steps",
                        "2",
                        "--quality-images",
                        "3",
                        "--quality-curve",
                        "yes");
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.stdout().contains("in the Transfusion setting"), result.stdout());
        assertTrue(
                result.stdout().matches("(?s).*image diffusion +dense final held-out loss.*"),
                result.stdout());
        JsonObject json =
                JsonParser.parseString(Files.readString(out.resolve(ComparisonReport.JSON)))
                        .getAsJsonObject();
        assertEquals("transfusion", json.getAsJsonObject("settings").get("setting").getAsString());
        assertEquals("linear", json.getAsJsonObject("settings").get("patch_encoder").getAsString());
        assertEquals(
                List.of("caption text", "image diffusion", "image feature FID", "caption misses"),
                json.getAsJsonArray("modalities").asList().stream()
                        .map(e -> e.getAsString())
                        .toList());
        JsonObject last =
                json.getAsJsonObject("models")
                        .getAsJsonArray("mot")
                        .get(1)
                        .getAsJsonObject()
                        .getAsJsonObject("heldout_loss");
        // an untrained noise head predicts about nothing: the epsilon MSE starts near 1
        double diffusion = last.get("image diffusion").getAsDouble();
        assertTrue(diffusion > 0.2 && diffusion < 3, "diffusion loss " + diffusion);
        assertTrue(last.get("caption text").getAsDouble() > 0);
        // --quality-curve yes: the measures are curves too, and the last point is the result
        double fid = last.get("image feature FID").getAsDouble();
        assertEquals(
                fid,
                json.getAsJsonObject("architectures")
                        .getAsJsonObject("mot")
                        .getAsJsonObject("image_quality")
                        .get("fashion_mnist_feature_fid")
                        .getAsDouble(),
                1e-9);
        double misses = last.get("caption misses").getAsDouble();
        assertTrue(misses >= 0 && misses <= 1, "caption misses " + misses);
        assertTrue(
                result.stdout().contains("image feature FID dense final value"), result.stdout());
        assertImageQuality(
                json.getAsJsonObject("architectures"),
                List.of("dense", "mot"),
                30,
                result.stdout());
        // each model drew its grid: ten classes, two samples each, 28x28 at scale 3
        for (String model : List.of("dense", "mot")) {
            java.awt.image.BufferedImage grid =
                    javax.imageio.ImageIO.read(out.resolve("samples_" + model + ".png").toFile());
            assertTrue(grid.getHeight() >= 10 * 28 * 3, "height " + grid.getHeight());
            assertTrue(grid.getWidth() >= 2 * 28 * 3, "width " + grid.getWidth());
        }
        assertRefused(
                tmp,
                "no prose yet",
                "--out",
                out.toString(),
                "--setting",
                "transfusion",
                "--prose",
                "0.5");
    }

    @Test
    void theConvPatchEncoderIsAnOptionOfTheTransfusionSettingOnly(@TempDir Path tmp)
            throws Exception {
        Path out = tmp.resolve("out");
        MotScript.Result result =
                MotScript.run(
                        tmp,
                        "compare",
                        "--out",
                        out.toString(),
                        "--setting",
                        "transfusion",
                        "--patch-encoder",
                        "conv",
                        "--steps",
                        "3",
                        "--dim",
                        "16",
                        "--layers",
                        "1",
                        "--heads",
                        "2",
                        "--batch",
                        "4",
                        "--evals",
                        "1",
                        "--data",
                        "bundled",
                        "--samples",
                        "1",
                        "--sample-steps",
                        "2",
                        "--quality-images",
                        "0");
        assertEquals(0, result.exitCode(), result.toString());
        JsonObject json =
                JsonParser.parseString(Files.readString(out.resolve(ComparisonReport.JSON)))
                        .getAsJsonObject();
        JsonObject settings = json.getAsJsonObject("settings");
        assertEquals("conv", settings.get("patch_encoder").getAsString());
        assertEquals(32, settings.get("conv_channels").getAsInt());
        double diffusion =
                json.getAsJsonObject("models")
                        .getAsJsonArray("mot")
                        .get(0)
                        .getAsJsonObject()
                        .getAsJsonObject("heldout_loss")
                        .get("image diffusion")
                        .getAsDouble();
        assertTrue(diffusion > 0.2 && diffusion < 5, "diffusion loss " + diffusion);
        assertTrue(Files.size(out.resolve("samples_mot.png")) > 1000);

        assertRefused(
                tmp,
                "--patch-encoder applies to --setting transfusion only",
                "--out",
                out.toString(),
                "--patch-encoder",
                "conv");
        assertRefused(
                tmp,
                "--patch-encoder must be one of linear, conv",
                "--out",
                out.toString(),
                "--setting",
                "transfusion",
                "--patch-encoder",
                "unet");
    }

    @Test
    void theChameleonSpeechSettingTrainsThreeModalitiesAndTwoTowerVariants(@TempDir Path tmp)
            throws Exception {
        Path out = tmp.resolve("out");
        MotScript.Result result =
                MotScript.run(
                        tmp,
                        "compare",
                        "--out",
                        out.toString(),
                        "--setting",
                        "chameleon-speech",
                        "--architectures",
                        "towers-is,dense,mot",
                        "--speech-units",
                        "8",
                        "--steps",
                        "3",
                        "--dim",
                        "16",
                        "--layers",
                        "1",
                        "--heads",
                        "2",
                        "--batch",
                        "4",
                        "--evals",
                        "1",
                        "--data",
                        "bundled");
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.stdout().contains("in the Chameleon + speech setting"), result.stdout());
        assertTrue(
                result.stdout()
                        .matches("(?s).*speech \\(held-out voices\\) +dense final held-out loss.*"),
                result.stdout());
        JsonObject json =
                JsonParser.parseString(Files.readString(out.resolve(ComparisonReport.JSON)))
                        .getAsJsonObject();
        List<String> curves =
                List.of(
                        "text",
                        "image",
                        "speech (held-out utterances)",
                        "speech (held-out voices)");
        assertEquals(
                curves,
                json.getAsJsonArray("modalities").asList().stream()
                        .map(e -> e.getAsString())
                        .toList());
        assertEquals(
                List.of("dense", "mot", "towers-is"),
                List.copyOf(json.getAsJsonObject("models").keySet()));
        for (String model : List.of("dense", "mot", "towers-is")) {
            JsonObject losses =
                    json.getAsJsonObject("models")
                            .getAsJsonArray(model)
                            .get(0)
                            .getAsJsonObject()
                            .getAsJsonObject("heldout_loss");
            for (String curve : curves) {
                double loss = losses.get(curve).getAsDouble();
                assertTrue(Double.isFinite(loss) && loss > 0, model + " " + curve + " " + loss);
            }
        }
        JsonObject settings = json.getAsJsonObject("settings");
        assertEquals("chameleon-speech", settings.get("setting").getAsString());
        assertEquals(8, settings.get("speech_units").getAsInt());
        // text bytes and markers, 256 image codes, two speech markers and the 8 units
        assertEquals(261 + 256 + 2 + 8, settings.get("vocab_size").getAsInt());
        JsonObject architectures = json.getAsJsonObject("architectures");
        assertEquals("[0,0,0]", architectures.getAsJsonObject("dense").get("towers").toString());
        assertEquals("[0,1,2]", architectures.getAsJsonObject("mot").get("towers").toString());
        assertEquals(
                "[0,1,1]", architectures.getAsJsonObject("towers-is").get("towers").toString());
        long dense = architectures.getAsJsonObject("dense").get("parameters").getAsLong();
        long mot = architectures.getAsJsonObject("mot").get("parameters").getAsLong();
        long twoTowers = architectures.getAsJsonObject("towers-is").get("parameters").getAsLong();
        assertTrue(dense < twoTowers && twoTowers < mot, dense + " " + twoTowers + " " + mot);
        assertTrue(Files.size(out.resolve(ComparisonReport.PNG)) > 1000);

        assertRefused(
                tmp,
                "--quality-images does not apply to --setting chameleon-speech",
                "--out",
                tmp.resolve("refused").toString(),
                "--setting",
                "chameleon-speech",
                "--quality-images",
                "3");
        assertRefused(
                tmp,
                "not part of the chameleon-speech setting: moe-4x",
                "--out",
                tmp.resolve("refused").toString(),
                "--setting",
                "chameleon-speech",
                "--architectures",
                "dense,moe-4x");
        assertRefused(
                tmp,
                "not part of the chameleon setting: towers-ti",
                "--out",
                tmp.resolve("refused").toString(),
                "--architectures",
                "dense,towers-ti");
        assertRefused(
                tmp,
                "--speech-units applies to --setting chameleon-speech",
                "--out",
                tmp.resolve("refused").toString(),
                "--speech-units",
                "8");
        assertTrue(Files.notExists(tmp.resolve("refused")), "nothing written on a usage error");
    }

    /**
     * {@code mot compare ARGS} is refused with exit status 2 and an error containing {@code
     * expected}.
     */
    private static void assertRefused(Path tmp, String expected, String... args)
            throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "compare";
        System.arraycopy(args, 0, command, 1, args.length);
        MotScript.Result result = MotScript.run(tmp, command);
        assertEquals(2, result.exitCode(), result.toString());
        assertTrue(result.stderr().contains(expected), result.stderr());
    }

    /** Each model's image quality is in results.json and in the printed summary. */
    private static void assertImageQuality(
            JsonObject architectures, List<String> models, int images, String stdout) {
        for (String model : models) {
            JsonObject quality =
                    architectures.getAsJsonObject(model).getAsJsonObject("image_quality");
            assertEquals(images, quality.get("images").getAsInt(), model);
            double fidelity = quality.get("caption_fidelity").getAsDouble();
            assertTrue(fidelity >= 0 && fidelity <= 1, model + " fidelity " + fidelity);
            double fid = quality.get("fashion_mnist_feature_fid").getAsDouble();
            assertTrue(Double.isFinite(fid) && fid > 0, model + " FID " + fid);
            assertEquals(10, quality.getAsJsonObject("caption_fidelity_per_class").size());
            assertTrue(stdout.contains(model + " generated images: caption fidelity"), stdout);
        }
    }
}
