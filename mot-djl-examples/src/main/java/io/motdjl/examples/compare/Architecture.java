package io.motdjl.examples.compare;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.MoeConfig;
import io.motdjl.config.MoeRouting;
import io.motdjl.config.Untie;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The models the paper compares: four of one width and depth and of (nearly) equal FLOPs per token
 * (dense, MoE-4x, MoT, the hybrid), and a dense model twice as deep for the paper's size claim (a
 * MoT against a dense model with about twice its parameters and FLOPs). Each is a point of one
 * config family, so one code path trains them all. The mixtures follow the paper's MoE-4x: four
 * experts of the dense feed-forward's size, expert choice with capacity factor 1 (each row gets one
 * expert's FLOPs on average, plus the router's).
 */
public enum Architecture {

    /** Every parameter shared by all modalities. */
    DENSE("dense", "dense transformer, every parameter shared"),

    /** Dense, with the shared feed-forward a mixture of four experts under expert choice. */
    MOE_4X("moe-4x", "dense with a 4-expert feed-forward, expert choice, capacity factor 1"),

    /** Every non-embedding parameter separate per modality. */
    MOT("mot", "Mixture-of-Transformers, every non-embedding parameter per modality"),

    /** MoT whose text tower's feed-forward is the MoE-4x mixture; the image tower stays plain. */
    MOT_MOE_TEXT(
            "mot-moe-text", "MoT with a 4-expert expert-choice feed-forward in the text tower"),

    /**
     * Dense with twice the layers: about twice the non-embedding parameters and the FLOPs per token
     * of the others (a two-modality MoT has about as many parameters, at half the FLOPs).
     */
    DENSE_2X("dense-2x", "dense transformer with twice the layers (2x parameters and FLOPs)"),

    /** Text and image share one tower, speech has its own (towers [0, 0, 1]; three modalities). */
    TOWERS_TI("towers-ti", "two towers: text+image shared, speech alone (towers [0,0,1])"),

    /** Text and speech share one tower, image has its own (towers [0, 1, 0]; three modalities). */
    TOWERS_TS("towers-ts", "two towers: text+speech shared, image alone (towers [0,1,0])"),

    /** Image and speech share one tower, text has its own (towers [0, 1, 1]; three modalities). */
    TOWERS_IS("towers-is", "two towers: image+speech shared, text alone (towers [0,1,1])");

    /** The architectures of equal FLOPs per token: what {@code all} names. */
    public static final List<Architecture> EQUAL_FLOPS = List.of(DENSE, MOE_4X, MOT, MOT_MOE_TEXT);

    /**
     * The architectures of the Chameleon + speech setting: dense, the three-tower MoT and the
     * paper's section 4 two-tower variants, all of equal FLOPs per token; what {@code all} names
     * there.
     */
    public static final List<Architecture> SPEECH_SETTING =
            List.of(DENSE, MOT, TOWERS_TI, TOWERS_TS, TOWERS_IS);

    /** Experts in the MoE-4x mixtures. */
    public static final int EXPERTS = 4;

    /** The text modality id, whose tower the hybrid makes a mixture. */
    public static final int TEXT = 0;

    private final String label;
    private final String description;

    Architecture(String label, String description) {
        this.label = label;
        this.description = description;
    }

    /** The name used on the command line, in results and on plots. */
    public String label() {
        return label;
    }

    /** One line saying what the model is. */
    public String description() {
        return description;
    }

    /**
     * This architecture's config from a MoT config: the untying and the feed-forward mixture are
     * replaced (and the depth doubled for {@link #DENSE_2X}); everything else (width, vocabulary,
     * norms) is kept.
     */
    public MoTConfig configure(MoTConfig base) {
        MoTConfig.Builder b = base.toBuilder().moe(null);
        return switch (this) {
            case DENSE -> b.untie(Untie.NONE).build();
            case MOE_4X -> b.untie(Untie.NONE).moe(expertChoice(List.of(0))).build();
            case MOT -> b.untie(Untie.ALL).build();
            case MOT_MOE_TEXT -> b.untie(Untie.ALL).moe(expertChoice(List.of(TEXT))).build();
            case DENSE_2X -> b.untie(Untie.NONE).nLayers(2 * base.nLayers()).build();
            case TOWERS_TI, TOWERS_TS, TOWERS_IS -> b.untie(Untie.ALL).towers(towers()).build();
        };
    }

    /**
     * The tower of each modality (text, image, speech) of a two-tower variant, or null for the
     * others (one tower per modality when untied).
     */
    public int[] towers() {
        return switch (this) {
            case TOWERS_TI -> new int[] {0, 0, 1};
            case TOWERS_TS -> new int[] {0, 1, 0};
            case TOWERS_IS -> new int[] {0, 1, 1};
            default -> null;
        };
    }

    /** Whether the architecture only makes sense with three modalities (text, image, speech). */
    public boolean needsSpeech() {
        return towers() != null;
    }

    /**
     * Checks that every architecture of {@code chosen} is one of {@code allowed}.
     *
     * @param setting the setting's name, for the message
     * @throws IllegalArgumentException naming the ones that do not apply and those that do
     */
    public static void requireAmong(
            List<Architecture> chosen, List<Architecture> allowed, String setting) {
        List<Architecture> refused = chosen.stream().filter(a -> !allowed.contains(a)).toList();
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException(
                    "not part of the "
                            + setting
                            + " setting: "
                            + labels(refused)
                            + " (its architectures: "
                            + labels(allowed)
                            + ")");
        }
    }

    /** Every architecture of two modalities (text and image): all but the two-tower variants. */
    public static List<Architecture> twoModalities() {
        return List.of(values()).stream().filter(a -> !a.needsSpeech()).toList();
    }

    /** Whether the architecture has a mixture-of-experts feed-forward. */
    public boolean hasExperts() {
        return this == MOE_4X || this == MOT_MOE_TEXT;
    }

    private static MoeConfig expertChoice(List<Integer> sets) {
        return new MoeConfig(EXPERTS, MoeRouting.EXPERT_CHOICE, 1, 1.0, sets);
    }

    /**
     * The architecture named {@code label}.
     *
     * @throws IllegalArgumentException naming the known ones
     */
    public static Architecture parse(String label) {
        String wanted = label.trim().toLowerCase(Locale.ROOT);
        for (Architecture a : values()) {
            if (a.label.equals(wanted)) {
                return a;
            }
        }
        throw new IllegalArgumentException(
                "unknown architecture '" + label + "' (known: " + labels(List.of(values())) + ")");
    }

    /**
     * A comma-separated list of labels, or {@code all} (the {@link #EQUAL_FLOPS} four); dense is
     * put first (every other model is measured against it) and must be present.
     *
     * @throws IllegalArgumentException for an unknown or repeated name, or without dense
     */
    public static List<Architecture> parseList(String labels) {
        return parseList(labels, EQUAL_FLOPS);
    }

    /**
     * As {@link #parseList(String)}, with {@code all} naming {@code all} (a setting's own list).
     *
     * @throws IllegalArgumentException for an unknown or repeated name, or without dense
     */
    public static List<Architecture> parseList(String labels, List<Architecture> all) {
        if (labels.trim().equalsIgnoreCase("all")) {
            return all;
        }
        List<Architecture> out = new ArrayList<>();
        for (String part : labels.split(",", -1)) {
            Architecture a = parse(part);
            if (out.contains(a)) {
                throw new IllegalArgumentException("architecture '" + a.label + "' named twice");
            }
            out.add(a);
        }
        return ordered(out);
    }

    /**
     * The architectures with dense first and the rest in declaration order.
     *
     * @throws IllegalArgumentException without dense, or with fewer than two
     */
    public static List<Architecture> ordered(List<Architecture> architectures) {
        if (!architectures.contains(DENSE)) {
            throw new IllegalArgumentException(
                    "the comparison needs dense: every other model is measured against it, got "
                            + labels(architectures));
        }
        if (architectures.size() < 2) {
            throw new IllegalArgumentException(
                    "the comparison needs dense and at least one other architecture");
        }
        List<Architecture> out = new ArrayList<>();
        for (Architecture a : values()) {
            if (architectures.contains(a)) {
                out.add(a);
            }
        }
        return out;
    }

    /** Labels joined by commas. */
    public static String labels(List<Architecture> architectures) {
        return String.join(",", architectures.stream().map(Architecture::label).toList());
    }
}
