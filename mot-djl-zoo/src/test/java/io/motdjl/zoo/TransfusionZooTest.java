package io.motdjl.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.Untie;
import io.motdjl.diffusion.ImagePatches;
import io.motdjl.diffusion.SamplingSettings;
import io.motdjl.diffusion.TransfusionGenerator;
import io.motdjl.io.CheckpointException;
import io.motdjl.nn.MoTModel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bundled Transfusion-setting models ({@value MoTModelZoo#TRANSFUSION_FMNIST}) through DJL's
 * Criteria: caption → image drawn by diffusion, image → caption, text continuation, the diffusion
 * arguments and the image geometry of the model card.
 */
class TransfusionZooTest {

    private static final String CAPTION = "a photo of a sneaker";
    private static final int SIZE = 28;

    /** Few denoising steps: the tests check the plumbing, not the images' quality. */
    private static final int FEW_STEPS = 8;

    static <I, O> Criteria.Builder<I, O> bundled(
            Class<I> input, Class<O> output, String architecture) {
        return Criteria.builder()
                .setTypes(input, output)
                .optGroupId(MoTModelZoo.GROUP_ID)
                .optArtifactId(MoTModelZoo.TRANSFUSION_FMNIST)
                .optFilter("architecture", architecture);
    }

    private static byte[] pixels(Image image) {
        try (NDManager manager = NDManager.newBaseManager()) {
            return GrayscaleImages.toGrayscale(image, image.getWidth(), image.getHeight(), manager);
        }
    }

    private static boolean isPrintableAscii(String text) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            if (b < 0x20 || b > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** Every message along the cause chain. */
    private static String messages(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            s.append(c.getMessage()).append(" | ");
        }
        return s.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mot", "dense"})
    void bothVariantsDrawAndReadImages(String architecture) throws Exception {
        try (ZooModel<String, Image> draw =
                        bundled(String.class, Image.class, architecture)
                                .optArgument(DiffusionOptions.STEPS, FEW_STEPS)
                                .build()
                                .loadModel();
                ZooModel<Image, String> read =
                        bundled(Image.class, String.class, architecture).build().loadModel();
                Predictor<String, Image> drawing = draw.newPredictor();
                Predictor<Image, String> reading = read.newPredictor()) {
            assertEquals(
                    (architecture.equals("mot") ? "mot" : "dense") + "-d64-l2", draw.getName());
            assertInstanceOf(TransfusionCaptionToImageTranslator.class, draw.getTranslator());
            assertInstanceOf(TransfusionImageToCaptionTranslator.class, read.getTranslator());
            MoTConfig config = ((MoTModel) draw.getBlock()).config();
            assertNotNull(config.diffusion(), "a Transfusion config has the diffusion key");
            assertEquals(architecture.equals("mot") ? Untie.ALL : Untie.NONE, config.untie());
            assertTrue(MoTCheckpoint.imageTokenizer(draw).isEmpty(), "no image tokenizer");

            Image image = drawing.predict(CAPTION);
            assertEquals(SIZE, image.getWidth());
            assertEquals(SIZE, image.getHeight());
            byte[] gray = pixels(image);
            assertTrue(max(gray) - min(gray) > 50, "not a flat image: " + Arrays.toString(gray));

            String caption = reading.predict(image);
            assertFalse(caption.isEmpty(), "a caption");
            assertTrue(isPrintableAscii(caption), caption);
        }
    }

    @Test
    void theSameSeedDrawsTheSameImageAndEachBatchRowItsOwn() throws Exception {
        byte[] sample;
        try (ZooModel<String, Image> model =
                        bundled(String.class, Image.class, "mot")
                                .optArgument(DiffusionOptions.STEPS, FEW_STEPS)
                                .optArgument(DiffusionOptions.SEED, 7)
                                .build()
                                .loadModel();
                Predictor<String, Image> predictor = model.newPredictor()) {
            sample = pixels(predictor.predict(CAPTION));
            assertArrayEquals(sample, pixels(predictor.predict(CAPTION)), "same seed, same image");
            List<Image> batch = predictor.batchPredict(List.of(CAPTION, CAPTION));
            assertArrayEquals(sample, pixels(batch.get(0)), "row 0 draws from the seed");
            assertFalse(Arrays.equals(sample, pixels(batch.get(1))), "row 1 from seed + 1");
            // what the library's generator draws with the same settings
            try (NDManager manager = model.getNDManager().newSubManager()) {
                float[] direct =
                        new TransfusionGenerator(
                                        (MoTModel) model.getBlock(),
                                        manager,
                                        new ImagePatches(SIZE, SIZE, 4))
                                .captionToImage(
                                        CAPTION,
                                        SamplingSettings.ddim(
                                                FEW_STEPS, DiffusionOptions.DEFAULT_GUIDANCE, 7));
                assertArrayEquals(GrayscaleImages.bytesOf(direct), sample);
            }
        }
        try (ZooModel<String, Image> model =
                        bundled(String.class, Image.class, "mot")
                                .optArgument(DiffusionOptions.STEPS, String.valueOf(FEW_STEPS))
                                .optArgument(DiffusionOptions.SEED, "8")
                                .build()
                                .loadModel();
                Predictor<String, Image> predictor = model.newPredictor()) {
            assertFalse(Arrays.equals(sample, pixels(predictor.predict(CAPTION))), "another seed");
        }
    }

    @Test
    void samplingArgumentsHaveDefaultsAndAreRead() throws Exception {
        try (ZooModel<String, Image> model =
                bundled(String.class, Image.class, "dense").build().loadModel()) {
            SamplingSettings settings =
                    ((TransfusionCaptionToImageTranslator) model.getTranslator()).sampling();
            assertEquals(DiffusionOptions.defaults(), settings);
            assertEquals(50, settings.steps());
            assertEquals(0.0, settings.eta(), "DDIM");
            assertEquals(3.0, settings.guidanceScale());
            assertEquals(
                    new ImagePatches(SIZE, SIZE, 4),
                    ((TransfusionCaptionToImageTranslator) model.getTranslator()).geometry());
        }
        Map<String, Object> ancestral = new LinkedHashMap<>();
        ancestral.put(DiffusionOptions.SAMPLER, "ancestral");
        ancestral.put(DiffusionOptions.GUIDANCE, "1.5");
        SamplingSettings paper = DiffusionOptions.fromArguments(ancestral);
        assertEquals(SamplingSettings.PAPER_STEPS, paper.steps(), "the paper's 250 steps");
        assertEquals(1.0, paper.eta());
        assertEquals(1.5, paper.guidanceScale());
        assertEquals(DiffusionOptions.Sampler.ANCESTRAL, DiffusionOptions.samplerOf(paper));
        ancestral.put(DiffusionOptions.STEPS, 20);
        assertEquals(20, DiffusionOptions.fromArguments(ancestral).steps());
    }

    @Test
    void badSamplingArgumentsAreRefusedNamingTheKeyAndValue() {
        Object[][] cases = {
            {DiffusionOptions.STEPS, 0, "'steps' must be an integer in [1, 1000], got 0"},
            {
                DiffusionOptions.STEPS,
                "1001",
                "'steps' must be an integer in [1, 1000], got \"1001\""
            },
            {DiffusionOptions.STEPS, "many", "'steps' must be an integer, got \"many\""},
            {DiffusionOptions.GUIDANCE, 101, "'guidance' must be a number in [0, 100], got 101"},
            {
                DiffusionOptions.GUIDANCE,
                "-1",
                "'guidance' must be a number in [0, 100], got \"-1\""
            },
            {
                DiffusionOptions.SAMPLER,
                "euler",
                "'sampler' must be ddim or ancestral, got \"euler\""
            }
        };
        for (Object[] c : cases) {
            Criteria<String, Image> criteria =
                    bundled(String.class, Image.class, "mot")
                            .optArgument((String) c[0], c[1])
                            .build();
            ModelNotFoundException e =
                    assertThrows(
                            ModelNotFoundException.class, criteria::loadModel, c[0] + "=" + c[1]);
            assertTrue(messages(e).contains((String) c[2]), messages(e));
        }
    }

    @Test
    void textContinuationWorksOnATransfusionModel() throws Exception {
        try (ZooModel<String, String> model =
                        bundled(String.class, String.class, "mot")
                                .optArgument(GenerationOptions.MAX_TOKENS, 12)
                                .build()
                                .loadModel();
                Predictor<String, String> predictor = model.newPredictor()) {
            assertInstanceOf(TextContinuationTranslator.class, model.getTranslator());
            String more = predictor.predict("a photo of a");
            assertTrue(more.getBytes(StandardCharsets.UTF_8).length <= 12, more);
            assertEquals(more, predictor.predict("a photo of a"), "greedy decoding");
        }
    }

    @Test
    void theImageGeometryComesFromTheModelCard() {
        MoTConfig config =
                MoTConfig.builder()
                        .vocabSize(261)
                        .dim(16)
                        .nLayers(1)
                        .nHeads(2)
                        .nModalities(2)
                        .maxSeqLen(60)
                        .diffusion(new io.motdjl.config.DiffusionConfig(1, 16, 1000))
                        .build();
        assertEquals(PatchGeometry.DEFAULT, PatchGeometry.of((ModelCard) null, config));
        ImagePatches wide = new ImagePatches(8, 16, 4);
        assertEquals(wide, PatchGeometry.of(card(PatchGeometry.cardFacts(wide)), config));
        // as JSON gives the numbers back
        assertEquals(
                wide,
                PatchGeometry.of(
                        ModelCard.fromJson(card(PatchGeometry.cardFacts(wide)).toJson()), config));
        CheckpointException mismatch =
                assertThrows(
                        CheckpointException.class,
                        () ->
                                PatchGeometry.of(
                                        card(PatchGeometry.cardFacts(new ImagePatches(28, 28, 7))),
                                        config));
        assertTrue(mismatch.getMessage().contains("patch_values is 16"), mismatch.getMessage());
        CheckpointException chameleon =
                assertThrows(
                        CheckpointException.class,
                        () ->
                                PatchGeometry.of(
                                        (ModelCard) null,
                                        config.toBuilder().diffusion(null).build()));
        assertTrue(chameleon.getMessage().contains("diffusion"), chameleon.getMessage());
    }

    @Test
    void aConfigThatRecordsTheGeometryGivesItAndACardMustAgree() {
        MoTConfig config =
                MoTConfig.builder()
                        .vocabSize(261)
                        .dim(16)
                        .nLayers(1)
                        .nHeads(2)
                        .nModalities(2)
                        .maxSeqLen(60)
                        .diffusion(io.motdjl.config.DiffusionConfig.conv(1, 12, 4, 1000, 8))
                        .build();
        ImagePatches configured = new ImagePatches(12, 12, 4);
        assertEquals(configured, PatchGeometry.of((ModelCard) null, config));
        assertEquals(
                configured, PatchGeometry.of(card(PatchGeometry.cardFacts(configured)), config));
        CheckpointException other =
                assertThrows(
                        CheckpointException.class,
                        () ->
                                PatchGeometry.of(
                                        card(PatchGeometry.cardFacts(PatchGeometry.DEFAULT)),
                                        config));
        assertTrue(
                other.getMessage().contains("differs from the config's diffusion.image_side 12"),
                other.getMessage());
    }

    @Test
    void aLossNoteReplacesTheDefaultHeadingOfTheReadme() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("images", "some");
        data.put(ModelCard.LOSS_NOTE, "image: the diffusion loss.");
        ModelCard card =
                new ModelCard("x", "X", "", Map.of(), data, Map.of(), Map.of("image", 0.1), "", "");
        String md = card.toMarkdown();
        assertTrue(md.contains("## Held-out loss\n\nimage: the diffusion loss.\n"), md);
        assertFalse(md.contains("- " + ModelCard.LOSS_NOTE), md);
        assertFalse(md.contains("cross-entropy"), md);
        assertTrue(
                CheckpointDirectoryTest.card()
                        .toMarkdown()
                        .contains("mean next-token cross-entropy"));
    }

    private static ModelCard card(Map<String, Object> model) {
        return new ModelCard("x", "X", "", model, Map.of(), Map.of(), Map.of(), "", "");
    }

    private static int max(byte[] values) {
        int m = 0;
        for (byte b : values) {
            m = Math.max(m, Byte.toUnsignedInt(b));
        }
        return m;
    }

    private static int min(byte[] values) {
        int m = 255;
        for (byte b : values) {
            m = Math.min(m, Byte.toUnsignedInt(b));
        }
        return m;
    }
}
