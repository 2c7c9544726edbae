package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The named outputs of a {@link MoTModel} forward pass: one array per output head ({@link
 * VocabularyHead#OUTPUT} for the vocabulary head, {@code (B, T, V)}), then any auxiliary losses the
 * blocks produced, named {@value #AUXILIARY_PREFIX}{@code <where>.<what>}, and any statistics,
 * named {@value #STATISTIC_PREFIX}{@code <where>.<what>}. A view over the {@link NDList} the model
 * returns (DJL's {@code Trainer} and {@code Predictor} pass that list on unchanged).
 */
public final class MoTOutputs {

    /** Prefix of every auxiliary loss's name. */
    public static final String AUXILIARY_PREFIX = "aux.";

    /**
     * Prefix of every statistic's name: figures a block reports (a mixture of experts' share of
     * rows per expert, for example) that no objective optimises.
     */
    public static final String STATISTIC_PREFIX = "stat.";

    private final NDList list;

    private MoTOutputs(NDList list) {
        this.list = list;
    }

    /** A view of a model's output list. */
    public static MoTOutputs of(NDList list) {
        if (list == null || list.isEmpty()) {
            throw new IllegalArgumentException("a MoT forward pass returns at least one output");
        }
        return new MoTOutputs(list);
    }

    /** The list itself. */
    public NDList asList() {
        return list;
    }

    /** The output named {@code name}, or null. */
    public NDArray find(String name) {
        for (NDArray a : list) {
            if (name.equals(a.getName())) {
                return a;
            }
        }
        return null;
    }

    /**
     * The output named {@code name}.
     *
     * @throws IllegalArgumentException naming the outputs there are, if it is absent
     */
    public NDArray get(String name) {
        NDArray a = find(name);
        if (a == null) {
            StringBuilder names = new StringBuilder();
            for (NDArray o : list) {
                names.append(names.length() == 0 ? "" : ", ").append(o.getName());
            }
            throw new IllegalArgumentException(
                    "the model has no output named '" + name + "'; it has [" + names + "]");
        }
        return a;
    }

    /**
     * The next-token logits {@code (B, T, V)}: the output named {@value VocabularyHead#OUTPUT}, or
     * the first output when no output is named (a list built by hand).
     */
    public NDArray logits() {
        NDArray a = find(VocabularyHead.OUTPUT);
        if (a != null) {
            return a;
        }
        if (list.head().getName() == null) {
            return list.head();
        }
        return get(VocabularyHead.OUTPUT);
    }

    /** Every auxiliary loss by its name without the prefix, in order. */
    public Map<String, NDArray> auxiliaryLosses() {
        return withPrefix(AUXILIARY_PREFIX);
    }

    /** Every statistic by its name without the prefix, in order. */
    public Map<String, NDArray> statistics() {
        return withPrefix(STATISTIC_PREFIX);
    }

    private Map<String, NDArray> withPrefix(String prefix) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (NDArray a : list) {
            String name = a.getName();
            if (name != null && name.startsWith(prefix)) {
                out.put(name.substring(prefix.length()), a);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * The top-level name of a block's further output at {@code path}: a statistic when its last
     * part but one is {@code stat} ({@code layers.0.feed_forward.1.stat.expert_share} becomes
     * {@code stat.layers.0.feed_forward.1.expert_share}), else an auxiliary loss ({@code aux.} +
     * the path).
     */
    public static String nameOfFurtherOutput(String path) {
        String marker = "." + STATISTIC_PREFIX;
        int at = path.lastIndexOf(marker);
        if (at >= 0) {
            return STATISTIC_PREFIX
                    + path.substring(0, at)
                    + "."
                    + path.substring(at + marker.length());
        }
        return AUXILIARY_PREFIX + path;
    }
}
