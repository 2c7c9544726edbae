package io.motdjl.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.GoldenCase;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class MoTConfigTest {

    @Test
    void readsEveryGoldenConfigAndRoundTrips(@TempDir Path dir) throws Exception {
        for (String name : GoldenCase.NAMES) {
            MoTConfig config = MoTConfig.read(GoldenCase.dir(name).resolve("config.json"));
            assertEquals(61, config.vocabSize());
            assertEquals(8, config.headDim());
            Path copy = dir.resolve(name + ".json");
            config.write(copy);
            assertEquals(config, MoTConfig.read(copy));
            assertEquals(config, MoTConfig.fromJson(config.toJson()));
        }
        MoTConfig pre =
                MoTConfig.read(GoldenCase.dir("pre-norm-three-modalities").resolve("config.json"));
        assertEquals(NormOrder.PRE, pre.normOrder());
        assertEquals(RopeStyle.HALF, pre.ropeStyle());
        assertEquals(3, pre.nModalities());
        assertEquals(false, pre.qkNorm());
    }

    @Test
    void optionalFieldsRoundTrip() {
        MoTConfig config =
                MoTConfig.builder()
                        .untie(new Untie(true, false, true))
                        .modalityTokenRanges(new long[][] {{0, 100}, {100, 256}})
                        .build();
        MoTConfig back = MoTConfig.fromJson(config.toJson());
        assertEquals(config, back);
        assertEquals(100, back.modalityTokenRanges()[1][0]);
        assertEquals(1, config.denseTwin().nModalities());
        assertEquals(null, config.denseTwin().modalityTokenRanges());
    }

    @Test
    void overlappingTokenRangesAreRefused() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                MoTConfig.builder()
                                        .vocabSize(10)
                                        .nModalities(2)
                                        .modalityTokenRanges(new long[][] {{0, 6}, {5, 10}})
                                        .build());
        assertTrue(
                e.getMessage()
                        .contains("modality 0's [0, 6] and modality 1's [5, 10] share ids [5, 6)"),
                e.getMessage());
        // touching and gapped ranges are fine
        MoTConfig.builder()
                .vocabSize(10)
                .nModalities(3)
                .modalityTokenRanges(new long[][] {{4, 6}, {0, 4}, {7, 10}})
                .build();
    }

    @Test
    void rejectsMalformedJsonWithClearMessages(@TempDir Path dir) throws Exception {
        String good = MoTConfig.builder().build().toJson();
        assertMessage("unknown key \"dims\"", good.replace("\"dim\"", "\"dims\""));
        assertMessage(
                "missing required key \"dim\"",
                good.replace("\"dim\"", "\"__drop\"").replaceAll(",\\s*\"__drop\": \\d+", ""));
        assertMessage(
                "\"n_layers\" must be an integer",
                good.replaceFirst("\"n_layers\": 2", "\"n_layers\": 2.5"));
        assertMessage(
                "norm_order must be \"post\" or \"pre\", got \"middle\"",
                good.replace("\"post\"", "\"middle\""));
        assertMessage(
                "\"qk_norm\" must be true or false",
                good.replace("\"qk_norm\": true", "\"qk_norm\": 1"));
        assertMessage("not valid JSON", "{ not json");
        // a negative head_dim is an error, not a request to derive it (0 derives)
        assertMessage(
                "head_dim must be positive, got -4",
                good.replaceFirst("\"head_dim\": \\d+", "\"head_dim\": -4"));
        // strict: a repeated key or a comment is an error, never silently accepted
        assertMessage("duplicate key \"dim\"", good.replaceFirst("\\{", "{\"dim\": 8, "));
        assertMessage("not valid JSON", good.replaceFirst("\\{", "{ // a comment\n"));
        Path file = dir.resolve("config.json");
        Files.writeString(file, "[1, 2]");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MoTConfig.read(file));
        assertTrue(e.getMessage().contains("expected a JSON object"), e.getMessage());
    }

    /** Cases the fuzzer (MoTConfigFuzzTest) and its review found, each once wrong. */
    @Test
    void numbersAreReadExactlyAndNeverWrapped(@TempDir Path dir) throws Exception {
        String good = MoTConfig.builder().build().toJson();
        // a JSON exponent beyond an int: was a bare NumberFormatException "Exponent overflow."
        IllegalArgumentException overflow =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                MoTConfig.fromJson(
                                        good.replaceFirst(
                                                "\"rope_theta\": [0-9.]+",
                                                "\"rope_theta\": 1e2147483648")));
        assertTrue(
                overflow.getMessage().startsWith("Invalid MoT config: not valid JSON (number"),
                overflow.getMessage());
        assertTrue(overflow.getMessage().contains("$.rope_theta is out of range"));
        // not an integer although it rounds to the double 2.0: was read as 2
        assertMessage(
                "\"n_layers\" must be an integer",
                good.replaceFirst("\"n_layers\": 2", "\"n_layers\": 2.0000000000000000001"));
        assertEquals(
                2,
                MoTConfig.fromJson(good.replaceFirst("\"n_layers\": 2", "\"n_layers\": 2.0"))
                        .nLayers());
        // 2^64 + 200 in a token range: was wrapped to 200
        String ranges =
                good.replaceFirst(
                        "\\}\\s*$",
                        ", \"modality_token_ranges\": [[0, 100], [100, 18446744073709551816]]}");
        assertMessage("\"modality_token_ranges\" must be a list of [start, end) pairs", ranges);
        // 4 heads of 2^30 + 8 wrap to 32 in int arithmetic: was accepted for dim 32
        assertMessage(
                "n_heads * head_dim must equal dim: 4 * 1073741832 != 32",
                good.replaceFirst("\"dim\": \\d+", "\"dim\": 32")
                        .replaceFirst("\"head_dim\": \\d+", "\"head_dim\": 1073741832"));
        // an unknown norm order names the config like every other refusal
        assertMessage(
                "Invalid MoT config JSON: norm_order must be", good.replace("\"post\"", "\"x\""));
        // bytes that are not UTF-8: was a MalformedInputException "Input length = 1"
        Path file = dir.resolve("config.json");
        byte[] bytes = good.getBytes(StandardCharsets.UTF_8);
        bytes[good.indexOf("dim")] = (byte) 0xC6;
        Files.write(file, bytes);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MoTConfig.read(file));
        assertTrue(e.getMessage().contains("not UTF-8 text"), e.getMessage());
    }

    @Test
    void isARecordWithDeepValueSemantics() {
        long[][] ranges = {{0, 10}, {10, 20}};
        MoTConfig a = MoTConfig.builder().vocabSize(20).modalityTokenRanges(ranges).build();
        MoTConfig b = a.toBuilder().build();
        assertTrue(MoTConfig.class.isRecord());
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        ranges[0][1] = 5; // the config copied the array
        assertEquals(10, a.modalityTokenRanges()[0][1]);
        a.modalityTokenRanges()[1][0] = 99; // and hands out copies
        assertEquals(10, a.modalityTokenRanges()[1][0]);
        assertEquals(a.dim() / a.nHeads(), a.headDim(), "head_dim 0 is derived");
    }

    @Test
    void theMoeObjectRoundTripsAndHasTheReferenceDefaults() {
        MoeConfig moe = new MoeConfig(4, MoeRouting.EXPERT_CHOICE, 1, 1.25, List.of(0));
        MoTConfig config = MoTConfig.builder().moe(moe).build();
        MoTConfig back = MoTConfig.fromJson(config.toJson());
        assertEquals(config, back);
        assertEquals(moe, back.moe());
        assertEquals(null, config.denseTwin().moe(), "the dense twin is plain SwiGLU");

        String minimal =
                MoTConfig.builder()
                        .build()
                        .toJson()
                        .replaceFirst(
                                "\\{",
                                "{\"moe\": {\"experts\": 3, \"routing\": \"token_choice\","
                                        + " \"modalities\": [1]}, ");
        MoeConfig read = MoTConfig.fromJson(minimal).moe();
        assertEquals(new MoeConfig(3, MoeRouting.TOKEN_CHOICE, 1, 1.0, List.of(1)), read);
        assertEquals(3, read.capacity(9), "ceil(1.0 * 9 / 3)");
        assertEquals(
                4, new MoeConfig(3, MoeRouting.EXPERT_CHOICE, 1, 1.0, List.of(0)).capacity(10));
        assertEquals(
                10, new MoeConfig(2, MoeRouting.EXPERT_CHOICE, 1, 4.0, List.of(0)).capacity(10));
    }

    @Test
    void aMoeThatCannotWorkIsRefusedNamingTheKey() {
        String good =
                MoTConfig.builder()
                        .moe(new MoeConfig(4, MoeRouting.TOKEN_CHOICE, 2, 1.0, List.of(0)))
                        .build()
                        .toJson();
        assertMessage(
                "moe.experts must be at least 1", good.replace("\"experts\": 4", "\"experts\": 0"));
        assertMessage(
                "moe.top_k must be in [1, moe.experts = 4], got 5",
                good.replace("\"top_k\": 2", "\"top_k\": 5"));
        assertMessage(
                "moe.capacity_factor must be a positive finite number, got 0.0",
                good.replace("\"capacity_factor\": 1.0", "\"capacity_factor\": 0"));
        assertMessage(
                "moe.routing must be \"token_choice\" or \"expert_choice\", got \"switch\"",
                good.replace("\"token_choice\"", "\"switch\""));
        assertMessage("unknown key \"moe.expert\"", good.replace("\"experts\"", "\"expert\""));
        assertMessage(
                "missing required key \"moe.experts\"", good.replaceFirst("\"experts\": 4,", ""));
        assertMessage(
                "moe.modalities holds 2, outside the modality ids [0, 2)",
                good.replaceAll("\"modalities\": \\[\\s*0\\s*\\]", "\"modalities\": [2]"));
        assertMessage(
                "moe.modalities names 0 twice",
                good.replaceAll("\"modalities\": \\[\\s*0\\s*\\]", "\"modalities\": [0, 0]"));
        assertMessage(
                "must name at least one feed-forward parameter set",
                good.replaceAll("\"modalities\": \\[\\s*0\\s*\\]", "\"modalities\": []"));
        assertMessage(
                "\"moe.modalities\" must be a list",
                good.replaceAll("\"modalities\": \\[\\s*0\\s*\\]", "\"modalities\": 0"));
        String tied = good.replace("\"ffn\": true", "\"ffn\": false");
        assertMessage(
                "the feed-forward is not untied (untie.ffn is false): its one parameter set is 0",
                tied.replaceAll("\"modalities\": \\[\\s*0\\s*\\]", "\"modalities\": [1]"));
        assertEquals(
                List.of(0), MoTConfig.fromJson(tied).moe().sets(), "[0] is the MoE-Ex baseline");
    }

    private static void assertMessage(String fragment, String json) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MoTConfig.fromJson(json));
        assertTrue(e.getMessage().contains(fragment), "message was: " + e.getMessage());
    }
}
