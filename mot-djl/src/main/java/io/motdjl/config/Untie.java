package io.motdjl.config;

/**
 * Which components keep a separate parameter set per modality. A component that is not untied has
 * one parameter set (stored as modality 0) used by every modality. An untied component has one set
 * per tower: per modality by default, or as {@link MoTConfig#towers()} maps modalities to towers.
 *
 * @param attention Q/K/V/O projections
 * @param ffn the SwiGLU feed-forward network
 * @param norms every RMSNorm: attention and FFN norms, QK-norms and the final norm
 */
public record Untie(boolean attention, boolean ffn, boolean norms) {

    /** Everything untied: the MoT of the paper. */
    public static final Untie ALL = new Untie(true, true, true);

    /** Nothing untied: a dense transformer even when several modality ids are used. */
    public static final Untie NONE = new Untie(false, false, false);
}
