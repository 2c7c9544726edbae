package io.motdjl.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The patch k-means tokenizer on {@link SyntheticImages}. (Its reconstruction quality on
 * Fashion-MNIST is tested with the experiment, in mot-djl-examples.)
 */
class PatchKMeansTokenizerTest {

    private static List<byte[]> trainImages;
    private static List<byte[]> heldOutImages;
    private static PatchKMeansTokenizer standard;

    @TempDir Path dir;

    @BeforeAll
    static void train() {
        trainImages = SyntheticImages.create(400, 1);
        heldOutImages = SyntheticImages.create(100, 2);
        standard = train(trainImages, PatchKMeansTrainer.Options.defaults().withIterations(10));
    }

    private static PatchKMeansTokenizer train(
            List<byte[]> images, PatchKMeansTrainer.Options options) {
        return PatchKMeansTrainer.train(
                images, SyntheticImages.SIZE, SyntheticImages.SIZE, options);
    }

    @Test
    void geometryOfTheDefaultTokenizer() {
        PatchKMeansTokenizer tokenizer = standard;
        assertEquals(49, tokenizer.codesPerImage());
        assertEquals(256, tokenizer.codebookSize());
        assertEquals(28, tokenizer.imageHeight());
        assertEquals(256, tokenizer.distinctEntries());
        int[] codes = tokenizer.encode(heldOutImages.get(0));
        assertEquals(49, codes.length);
        for (int code : codes) {
            assertTrue(code >= 0 && code < 256, "code " + code);
        }
    }

    @Test
    void codebookImagesRoundTripExactly() {
        PatchKMeansTokenizer tokenizer = standard;
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
        ReconstructionReport exact =
                ReconstructionReport.measure(tokenizer, List.of(image, tokenizer.decode(codes(5))));
        assertEquals(0, exact.rmse());
        assertEquals(100, exact.psnrDb());
        assertEquals(100, exact.meanImagePsnrDb());
    }

    @Test
    void reconstructionImprovesWithTheCodebookSize() {
        ReconstructionReport report = ReconstructionReport.measure(standard, heldOutImages);
        assertEquals(100, report.images());
        assertEquals(-20 * Math.log10(report.rmse()), report.psnrDb(), 1e-9);
        PatchKMeansTokenizer small =
                train(
                        trainImages,
                        PatchKMeansTrainer.Options.defaults()
                                .withCodebookSize(8)
                                .withIterations(10));
        ReconstructionReport coarse = ReconstructionReport.measure(small, heldOutImages);
        assertTrue(report.rmse() < coarse.rmse(), report + " against " + coarse);
        assertThrows(
                IllegalArgumentException.class,
                () -> ReconstructionReport.measure(standard, List.of()));
    }

    @Test
    void trainingIsDeterministicForASeed() {
        List<byte[]> images = trainImages.subList(0, 300);
        PatchKMeansTrainer.Options options =
                PatchKMeansTrainer.Options.defaults().withCodebookSize(32).withIterations(5);
        PatchKMeansTokenizer a = train(images, options);
        PatchKMeansTokenizer b = train(images, options);
        assertEquals(a, b);
        assertArrayEquals(a.codebook(), b.codebook());
        PatchKMeansTokenizer other = train(images, options.withSeed(1));
        assertNotEquals(a, other);
        PatchKMeansTokenizer random = train(images, options.withInit(KMeans.Init.RANDOM));
        assertEquals(random, train(images, options.withInit(KMeans.Init.RANDOM)));
    }

    @Test
    void otherPatchSizes() {
        List<byte[]> images = trainImages.subList(0, 100);
        PatchKMeansTokenizer two =
                train(
                        images,
                        PatchKMeansTrainer.Options.defaults()
                                .withPatchSize(2)
                                .withCodebookSize(16)
                                .withIterations(3));
        assertEquals(196, two.codesPerImage());
        assertEquals(784, two.decode(two.encode(images.get(0))).length);
        assertThrows(
                IllegalArgumentException.class,
                () -> train(images, PatchKMeansTrainer.Options.defaults().withPatchSize(5)));
    }

    @Test
    void saveAndLoadGiveIdenticalCodes() throws IOException {
        PatchKMeansTokenizer tokenizer = standard;
        Path file = dir.resolve("sub/tokenizer.json");
        tokenizer.save(file);
        PatchKMeansTokenizer loaded = PatchKMeansTokenizer.load(file);
        assertEquals(tokenizer, loaded);
        for (byte[] image : heldOutImages.subList(0, 50)) {
            assertArrayEquals(tokenizer.encode(image), loaded.encode(image));
        }
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void rejectsInvalidCodesAndImages() {
        PatchKMeansTokenizer tokenizer = standard;
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

    private static int[] codes(long seed) {
        Random random = new Random(seed);
        int[] codes = new int[49];
        for (int p = 0; p < codes.length; p++) {
            codes[p] = random.nextInt(256);
        }
        return codes;
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
