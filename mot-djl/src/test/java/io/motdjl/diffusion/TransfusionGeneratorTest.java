package io.motdjl.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import io.motdjl.TinyModels;
import io.motdjl.config.DiffusionConfig;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.Untie;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.MoTOutputs;
import io.motdjl.nn.PatchAdapter;
import io.motdjl.tokenize.JointVocabulary;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The Transfusion generator's two directions in the joint vocabulary's layout: images come back in
 * [0, 1] at the geometry's size, seeded, equal to the sampler's; captions decoded with the cache
 * equal greedy decoding by full passes over the whole sequence.
 */
class TransfusionGeneratorTest {

    private static final ImagePatches GEOMETRY = new ImagePatches(8, 8, 4);
    private static final int MAX_TOKENS = 9;
    private static final MoTConfig CONFIG =
            MoTConfig.builder()
                    .vocabSize(JointVocabulary.TEXT_TOKENS)
                    .dim(16)
                    .nLayers(2)
                    .nHeads(2)
                    .ffnHiddenDim(32)
                    .nModalities(2)
                    .maxSeqLen(GEOMETRY.rows() + 3 + MAX_TOKENS)
                    .untie(Untie.ALL)
                    .diffusion(new DiffusionConfig(1, GEOMETRY.values(), 1000))
                    .build();

    @Test
    void bothDirectionsWorkAndMatchTheirReferences() {
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinyModels.initialize(new MoTModel(CONFIG), manager, DataType.FLOAT32);
            TransfusionGenerator generator = new TransfusionGenerator(model, manager, GEOMETRY);
            SamplingSettings ddim = SamplingSettings.ddim(4, 2.0, 7);
            List<float[]> images = generator.captionsToImages(List.of("a", "bb"), ddim);
            assertEquals(2, images.size());
            for (float[] image : images) {
                assertEquals(64, image.length);
                for (float p : image) {
                    assertTrue(p >= 0 && p <= 1, "pixel " + p);
                }
            }
            float[] again = generator.captionToImage("bb", SamplingSettings.ddim(4, 2.0, 8));
            assertArrayEquals(images.get(1), again, 1e-5f, "image i is drawn from seed + i");
            float[] viaSampler =
                    GEOMETRY.toPixels(
                            generator
                                    .sampler()
                                    .sample(
                                            TransfusionGenerator.imagePrefix("a"),
                                            TransfusionGenerator.unconditionalPrefix(),
                                            GEOMETRY.rows(),
                                            ddim,
                                            manager));
            assertArrayEquals(images.get(0), viaSampler, 1e-5f);

            Random random = new Random(3);
            List<float[]> pictures = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                float[] picture = new float[64];
                for (int k = 0; k < picture.length; k++) {
                    picture[k] = random.nextFloat();
                }
                pictures.add(picture);
            }
            List<String> captions =
                    generator.imagesToCaptions(
                            pictures, io.motdjl.generate.SamplingSettings.greedy(), MAX_TOKENS);
            for (int i = 0; i < pictures.size(); i++) {
                assertEquals(
                        greedyByFullPasses(model, manager, pictures.get(i)),
                        captions.get(i),
                        "caption " + i);
            }
            float[] nan = pictures.get(0).clone();
            nan[5] = Float.NaN;
            IllegalArgumentException bad =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    generator.imagesToCaptions(
                                            List.of(pictures.get(1), nan),
                                            io.motdjl.generate.SamplingSettings.greedy(),
                                            4));
            assertTrue(bad.getMessage().startsWith("image 1"), bad.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () ->
                            generator.imageToCaption(
                                    new float[63],
                                    io.motdjl.generate.SamplingSettings.greedy(),
                                    4));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new TransfusionGenerator(model, manager, new ImagePatches(8, 8, 2)));
            MoTModel chameleon =
                    TinyModels.initialize(
                            new MoTModel(CONFIG.toBuilder().diffusion(null).build()),
                            manager,
                            DataType.FLOAT32);
            IllegalArgumentException notTransfusion =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> new TransfusionGenerator(chameleon, manager, GEOMETRY));
            assertTrue(notTransfusion.getMessage().contains("diffusion"));
            assertFalse(
                    captions.get(0).isEmpty()
                            && captions.get(1).isEmpty()
                            && captions.get(2).isEmpty(),
                    "an untrained model rarely picks EOS first for every image");
        }
    }

    /** Greedy text after the image, each token from a full pass over the whole sequence so far. */
    private static String greedyByFullPasses(MoTModel model, NDManager manager, float[] pixels) {
        float[] rows = GEOMETRY.toRows(pixels);
        int imageRows = GEOMETRY.rows();
        List<Long> tokens =
                new ArrayList<>(List.of((long) JointVocabulary.BOS, (long) JointVocabulary.BOI));
        for (int r = 0; r < imageRows; r++) {
            tokens.add((long) JointVocabulary.PAD);
        }
        tokens.add((long) JointVocabulary.EOI);
        List<Byte> text = new ArrayList<>();
        for (int step = 0; step < MAX_TOKENS; step++) {
            int length = tokens.size();
            long[] ids = tokens.stream().mapToLong(Long::longValue).toArray();
            long[] modalities = new long[length];
            long[] spans = new long[length];
            float[] patches = new float[length * GEOMETRY.values()];
            for (int r = 0; r < imageRows; r++) {
                modalities[2 + r] = 1;
                spans[2 + r] = 1;
            }
            System.arraycopy(rows, 0, patches, 2 * GEOMETRY.values(), rows.length);
            int best;
            try (NDManager pass = manager.newSubManager()) {
                Shape shape = new Shape(1, length);
                MoTInputs in =
                        MoTInputs.of(pass.create(ids, shape), pass.create(modalities, shape))
                                .withImageSpanIds(pass.create(spans, shape))
                                .withExtra(
                                        PatchAdapter.PATCHES,
                                        pass.create(
                                                patches, new Shape(1, length, GEOMETRY.values())))
                                .withExtra(
                                        PatchAdapter.TIMESTEPS, pass.zeros(shape, DataType.INT64));
                NDArray logits =
                        MoTOutputs.of(
                                        model.forward(
                                                new ParameterStore(pass, false),
                                                in.toNDList(),
                                                false))
                                .logits()
                                .get(new NDIndex("0, -1, :"));
                float[] row = logits.toFloatArray();
                best = -1;
                for (int t = 0; t < row.length; t++) {
                    boolean allowed = t < JointVocabulary.BYTE_TOKENS || t == JointVocabulary.EOS;
                    if (allowed && (best < 0 || row[t] > row[best])) {
                        best = t;
                    }
                }
            }
            if (best == JointVocabulary.EOS) {
                break;
            }
            text.add((byte) best);
            tokens.add((long) best);
        }
        byte[] bytes = new byte[text.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = text.get(i);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
