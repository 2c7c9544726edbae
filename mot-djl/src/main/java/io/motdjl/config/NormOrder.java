package io.motdjl.config;

import java.util.Locale;

/** Where the RMSNorms sit in a MoT layer. */
public enum NormOrder {
    /** Chameleon norm reordering: {@code h = x + Norm(Attn(x)); out = h + Norm(FFN(h))}. */
    POST,
    /** Llama / BAGEL style: {@code h = x + Attn(Norm(x)); out = h + FFN(Norm(h))}. */
    PRE;

    /** The name used in {@code config.json}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the {@code config.json} name ({@code "post"} or {@code "pre"}). */
    public static NormOrder fromJson(String name) {
        for (NormOrder order : values()) {
            if (order.jsonName().equals(name)) {
                return order;
            }
        }
        throw new IllegalArgumentException(
                "norm_order must be \"post\" or \"pre\", got \"" + name + "\"");
    }
}
