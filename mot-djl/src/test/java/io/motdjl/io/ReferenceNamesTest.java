package io.motdjl.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.GoldenCase;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.NormOrder;
import io.motdjl.config.Untie;
import io.motdjl.nn.MoTModel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The reference names of a model's parameters, checked against the golden files' headers. */
class ReferenceNamesTest {

    static List<String> cases() {
        return GoldenCase.NAMES;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void namesAndShapesMatchTheGoldenWeights(String name) throws IOException {
        Path dir = GoldenCase.dir(name);
        MoTModel model = new MoTModel(MoTConfig.read(dir.resolve("config.json")));
        Map<String, ReferenceNames.Slot> params = ReferenceNames.of(model);
        byte[] bytes = Files.readAllBytes(dir.resolve("model.safetensors"));
        Map<String, SafetensorsHeader.Entry> entries =
                SafetensorsHeader.parse(bytes, name).entries();
        assertEquals(new TreeSet<>(entries.keySet()), new TreeSet<>(params.keySet()));
        params.forEach((k, p) -> assertEquals(entries.get(k).shape(), p.shape(), k));
    }

    @Test
    void aDenseModelHasOneSetPerComponent() {
        MoTConfig dense = small().nModalities(1).build();
        Set<String> names = ReferenceNames.of(new MoTModel(dense)).keySet();
        // embeddings, output, final norm, and per layer 4 attention + 2 qk-norms + 2 norms + 3 ffn
        assertEquals(3 + dense.nLayers() * 11, names.size());
        assertTrue(names.stream().noneMatch(n -> n.contains(".1.weight")), names.toString());
    }

    @Test
    void tiedComponentsAreStoredAsModalityZero() {
        MoTConfig tied = small().nModalities(3).untie(new Untie(false, true, false)).build();
        List<String> names = new ArrayList<>(ReferenceNames.of(new MoTModel(tied)).keySet());
        assertTrue(names.contains("layers.0.attention.local_experts_wq.0.weight"));
        assertTrue(noneMatch(names, ".*local_experts_w[qkvo]\\.[12]\\..*"), names.toString());
        assertTrue(noneMatch(names, ".*norm(alization)?\\.[12]\\..*"), names.toString());
        assertTrue(names.contains("layers.1.feed_forward.local_experts.2.w3.weight"));
    }

    @Test
    void preNormUsesTheLayerLevelNormNames() {
        MoTConfig pre = small().normOrder(NormOrder.PRE).qkNorm(false).build();
        Set<String> names = ReferenceNames.of(new MoTModel(pre)).keySet();
        assertTrue(names.contains("layers.0.attention_norm.1.weight"));
        assertTrue(names.contains("layers.0.ffn_norm.1.weight"));
        assertTrue(names.stream().noneMatch(n -> n.contains("local_experts_attention_norm")));
        assertTrue(names.stream().noneMatch(n -> n.contains("_normalization")));
    }

    @Test
    void theOrderIsStable() {
        MoTConfig config = small().build();
        List<String> first = new ArrayList<>(ReferenceNames.of(new MoTModel(config)).keySet());
        List<String> second = new ArrayList<>(ReferenceNames.of(new MoTModel(config)).keySet());
        assertEquals(first, second);
        assertEquals("tok_embeddings.weight", first.get(0));
        assertEquals("output.weight", first.get(first.size() - 1));
    }

    private static boolean noneMatch(List<String> names, String regex) {
        return names.stream().noneMatch(n -> n.matches(regex));
    }

    private static MoTConfig.Builder small() {
        return MoTConfig.builder()
                .vocabSize(16)
                .dim(8)
                .nHeads(2)
                .ffnHiddenDim(12)
                .nLayers(2)
                .maxSeqLen(8);
    }
}
