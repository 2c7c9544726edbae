package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The named outputs of a {@link MoTModel} forward pass: one array per output head ({@link
 * VocabularyHead#OUTPUT} for the vocabulary head, {@code (B, T, V)}), then any auxiliary losses the
 * blocks produced, named {@value #AUXILIARY_PREFIX}{@code <where>.<what>}. A view over the {@link
 * NDList} the model returns (DJL's {@code Trainer} and {@code Predictor} pass that list on
 * unchanged).
 */
public final class MoTOutputs {

    /** Prefix of every auxiliary loss's name. */
    public static final String AUXILIARY_PREFIX = "aux.";

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
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (NDArray a : list) {
            String name = a.getName();
            if (name != null && name.startsWith(AUXILIARY_PREFIX)) {
                out.put(name.substring(AUXILIARY_PREFIX.length()), a);
            }
        }
        return Collections.unmodifiableMap(out);
    }
}
