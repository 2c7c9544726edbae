package io.motdjl.zoo;

import ai.djl.Model;

import io.motdjl.config.DiffusionConfig;
import io.motdjl.config.MoTConfig;
import io.motdjl.diffusion.ImagePatches;
import io.motdjl.io.CheckpointException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The image geometry of a Transfusion-setting checkpoint: image height and width and patch side
 * ({@link ImagePatches}). A config whose {@code diffusion} key records {@code image_side} and
 * {@code patch_side} (always so with the conv patch encoder) gives it (a model card that records
 * another is refused); otherwise {@code config.json} has only the values per patch row, and a
 * checkpoint records the geometry in its model card's {@code model} facts, under {@value
 * #IMAGE_HEIGHT}, {@value #IMAGE_WIDTH} and {@value #PATCH_SIDE} ({@link #cardFacts}); a checkpoint
 * without them is taken to hold 28×28 images in 4×4 patches ({@link #DEFAULT}) when its patch rows
 * have 16 values, and is refused otherwise.
 */
public final class PatchGeometry {

    /** Model card fact: image height in pixels. */
    public static final String IMAGE_HEIGHT = "image_height";

    /** Model card fact: image width in pixels. */
    public static final String IMAGE_WIDTH = "image_width";

    /** Model card fact: patch side in pixels. */
    public static final String PATCH_SIDE = "patch_side";

    /** Fashion-MNIST's 28×28 grey images in 4×4 patches: 49 rows of 16 values. */
    public static final ImagePatches DEFAULT = new ImagePatches(28, 28, 4);

    private PatchGeometry() {}

    /** The model card facts that record {@code geometry}. */
    public static Map<String, Object> cardFacts(ImagePatches geometry) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put(IMAGE_HEIGHT, geometry.height());
        facts.put(IMAGE_WIDTH, geometry.width());
        facts.put(PATCH_SIDE, geometry.patch());
        return facts;
    }

    /**
     * The geometry of a loaded model, from the model card in its model directory.
     *
     * @param model a model loaded from a checkpoint directory, its block a Transfusion MoT
     * @param config its config
     * @return the geometry
     * @throws IOException if the model card cannot be read
     * @throws CheckpointException if the card is malformed or its geometry does not fit the config
     */
    public static ImagePatches of(Model model, MoTConfig config) throws IOException {
        Path dir = model.getModelPath();
        return dir == null ? of((ModelCard) null, config) : read(dir, config);
    }

    /**
     * The geometry a model card records, checked against the config.
     *
     * @param card the model card, or null
     * @param config the model's config
     * @return the geometry
     * @throws CheckpointException if the config has no diffusion key, a fact is not a positive
     *     integer, the patch side does not divide the image, or the patch rows' values differ from
     *     the config's
     */
    public static ImagePatches of(ModelCard card, MoTConfig config) {
        DiffusionConfig diffusion = config.diffusion();
        if (diffusion == null) {
            throw new CheckpointException(
                    "the model's config has no \"diffusion\" key: it is not a Transfusion-setting"
                            + " model, and has no image patches");
        }
        Map<String, Object> facts = card == null ? Map.of() : card.model();
        ImagePatches geometry;
        boolean recorded =
                facts.containsKey(IMAGE_HEIGHT)
                        || facts.containsKey(IMAGE_WIDTH)
                        || facts.containsKey(PATCH_SIDE);
        if (diffusion.hasGeometry()) {
            // the config's geometry (the conv patch encoder needs one) rules; a card must agree
            ImagePatches configured =
                    new ImagePatches(
                            diffusion.imageSide(), diffusion.imageSide(), diffusion.patchSide());
            ImagePatches carded = recorded ? of(card, configWithoutGeometry(config)) : configured;
            if (!configured.equals(carded)) {
                throw new CheckpointException(
                        "the model card's image geometry "
                                + cardFacts(carded)
                                + " differs from the config's diffusion.image_side "
                                + diffusion.imageSide()
                                + " and diffusion.patch_side "
                                + diffusion.patchSide());
            }
            return configured;
        }
        if (!recorded) {
            if (DEFAULT.values() != diffusion.patchValues()) {
                throw new CheckpointException(
                        "the model card records no image geometry ("
                                + IMAGE_HEIGHT
                                + ", "
                                + IMAGE_WIDTH
                                + ", "
                                + PATCH_SIDE
                                + "), and the config's "
                                + diffusion.patchValues()
                                + " values per patch row are not the default 4x4 patches");
            }
            return DEFAULT;
        }
        try {
            geometry =
                    new ImagePatches(
                            positive(facts, IMAGE_HEIGHT),
                            positive(facts, IMAGE_WIDTH),
                            positive(facts, PATCH_SIDE));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("bad image geometry: " + e.getMessage(), e);
        }
        if (geometry.values() != diffusion.patchValues()) {
            throw new CheckpointException(
                    "the model card's "
                            + geometry.patch()
                            + "x"
                            + geometry.patch()
                            + " patches have "
                            + geometry.values()
                            + " values, but the config's diffusion.patch_values is "
                            + diffusion.patchValues());
        }
        return geometry;
    }

    /**
     * The geometry of a checkpoint directory, from its {@code model-card.json}.
     *
     * @param dir the checkpoint directory
     * @param config its config
     * @return the geometry
     * @throws IOException if the model card cannot be read
     * @throws CheckpointException if the card is malformed or its geometry does not fit the config
     */
    public static ImagePatches read(Path dir, MoTConfig config) throws IOException {
        Path file = dir.resolve(MoTCheckpoint.MODEL_CARD_FILE);
        if (!Files.isRegularFile(file)) {
            return of((ModelCard) null, config);
        }
        ModelCard card;
        try {
            card = ModelCard.fromJson(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + " is " + e.getMessage(), e);
        }
        try {
            return of(card, config);
        } catch (CheckpointException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    /** {@code config} as if its diffusion key recorded no geometry: the card alone decides. */
    private static MoTConfig configWithoutGeometry(MoTConfig config) {
        DiffusionConfig d = config.diffusion();
        return config.toBuilder()
                .diffusion(new DiffusionConfig(d.modality(), d.patchValues(), d.timesteps()))
                .build();
    }

    private static int positive(Map<String, Object> facts, String key) {
        Object value = facts.get(key);
        if (value instanceof Number n) {
            double d = n.doubleValue();
            if (d >= 1 && d <= Integer.MAX_VALUE && d == Math.rint(d)) {
                return (int) d;
            }
        }
        throw new CheckpointException(
                "model card fact " + key + " must be a positive integer, got " + value);
    }
}
