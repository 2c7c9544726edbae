package io.motdjl.io;

import ai.djl.nn.Parameter;
import io.motdjl.nn.MoTAttention;
import io.motdjl.nn.MoTFeedForward;
import io.motdjl.nn.MoTLayer;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.UntiedBlock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensor names of the public reference implementation (PyTorch layout), mapped to a {@link
 * MoTModel}'s parameters. A tied component has one parameter set, stored as modality 0.
 */
public final class ReferenceNames {

    private ReferenceNames() {}

    /**
     * Every parameter of {@code model} under its reference name, in a stable order.
     *
     * @param model the model
     * @return reference name to parameter
     */
    public static Map<String, Parameter> of(MoTModel model) {
        Map<String, Parameter> names = new LinkedHashMap<>();
        names.put("tok_embeddings.weight", model.tokEmbeddings());
        List<MoTLayer> layers = model.layers();
        for (int l = 0; l < layers.size(); l++) {
            String layer = "layers." + l + ".";
            MoTAttention att = layers.get(l).attention();
            String a = layer + "attention.";
            sets(names, layer + "attention_norm.%d.weight", att.inputNorm());
            sets(names, a + "local_experts_wq.%d.weight", att.wq());
            sets(names, a + "local_experts_wk.%d.weight", att.wk());
            sets(names, a + "local_experts_wv.%d.weight", att.wv());
            sets(names, a + "local_experts_wo.%d.weight", att.wo());
            sets(names, a + "local_experts_q_normalization.%d.weight", att.qNorm());
            sets(names, a + "local_experts_k_normalization.%d.weight", att.kNorm());
            sets(names, a + "local_experts_attention_norm.%d.weight", att.outputNorm());
            MoTFeedForward ffn = layers.get(l).feedForward();
            String f = layer + "feed_forward.";
            sets(names, layer + "ffn_norm.%d.weight", ffn.inputNorm());
            sets(names, f + "local_experts.%d.w1.weight", ffn.w1());
            sets(names, f + "local_experts.%d.w3.weight", ffn.w3());
            sets(names, f + "local_experts.%d.w2.weight", ffn.w2());
            sets(names, f + "local_experts_ffn_norm.%d.weight", ffn.outputNorm());
        }
        sets(names, "norm.%d.weight", model.norm());
        names.put("output.weight", model.output());
        return names;
    }

    private static void sets(Map<String, Parameter> names, String pattern, UntiedBlock block) {
        if (block == null) {
            return;
        }
        List<Parameter> weights = block.weights();
        for (int s = 0; s < weights.size(); s++) {
            names.put(String.format(java.util.Locale.ROOT, pattern, s), weights.get(s));
        }
    }
}
