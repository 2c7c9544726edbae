package io.motdjl.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The optional {@code diffusion} object of a config: the Transfusion setting. The modality {@code
 * modality} holds continuous image patches of {@code patchValues} values each, read by a patch
 * adapter (a linear projection plus a timestep embedding) and written by a noise head; the model
 * learns to predict their noise under a cosine schedule of {@code timesteps} steps.
 *
 * @param modality the modality id of the patch rows
 * @param patchValues P, values per patch row (e.g. 16 for 4×4 grey patches)
 * @param timesteps T of the noise schedule (the paper: 1,000)
 */
public record DiffusionConfig(int modality, int patchValues, int timesteps) {

    /** The paper's number of timesteps. */
    public static final int DEFAULT_TIMESTEPS = 1000;

    /**
     * Checks every value that does not depend on the rest of the model.
     *
     * @throws IllegalArgumentException naming every invalid key
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
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Invalid MoT config: " + String.join("; ", errors));
        }
    }
}
