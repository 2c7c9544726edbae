package io.motdjl.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The optional {@code diffusion} object of a config: the Transfusion setting. The modality {@code
 * modality} holds continuous image patches of {@code patchValues} values each, read by a patch
 * encoder (with a timestep embedding) and written by a noise head; the model learns to predict
 * their noise under a cosine schedule of {@code timesteps} steps.
 *
 * <p>The patch encoder is {@link PatchEncoder#LINEAR} (one row at a time; the default, and what a
 * config without {@code patch_encoder} means) or {@link PatchEncoder#CONV} (whole images through
 * small convolutional stacks, which needs the image geometry). The geometry — square grey images of
 * {@code imageSide} pixels in patches of {@code patchSide} pixels, so {@code patchValues =
 * patchSide²} and an image is {@code (imageSide / patchSide)²} rows in row-major patch order — may
 * also be given with the linear encoder; 0 for both means "not recorded".
 *
 * @param modality the modality id of the patch rows
 * @param patchValues P, values per patch row (e.g. 16 for 4×4 grey patches)
 * @param timesteps T of the noise schedule (the paper: 1,000)
 * @param patchEncoder how patch rows enter and leave the trunk
 * @param imageSide pixels per image side, or 0 when not recorded
 * @param patchSide pixels per patch side, or 0 when not recorded
 * @param convChannels C, the channels of the conv encoder's and decoder's full-resolution
 *     convolutions; 0 with the linear encoder
 */
public record DiffusionConfig(
        int modality,
        int patchValues,
        int timesteps,
        PatchEncoder patchEncoder,
        int imageSide,
        int patchSide,
        int convChannels) {

    /** The paper's number of timesteps. */
    public static final int DEFAULT_TIMESTEPS = 1000;

    /** Channels of the conv encoder's and decoder's convolutions when the config names none. */
    public static final int DEFAULT_CONV_CHANNELS = 32;

    /**
     * Checks every value that does not depend on the rest of the model.
     *
     * @throws IllegalArgumentException naming every invalid key and its value
     */
    public DiffusionConfig {
        List<String> errors = new ArrayList<>();
        if (modality < 0) {
            errors.add("diffusion.modality must be a modality id (>= 0), got " + modality);
        }
        if (patchValues < 1) {
            errors.add("diffusion.patch_values must be positive, got " + patchValues);
        }
        if (timesteps < 1) {
            errors.add("diffusion.timesteps must be positive, got " + timesteps);
        }
        if (patchEncoder == null) {
            errors.add("diffusion.patch_encoder must be given (linear or conv)");
        }
        checkGeometry(errors, patchValues, imageSide, patchSide);
        if (patchEncoder == PatchEncoder.CONV) {
            if (imageSide == 0 && patchSide == 0) {
                errors.add(
                        "diffusion.patch_encoder \"conv\" needs the image geometry:"
                                + " diffusion.image_side and diffusion.patch_side");
            }
            if (convChannels < 1) {
                errors.add("diffusion.conv_channels must be positive, got " + convChannels);
            }
        } else if (convChannels != 0) {
            errors.add(
                    "diffusion.conv_channels applies to diffusion.patch_encoder \"conv\" only, got "
                            + convChannels
                            + " with \""
                            + (patchEncoder == null ? "null" : patchEncoder.jsonName())
                            + "\"");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Invalid MoT config: " + String.join("; ", errors));
        }
    }

    /**
     * The linear patch encoder without a recorded geometry: what a config written before {@code
     * patch_encoder} existed means.
     *
     * @param modality the modality id of the patch rows
     * @param patchValues P, values per patch row
     * @param timesteps T of the noise schedule
     */
    public DiffusionConfig(int modality, int patchValues, int timesteps) {
        this(modality, patchValues, timesteps, PatchEncoder.LINEAR, 0, 0, 0);
    }

    /**
     * The convolutional patch encoder for square grey images ({@code patchValues = patchSide²}).
     *
     * @param modality the modality id of the patch rows
     * @param imageSide pixels per image side
     * @param patchSide pixels per patch side, dividing {@code imageSide}
     * @param timesteps T of the noise schedule
     * @param channels C, channels of the full-resolution convolutions
     * @return the config
     * @throws IllegalArgumentException naming every invalid value
     */
    public static DiffusionConfig conv(
            int modality, int imageSide, int patchSide, int timesteps, int channels) {
        return new DiffusionConfig(
                modality,
                greyPatchValues(patchSide),
                timesteps,
                PatchEncoder.CONV,
                imageSide,
                patchSide,
                channels);
    }

    /**
     * This config with another patch encoder: conv with {@link #DEFAULT_CONV_CHANNELS} channels
     * (needs the geometry), or linear (the geometry kept).
     */
    public DiffusionConfig withPatchEncoder(PatchEncoder encoder) {
        return new DiffusionConfig(
                modality,
                patchValues,
                timesteps,
                encoder,
                imageSide,
                patchSide,
                encoder == PatchEncoder.CONV ? DEFAULT_CONV_CHANNELS : 0);
    }

    /**
     * This config with the image geometry of square grey images.
     *
     * @throws IllegalArgumentException if {@code patchSide²} is not {@link #patchValues()} or it
     *     does not divide {@code imageSide}
     */
    public DiffusionConfig withGeometry(int imageSide, int patchSide) {
        return new DiffusionConfig(
                modality, patchValues, timesteps, patchEncoder, imageSide, patchSide, convChannels);
    }

    /** Whether the image geometry is recorded ({@link #imageSide()} and {@link #patchSide()}). */
    public boolean hasGeometry() {
        return imageSide > 0;
    }

    /** Patches along an image side, {@code imageSide / patchSide}. */
    public int patchesPerSide() {
        requireGeometry();
        return imageSide / patchSide;
    }

    /** Patch rows per image, {@code (imageSide / patchSide)²}. */
    public int imageRows() {
        return patchesPerSide() * patchesPerSide();
    }

    private void requireGeometry() {
        if (!hasGeometry()) {
            throw new IllegalStateException(
                    "this diffusion config records no image geometry (diffusion.image_side,"
                            + " diffusion.patch_side)");
        }
    }

    private static void checkGeometry(
            List<String> errors, int patchValues, int imageSide, int patchSide) {
        if (imageSide < 0) {
            errors.add("diffusion.image_side must be positive, got " + imageSide);
        }
        if (patchSide < 0) {
            errors.add("diffusion.patch_side must be positive, got " + patchSide);
        }
        if (imageSide <= 0 || patchSide <= 0) {
            if (imageSide > 0 || patchSide > 0) {
                errors.add(
                        "diffusion.image_side and diffusion.patch_side go together, got"
                                + " image_side "
                                + imageSide
                                + " and patch_side "
                                + patchSide);
            }
            return;
        }
        if (imageSide % patchSide != 0) {
            errors.add(
                    "diffusion.image_side "
                            + imageSide
                            + " is not divisible by diffusion.patch_side "
                            + patchSide);
        }
        if ((long) patchSide * patchSide != patchValues) {
            errors.add(
                    "diffusion.patch_values is "
                            + patchValues
                            + ", but grey "
                            + patchSide
                            + "x"
                            + patchSide
                            + " patches (diffusion.patch_side "
                            + patchSide
                            + ") have "
                            + (long) patchSide * patchSide
                            + " values");
        }
    }

    /** {@code side²}, or a value the checks refuse when that overflows an int. */
    private static int greyPatchValues(int side) {
        long values = (long) side * side;
        return values > Integer.MAX_VALUE ? -1 : (int) values;
    }
}
