package io.motdjl.train;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stable names of a block's parameters ({@link Block#getParameters()} keys, such as {@code
 * 02trunk_01layer0_01attention_01qkv_02tower1_weight}) and their ids. DJL optimizers see only
 * parameter ids, which are random per {@link Parameter} object, so optimizer state is saved under
 * names and mapped back to the ids of a freshly built model on load.
 */
public final class ParameterNames {

    private final Map<String, Parameter> byName;
    private final Map<String, String> nameById;

    private ParameterNames(Map<String, Parameter> byName, Map<String, String> nameById) {
        this.byName = byName;
        this.nameById = nameById;
    }

    /** The names of every parameter of {@code block}, in the block's order. */
    public static ParameterNames of(Block block) {
        Map<String, Parameter> byName = new LinkedHashMap<>();
        Map<String, String> nameById = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (byName.put(p.getKey(), p.getValue()) != null) {
                throw new IllegalStateException("two parameters are named " + p.getKey());
            }
            nameById.put(p.getValue().getId(), p.getKey());
        }
        return new ParameterNames(
                Collections.unmodifiableMap(byName), Collections.unmodifiableMap(nameById));
    }

    /** The name of the parameter with id {@code parameterId}, or null if it is not here. */
    public String nameOf(String parameterId) {
        return nameById.get(parameterId);
    }

    /** The parameter named {@code name}, or null if there is none. */
    public Parameter parameter(String name) {
        return byName.get(name);
    }

    /** Every parameter by name, in the block's order. */
    public Map<String, Parameter> asMap() {
        return byName;
    }
}
