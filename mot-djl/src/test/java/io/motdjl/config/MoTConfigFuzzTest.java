package io.motdjl.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.FuzzJson;
import io.motdjl.Fuzzing;
import io.motdjl.GoldenCase;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Feeds {@link MoTConfig#fromJson} (and {@link MoTConfig#read}) mutated valid configs, values of
 * the wrong type, huge and fractional numbers, duplicate and unknown keys, deep nesting and random
 * JSON-like text: each is a valid config — which then round-trips and satisfies the config's own
 * invariants — or an {@link IllegalArgumentException} with a message. Nothing else.
 */
class MoTConfigFuzzTest {

    private static final List<String> BASES = new ArrayList<>();
    private static final List<String> KEYS =
            List.of(
                    "vocab_size",
                    "dim",
                    "n_layers",
                    "n_heads",
                    "head_dim",
                    "ffn_hidden_dim",
                    "n_modalities",
                    "norm_order",
                    "qk_norm",
                    "norm_eps",
                    "rope_theta",
                    "rope_style",
                    "max_seq_len",
                    "untie",
                    "modality_token_ranges",
                    "towers",
                    "attention",
                    "ffn",
                    "norms");

    @BeforeAll
    static void readBases() throws IOException {
        for (String name : GoldenCase.NAMES) {
            BASES.add(Files.readString(GoldenCase.dir(name).resolve("config.json")));
        }
        BASES.add(MoTConfig.builder().build().toJson());
        BASES.add(
                MoTConfig.builder()
                        .untie(new Untie(true, false, true))
                        .modalityTokenRanges(new long[][] {{0, 100}, {100, 256}})
                        .build()
                        .toJson());
        BASES.add(MoTConfig.builder().build().toJson().replaceFirst("\"head_dim\": \\d+,", ""));
        BASES.add(MoTConfig.builder().nModalities(3).towers(0, 1, 1).build().toJson());
    }

    @Test
    void mutatedConfigsParseOrAreRefused() {
        Fuzzing.Report report =
                Fuzzing.<String>of(
                                "config",
                                20_000,
                                IllegalArgumentException.class,
                                Duration.ofMinutes(3))
                        .refusalsMatching("Invalid MoT config")
                        .run(
                                MoTConfigFuzzTest::mutant,
                                text -> Fuzzing.printable(text, 800),
                                MoTConfigFuzzTest::parse);
        System.out.println(report);
        assertTrue(report.accepted() > report.cases() / 50, report.toString());
        assertTrue(report.refusals().size() > 40, report.refusals().toString());
    }

    @Test
    void randomBytesInAConfigFileAreRefused(@TempDir Path dir) {
        Path file = dir.resolve("config.json");
        Fuzzing.Report report =
                Fuzzing.<byte[]>of(
                                "config-file",
                                1_000,
                                IllegalArgumentException.class,
                                Duration.ofMinutes(1))
                        .refusalsMatching("Invalid MoT config")
                        .run(
                                random -> fileBytes(random),
                                bytes -> Fuzzing.printable(bytes, 800),
                                bytes -> {
                                    Files.write(file, bytes);
                                    MoTConfig.read(file);
                                });
        System.out.println(report);
        assertTrue(report.accepted() > 0, report.toString());
    }

    private static void parse(String text) {
        MoTConfig config = MoTConfig.fromJson(text);
        // what was accepted is a config the model can be built from, and reads back the same
        assertEquals((long) config.dim(), (long) config.nHeads() * config.headDim(), text);
        assertEquals(0, config.headDim() % 2, text);
        assertTrue(config.normEps() > 0 && Double.isFinite(config.normEps()), text);
        assertEquals(config, MoTConfig.fromJson(config.toJson()));
    }

    private static String mutant(Random random) {
        int kind = random.nextInt(20);
        if (kind == 0) {
            return FuzzJson.noise(random);
        }
        if (kind == 1) {
            // deep nesting, up to far beyond any parser's stack
            int depth =
                    random.nextBoolean()
                            ? 1 + random.nextInt(100)
                            : 10_000 + random.nextInt(90_000);
            return FuzzJson.nested(random, depth, FuzzJson.value(random, 1));
        }
        String text = BASES.get(random.nextInt(BASES.size()));
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            text = mutate(random, text);
        }
        return text;
    }

    private static String mutate(Random random, String text) {
        String key = "\"" + FuzzJson.pick(random, KEYS) + "\"";
        Pattern member =
                Pattern.compile(
                        Pattern.quote(key) + ":\\s*(\\{[^{}]*\\}|\\[[^\\]]*\\]\\]?|[^,}\\]]*)");
        switch (random.nextInt(10)) {
            case 0:
            case 1:
                // a key's value replaced by any JSON value
                return FuzzJson.replaceOne(
                        random, text, member, key + ": " + FuzzJson.value(random, 2));
            case 2:
                // a key's value replaced by an edge-case number
                return FuzzJson.replaceOne(
                        random, text, member, key + ": " + FuzzJson.pick(random, FuzzJson.NUMBERS));
            case 3:
                // a key dropped
                return FuzzJson.replaceOne(
                        random, text, Pattern.compile(member.pattern() + ",?"), "");
            case 4:
                // a key repeated, or an unknown key added
                String added =
                        random.nextBoolean()
                                ? key
                                : "\"" + FuzzJson.pick(random, FuzzJson.STRINGS) + "\"";
                return text.replaceFirst(
                        "\\{",
                        Matcher.quoteReplacement(
                                "{" + added + ": " + FuzzJson.value(random, 1) + ","));
            case 5:
                return FuzzJson.replaceOne(
                        random,
                        text,
                        member,
                        "\"modality_token_ranges\": ["
                                + FuzzJson.integers(random)
                                + ","
                                + FuzzJson.integers(random)
                                + "]");
            default:
                return FuzzJson.edit(random, text);
        }
    }

    /** A config's bytes, some of them replaced by bytes that are not UTF-8. */
    private static byte[] fileBytes(Random random) {
        byte[] bytes = BASES.get(random.nextInt(BASES.size())).getBytes(StandardCharsets.UTF_8);
        int n = random.nextInt(3);
        for (int i = 0; i < n; i++) {
            bytes[random.nextInt(bytes.length)] = (byte) (0x80 + random.nextInt(128));
        }
        return bytes;
    }
}
