package io.motdjl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

class PatchKMeansTokenizerTest {

    /**
     * Held-out RMSE ceiling of the shared tokenizer (4 × 4 patches, K = 256, 10 iterations on 2,000
     * images). Measured: 0.0864 (seeds 0-3: 0.0862-0.0866), i.e. 21.3 dB; about 10 % margin.
     */
    private static final double MAX_HELD_OUT_RMSE = 0.095;

    @TempDir Path dir;

    @Test
    void geometryOfTheDefaultTokenizer() {
        PatchKMeansTokenizer tokenizer = TestTokenizers.standard();
        assertEquals(49, tokenizer.codesPerImage());
        assertEquals(256, tokenizer.codebookSize());
        assertEquals(28, tokenizer.imageHeight());
        assertEquals(256, tokenizer.distinctEntries());
        int[] codes = tokenizer.encode(TestTokenizers.split().heldOut().image(0));
        assertEquals(49, codes.length);
        for (int code : codes) {
            assertTrue(code >= 0 && code < 256, "code " + code);
        }
    }

    @Test
    void codebookImagesRoundTripExactly() {
        PatchKMeansTokenizer tokenizer = TestTokenizers.standard();
        Random random = new Random(3);
        for (int trial = 0; trial < 20; trial++) {
            int[] codes = new int[49];
            for (int p = 0; p < codes.length; p++) {
                codes[p] = random.nextInt(tokenizer.codebookSize());
            }
            byte[] image = tokenizer.decode(codes);
            // entries are distinct, so the nearest entry of an entry is itself
            assertArrayEquals(codes, tokenizer.encode(image));
            assertArrayEquals(image, tokenizer.decode(tokenizer.encode(image)));
        }
        // each patch of a decoded image is exactly its codebook entry
        byte[] image = tokenizer.decode(fill(49, 17));
        assertArrayEquals(tokenizer.entry(17), patch(tokenizer.grid(), image, 30));
    }

    @Test
    void reconstructsHeldOutImagesWell() {
        ReconstructionReport report =
                ReconstructionReport.measure(
                        TestTokenizers.standard(), TestTokenizers.split().heldOut());
        assertEquals(TestTokenizers.HELD_OUT, report.images());
        assertTrue(report.rmse() < MAX_HELD_OUT_RMSE, report.toString());
        assertTrue(report.psnrDb() > -20 * Math.log10(MAX_HELD_OUT_RMSE), report.toString());
        assertEquals(-20 * Math.log10(report.rmse()), report.psnrDb(), 1e-9);
    }

    @Test
    void trainingIsDeterministicForASeed() {
        FashionMnist images = TestTokenizers.split().train().head(300);
        PatchKMeansTrainer.Options options =
                PatchKMeansTrainer.Options.defaults().withCodebookSize(32).withIterations(5);
        PatchKMeansTokenizer a = PatchKMeansTrainer.train(images, options);
        PatchKMeansTokenizer b = PatchKMeansTrainer.train(images, options);
        assertEquals(a, b);
        assertArrayEquals(a.codebook(), b.codebook());
        PatchKMeansTokenizer other = PatchKMeansTrainer.train(images, options.withSeed(1));
        assertNotEquals(a, other);
        PatchKMeansTokenizer random =
                PatchKMeansTrainer.train(images, options.withInit(KMeans.Init.RANDOM));
        assertEquals(
                random, PatchKMeansTrainer.train(images, options.withInit(KMeans.Init.RANDOM)));
    }

    @Test
    void otherPatchSizes() {
        FashionMnist images = TestTokenizers.split().train().head(100);
        PatchKMeansTokenizer two =
                PatchKMeansTrainer.train(
                        images,
                        PatchKMeansTrainer.Options.defaults()
                                .withPatchSize(2)
                                .withCodebookSize(16)
                                .withIterations(3));
        assertEquals(196, two.codesPerImage());
        assertEquals(784, two.decode(two.encode(images.image(0))).length);
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        PatchKMeansTrainer.train(
                                images, PatchKMeansTrainer.Options.defaults().withPatchSize(5)));
    }

    @Test
    void saveAndLoadGiveIdenticalCodes() throws IOException {
        PatchKMeansTokenizer tokenizer = TestTokenizers.standard();
        Path file = dir.resolve("sub/tokenizer.json");
        tokenizer.save(file);
        PatchKMeansTokenizer loaded = PatchKMeansTokenizer.load(file);
        assertEquals(tokenizer, loaded);
        FashionMnist heldOut = TestTokenizers.split().heldOut();
        for (int i = 0; i < 50; i++) {
            assertArrayEquals(tokenizer.encode(heldOut.image(i)), loaded.encode(heldOut.image(i)));
        }
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void rejectsInvalidCodesAndImages() {
        PatchKMeansTokenizer tokenizer = TestTokenizers.standard();
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[48]));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(fill(49, 256)));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(fill(49, -1)));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.encode(new byte[783]));
        assertThrows(
                IllegalArgumentException.class,
                () -> new PatchKMeansTokenizer(new PatchGrid(28, 28, 4), new byte[15]));
    }

    @Test
    void loadRejectsMalformedFiles() throws IOException {
        Map<String, String> bad = new HashMap<>();
        String entries = "[[1,2,3,4],[5,6,7,8]]";
        String good =
                "{\"format\":\"mot-djl/patch-kmeans-image-tokenizer\",\"version\":1,"
                        + "\"image_height\":4,\"image_width\":4,\"patch_size\":2,"
                        + "\"codebook_size\":2,\"codebook\":"
                        + entries
                        + "}";
        assertEquals(4, PatchKMeansTokenizer.load(write("good.json", good)).codesPerImage());
        bad.put("truncated", good.substring(0, good.length() - 10));
        bad.put("not JSON", "tokenizer");
        bad.put("unknown key", good.replace("\"version\":1", "\"version\":1,\"extra\":0"));
        bad.put("duplicate key", good.replace("\"version\":1", "\"version\":1,\"version\":1"));
        bad.put("missing key", good.replace("\"patch_size\":2,", ""));
        bad.put("wrong format", good.replace("image-tokenizer", "other"));
        bad.put("wrong version", good.replace("\"version\":1", "\"version\":2"));
        bad.put("value out of range", good.replace("[5,6,7,8]", "[5,6,7,256]"));
        bad.put("negative value", good.replace("[5,6,7,8]", "[5,-6,7,8]"));
        bad.put("short entry", good.replace("[5,6,7,8]", "[5,6,7]"));
        bad.put("entry count", good.replace("\"codebook_size\":2", "\"codebook_size\":3"));
        bad.put("fraction", good.replace("[5,6,7,8]", "[5,6.5,7,8]"));
        bad.put("string value", good.replace("\"patch_size\":2", "\"patch_size\":\"2\""));
        bad.put("bad geometry", good.replace("\"patch_size\":2", "\"patch_size\":3"));
        bad.put("trailing content", good + "{}");
        bad.put("lenient JSON", good.replace("\"version\"", "version"));
        bad.put("too deep", good.replace(entries, "[[[[[[1]]]]]]"));
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Path file = write(e.getKey().replace(' ', '-') + ".json", e.getValue());
            TokenizerFormatException thrown =
                    assertThrows(
                            TokenizerFormatException.class,
                            () -> PatchKMeansTokenizer.load(file),
                            e.getKey());
            assertTrue(thrown.getMessage().contains(file.toString()), thrown.getMessage());
        }
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static int[] fill(int n, int value) {
        int[] codes = new int[n];
        java.util.Arrays.fill(codes, value);
        return codes;
    }

    private static byte[] patch(PatchGrid grid, byte[] image, int patch) {
        byte[] pixels = new byte[grid.patchDim()];
        for (int j = 0; j < pixels.length; j++) {
            pixels[j] = image[grid.pixelIndex(patch, j)];
        }
        return pixels;
    }
}
