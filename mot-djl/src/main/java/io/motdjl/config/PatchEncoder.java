package io.motdjl.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How the Transfusion setting's image rows enter and leave the trunk ({@link DiffusionConfig}). */
public enum PatchEncoder {
    /**
     * One patch row at a time: {@code Linear(P, D)} plus the timestep embedding in, {@code
     * Linear(D, P)} out. Needs no image geometry.
     */
    LINEAR,
    /**
     * Whole images: a small convolutional stack at full resolution, then a patchifying convolution
     * (kernel = stride = patch side) in; a transposed patchifying convolution and a small
     * convolutional stack out (U-Net-style down and up blocks, without skip connections). Needs the
     * image geometry ({@code image_side}, {@code patch_side}).
     */
    CONV;

    /** Side of the full-resolution convolutions' kernels (3×3, padding 1: the size is kept). */
    public static final int CONV_KERNEL_SIDE = 3;

    /** The name used in {@code config.json}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses the {@code config.json} name.
     *
     * @throws IllegalArgumentException naming the key, the value and the allowed names
     */
    public static PatchEncoder fromJson(String name) {
        List<String> allowed = new ArrayList<>();
        for (PatchEncoder encoder : values()) {
            if (encoder.jsonName().equals(name)) {
                return encoder;
            }
            allowed.add('"' + encoder.jsonName() + '"');
        }
        throw new IllegalArgumentException(
                "diffusion.patch_encoder must be one of "
                        + String.join(", ", allowed)
                        + ", got \""
                        + name
                        + "\"");
    }
}
