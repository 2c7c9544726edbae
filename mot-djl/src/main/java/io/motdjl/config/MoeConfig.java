package io.motdjl.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The optional {@code moe} object of a config: which feed-forward parameter sets are mixtures of
 * {@code experts} SwiGLU experts (each of the dense feed-forward's size) behind a bias-free linear
 * router, and how rows are routed to them. Semantics as in the reference cases ({@code
 * moe-token-choice}, {@code hybrid-expert-choice}):
 *
 * <ul>
 *   <li>{@link MoeRouting#TOKEN_CHOICE}: each row takes its {@code topK} most probable experts; the
 *       gate is the router probability, renormalised over the chosen experts when {@code topK > 1};
 *       no capacity limit.
 *   <li>{@link MoeRouting#EXPERT_CHOICE}: over the {@code n} rows reaching the feed-forward in one
 *       pass, each expert takes the {@link #capacity(long) min(n, ceil(c·n/E))} rows with the
 *       largest probability for it; the gate is that probability; a row no expert takes gets 0.
 *       {@code topK} is ignored.
 * </ul>
 *
 * @param experts E, the number of experts
 * @param routing how rows and experts are matched
 * @param topK experts per row under token choice
 * @param capacityFactor c, the capacity factor of expert choice
 * @param sets the feed-forward parameter sets that are mixtures: tower indices when the
 *     feed-forward is untied (the modality ids unless the config's {@code towers} lets modalities
 *     share a tower), {@code [0]} (the one shared feed-forward) when it is not
 */
public record MoeConfig(
        int experts, MoeRouting routing, int topK, double capacityFactor, List<Integer> sets) {

    /**
     * Checks every value that does not depend on the rest of the model.
     *
     * @throws IllegalArgumentException naming every invalid key
     */
    public MoeConfig {
        Objects.requireNonNull(routing, "routing");
        sets = List.copyOf(Objects.requireNonNull(sets, "sets"));
        List<String> errors = new ArrayList<>();
        if (experts < 1) {
            errors.add("moe.experts must be at least 1, got " + experts);
        }
        if (topK < 1 || (experts >= 1 && topK > experts)) {
            errors.add("moe.top_k must be in [1, moe.experts = " + experts + "], got " + topK);
        }
        if (!(capacityFactor > 0) || Double.isInfinite(capacityFactor)) {
            errors.add(
                    "moe.capacity_factor must be a positive finite number, got " + capacityFactor);
        }
        if (sets.isEmpty()) {
            errors.add("moe.modalities must name at least one feed-forward parameter set");
        }
        Set<Integer> seen = new HashSet<>();
        for (int s : sets) {
            if (s < 0) {
                errors.add("moe.modalities holds a negative id " + s);
            } else if (!seen.add(s)) {
                errors.add("moe.modalities names " + s + " twice");
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Invalid MoT config: " + String.join("; ", errors));
        }
    }

    /** Whether feed-forward parameter set {@code set} is a mixture of experts. */
    public boolean covers(int set) {
        return sets.contains(set);
    }

    /**
     * Rows each expert takes under expert choice when {@code rows} rows reach the feed-forward:
     * {@code min(n, ceil(c·n/E))}, evaluated as {@code (c·n)/E} in double precision like the
     * reference.
     */
    public long capacity(long rows) {
        return Math.min(rows, (long) Math.ceil(capacityFactor * rows / experts));
    }

    /**
     * Expert evaluations per row, on average: {@code top_k} under token choice, {@code c} under
     * expert choice (each of the E experts takes about {@code c·n/E} of the n rows). The
     * feed-forward FLOPs of a row are this many times a dense SwiGLU's, plus the router's.
     */
    public double expertsPerRow() {
        return routing == MoeRouting.TOKEN_CHOICE ? topK : capacityFactor;
    }
}
