package io.motdjl.config;

import java.util.Locale;

/** How a mixture-of-experts feed-forward assigns rows to experts. */
public enum MoeRouting {
    /**
     * Each row takes its {@code top_k} most probable experts (causal: a row's routing depends on
     * that row only, so cached decoding works); balanced by an auxiliary loss.
     */
    TOKEN_CHOICE,
    /**
     * Each expert takes the rows it scores highest, up to a capacity (Zhou et al. 2022; the paper's
     * MoE-4x). Balanced by construction, but not causal: a row's routing depends on the other rows
     * of the pass, later ones included.
     */
    EXPERT_CHOICE;

    /** The name used in {@code config.json}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the {@code config.json} name ({@code "token_choice"} or {@code "expert_choice"}). */
    public static MoeRouting fromJson(String name) {
        for (MoeRouting routing : values()) {
            if (routing.jsonName().equals(name)) {
                return routing;
            }
        }
        throw new IllegalArgumentException(
                "moe.routing must be \"token_choice\" or \"expert_choice\", got \"" + name + "\"");
    }
}
