package io.motdjl.config;

import java.util.Locale;

/** How rotary position embedding pairs up the channels of a head. */
public enum RopeStyle {
    /** Meta's convention: rotate channel pairs {@code (2i, 2i+1)}. */
    INTERLEAVED,
    /** Hugging Face {@code rotate_half}: rotate channel pairs {@code (i, i + headDim/2)}. */
    HALF;

    /** The name used in {@code config.json}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the {@code config.json} name ({@code "interleaved"} or {@code "half"}). */
    public static RopeStyle fromJson(String name) {
        for (RopeStyle style : values()) {
            if (style.jsonName().equals(name)) {
                return style;
            }
        }
        throw new IllegalArgumentException(
                "rope_style must be \"interleaved\" or \"half\", got \"" + name + "\"");
    }
}
