package io.motdjl.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The {@code diffusion} key's patch encoder and image geometry: defaults for configs written before
 * them, the JSON round trip, and refusals that name the key and the value.
 */
class DiffusionConfigTest {

    private static final MoTConfig.Builder BASE =
            MoTConfig.builder()
                    .vocabSize(32)
                    .dim(16)
                    .nLayers(1)
                    .nHeads(2)
                    .ffnHiddenDim(32)
                    .nModalities(2)
                    .maxSeqLen(60);

    /** A config JSON with the given body of the {@code diffusion} object. */
    private static String json(String diffusion) {
        String base = BASE.build().toJson();
        return base.substring(0, base.lastIndexOf('}')) + ", \"diffusion\": {" + diffusion + "}}";
    }

    @Test
    void aConfigWithoutTheNewKeysIsTheLinearEncoderAsBefore() {
        MoTConfig old = MoTConfig.fromJson(json("\"modality\": 1, \"patch_values\": 16"));
        DiffusionConfig d = old.diffusion();
        assertEquals(new DiffusionConfig(1, 16, 1000), d);
        assertEquals(PatchEncoder.LINEAR, d.patchEncoder());
        assertFalse(d.hasGeometry());
        assertEquals(0, d.convChannels());
        // and it is written back as it was read: none of the new keys appear
        String written = old.toJson();
        for (String key : new String[] {"patch_encoder", "image_side", "patch_side", "conv"}) {
            assertFalse(written.contains(key), key + " in " + written);
        }
        assertEquals(old, MoTConfig.fromJson(written));
    }

    @Test
    void theConvEncoderAndTheGeometryRoundTrip() {
        MoTConfig conv =
                MoTConfig.fromJson(
                        json(
                                "\"modality\": 1, \"patch_values\": 16, \"patch_encoder\":"
                                        + " \"conv\", \"image_side\": 28, \"patch_side\": 4"));
        DiffusionConfig d = conv.diffusion();
        assertEquals(PatchEncoder.CONV, d.patchEncoder());
        assertEquals(DiffusionConfig.DEFAULT_CONV_CHANNELS, d.convChannels());
        assertEquals(28, d.imageSide());
        assertEquals(4, d.patchSide());
        assertEquals(7, d.patchesPerSide());
        assertEquals(49, d.imageRows());
        assertEquals(DiffusionConfig.conv(1, 28, 4, 1000, 32), d);
        String written = conv.toJson();
        for (String pair :
                new String[] {
                    "\"patch_encoder\": \"conv\"",
                    "\"image_side\": 28",
                    "\"patch_side\": 4",
                    "\"conv_channels\": 32"
                }) {
            assertTrue(written.contains(pair), pair + " missing from " + written);
        }
        assertEquals(conv, MoTConfig.fromJson(written));
        MoTConfig eight = BASE.diffusion(DiffusionConfig.conv(1, 28, 4, 1000, 8)).build();
        assertEquals(eight, MoTConfig.fromJson(eight.toJson()));
        // the linear encoder may record the geometry too, and keeps it
        MoTConfig linear =
                BASE.diffusion(new DiffusionConfig(1, 16, 1000).withGeometry(28, 4)).build();
        assertTrue(linear.toJson().contains("\"image_side\": 28"));
        assertFalse(linear.toJson().contains("patch_encoder"));
        assertEquals(linear, MoTConfig.fromJson(linear.toJson()));
        assertEquals(
                DiffusionConfig.conv(1, 28, 4, 1000, 32),
                linear.diffusion().withPatchEncoder(PatchEncoder.CONV));
        assertEquals(
                linear.diffusion(),
                DiffusionConfig.conv(1, 28, 4, 1000, 32).withPatchEncoder(PatchEncoder.LINEAR));
    }

    @Test
    void badValuesAreRefusedNamingKeyAndValue() {
        refused(
                "\"modality\": 1, \"patch_values\": 16, \"patch_encoder\": \"unet\","
                        + " \"image_side\": 28, \"patch_side\": 4",
                "diffusion.patch_encoder must be one of \"linear\", \"conv\", got \"unet\"");
        refused(
                "\"modality\": 1, \"patch_values\": 16, \"patch_encoder\": \"conv\"",
                "\"conv\" needs the image geometry: diffusion.image_side and diffusion.patch_side");
        refused(
                "\"modality\": 1, \"patch_values\": 16, \"image_side\": 30, \"patch_side\": 4",
                "diffusion.image_side 30 is not divisible by diffusion.patch_side 4");
        refused(
                "\"modality\": 1, \"patch_values\": 16, \"image_side\": 28, \"patch_side\": 7",
                "diffusion.patch_values is 16, but grey 7x7 patches (diffusion.patch_side 7) have"
                        + " 49 values");
        refused(
                "\"modality\": 1, \"patch_values\": 16, \"image_side\": 28",
                "diffusion.image_side and diffusion.patch_side go together, got image_side 28 and"
                        + " patch_side 0");
        refused(
                "\"modality\": 1, \"patch_values\": 16, \"image_side\": -28, \"patch_side\": 4",
                "diffusion.image_side must be positive, got -28");
        refused(
                "\"modality\": 1, \"patch_values\": 16, \"patch_encoder\": \"conv\","
                        + " \"image_side\": 28, \"patch_side\": 4, \"conv_channels\": 0",
                "diffusion.conv_channels must be positive, got 0");
        refused(
                "\"modality\": 1, \"patch_values\": 16, \"conv_channels\": 8",
                "diffusion.conv_channels applies to diffusion.patch_encoder \"conv\" only, got 8"
                        + " with \"linear\"");
        refused(
                "\"modality\": 1, \"patch_values\": 16, \"patch_encoder\": 3",
                "\"diffusion.patch_encoder\"");
        refused(
                "\"modality\": 1, \"patch_values\": 4, \"patch_encoder\": \"conv\","
                        + " \"image_side\": 16, \"patch_side\": 2",
                "whole images of 64 rows (diffusion.image_side / diffusion.patch_side squared),"
                        + " more than max_seq_len 60");
        IllegalArgumentException direct =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> DiffusionConfig.conv(1, 28, 3, 1000, 32));
        assertTrue(
                direct.getMessage().contains("not divisible by diffusion.patch_side 3"),
                direct.getMessage());
        assertThrows(
                IllegalStateException.class,
                () -> new DiffusionConfig(1, 16, 1000).imageRows(),
                "no geometry, no rows per image");
    }

    private static void refused(String diffusion, String expected) {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> MoTConfig.fromJson(json(diffusion)));
        assertTrue(e.getMessage().startsWith("Invalid MoT config"), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
