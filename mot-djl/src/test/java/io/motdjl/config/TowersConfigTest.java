package io.motdjl.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.GoldenCase;
import io.motdjl.train.FlopsAccounting;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The {@code towers} key: which modalities share a parameter set of each untied component. */
class TowersConfigTest {

    private static MoTConfig.Builder threeModalities() {
        return MoTConfig.builder().nModalities(3);
    }

    @Test
    void withoutTheKeyEveryModalityHasATowerAndNothingNewIsWritten() throws Exception {
        for (String name : GoldenCase.NAMES) {
            Path file = GoldenCase.dir(name).resolve("config.json");
            MoTConfig config = MoTConfig.read(file);
            assertTrue(config.hasDefaultTowers(), name);
            assertEquals(config.nModalities(), config.numTowers(), name);
            assertFalse(config.toJson().contains("towers"), name);
        }
        MoTConfig config = threeModalities().build();
        assertArrayEquals(new int[] {0, 1, 2}, config.towers());
        assertEquals(3, config.parameterSets(true));
        assertEquals(1, config.parameterSets(false));
    }

    @Test
    void theDefaultMappingGivenExplicitlyIsTheDefaultConfig() {
        MoTConfig explicit = threeModalities().towers(0, 1, 2).build();
        assertEquals(threeModalities().build(), explicit);
        assertFalse(explicit.toJson().contains("towers"), "the identity is never written");
        String json = threeModalities().build().toJson().replaceFirst("\\{", "{\"towers\": null,");
        assertEquals(threeModalities().build(), MoTConfig.fromJson(json), "null means absent");
    }

    @Test
    void sharedTowersRoundTripAndCount(@TempDir Path dir) throws Exception {
        MoTConfig config = threeModalities().towers(0, 1, 1).build();
        assertArrayEquals(new int[] {0, 1, 1}, config.towers());
        assertEquals(2, config.numTowers());
        assertEquals(1, config.towerOf(2));
        assertFalse(config.hasDefaultTowers());
        assertArrayEquals(new int[] {0, 1, 1}, config.towersFor(true));
        assertArrayEquals(new int[] {0, 0, 0}, config.towersFor(false));
        assertEquals(2, config.parameterSets(true));
        assertTrue(config.toJson().contains("\"towers\""), config.toJson());

        Path file = dir.resolve("config.json");
        config.write(file);
        MoTConfig back = MoTConfig.read(file);
        assertEquals(config, back);
        assertArrayEquals(new int[] {0, 1, 1}, back.towers());
        assertEquals(config.toJson(), back.toJson());
        assertEquals(config, config.toBuilder().build());

        // any mapping onto [0, K) with every tower used, in any order
        MoTConfig permuted = threeModalities().towers(1, 0, 0).build();
        assertEquals(permuted, MoTConfig.fromJson(permuted.toJson()));
        assertArrayEquals(new int[] {1, 0, 0}, permuted.towers());
        assertEquals(config, MoTConfig.fromJson(config.toJson().replace("1\n", "1.0\n")));
    }

    @Test
    void theConfigKeepsItsOwnCopy() {
        int[] towers = {0, 1, 1};
        MoTConfig config = threeModalities().towers(towers).build();
        towers[2] = 0;
        config.towers()[2] = 0;
        assertArrayEquals(new int[] {0, 1, 1}, config.towers());
    }

    @Test
    void parameterCountsScaleWithTheTowers() {
        MoTConfig twoTowers = threeModalities().towers(0, 1, 1).build();
        MoTConfig twoModalities = MoTConfig.builder().nModalities(2).build();
        assertEquals(
                ParameterCount.of(twoModalities).total(), ParameterCount.of(twoTowers).total());
        MoTConfig oneTower = threeModalities().towers(0, 0, 0).build();
        assertEquals(
                ParameterCount.of(threeModalities().untie(Untie.NONE).build()).total(),
                ParameterCount.of(oneTower).total());
        assertTrue(
                ParameterCount.of(threeModalities().build()).total()
                        > ParameterCount.of(twoTowers).total());
    }

    @Test
    void flopsPerTokenDoNotDependOnTheTowers() {
        MoTConfig twoTowers = threeModalities().towers(0, 1, 1).build();
        FlopsAccounting shared = FlopsAccounting.of(twoTowers);
        FlopsAccounting own = FlopsAccounting.of(threeModalities().build());
        for (int m = 0; m < 3; m++) {
            assertEquals(own.forwardFlopsPerToken(m, 64), shared.forwardFlopsPerToken(m, 64));
        }
        assertEquals(
                ParameterCount.of(twoTowers).total(),
                FlopsAccounting.of(twoTowers).totalParameters());
        // a mixture in the shared tower is what modalities 1 and 2 both pay for
        MoeConfig moe = new MoeConfig(4, MoeRouting.TOKEN_CHOICE, 2, 1.0, List.of(1));
        FlopsAccounting hybrid = FlopsAccounting.of(twoTowers.toBuilder().moe(moe).build());
        assertEquals(
                hybrid.activeNonEmbeddingParameters(1), hybrid.activeNonEmbeddingParameters(2));
        assertTrue(hybrid.activeNonEmbeddingParameters(2) > hybrid.activeNonEmbeddingParameters(0));
        assertEquals(own.activeNonEmbeddingParameters(0), hybrid.activeNonEmbeddingParameters(0));
    }

    @Test
    void theDenseTwinAndVariantsNeedNoTowers() {
        MoTConfig config = threeModalities().towers(0, 1, 1).build();
        assertTrue(config.denseTwin().hasDefaultTowers());
        assertEquals(1, config.denseTwin().numTowers());
        // a variant of a default config may change the number of modalities freely
        assertEquals(4, threeModalities().build().toBuilder().nModalities(4).build().numTowers());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> config.toBuilder().nModalities(4).build());
        assertTrue(e.getMessage().contains("towers must hold one tower index per modality"));
    }

    @Test
    void badTowersAreRefusedNamingTheKeyAndTheValue() {
        String good = threeModalities().towers(0, 1, 1).build().toJson();
        String towers = "\"towers\": \\[[^\\]]*\\]";
        assertMessage(
                "Invalid MoT config: towers must hold one tower index per modality"
                        + " (n_modalities = 3), got 2: [0, 1]",
                good.replaceFirst(towers, "\"towers\": [0, 1]"));
        assertMessage(
                "towers must hold one tower index per modality (n_modalities = 3), got 4:"
                        + " [0, 1, 1, 0]",
                good.replaceFirst(towers, "\"towers\": [0, 1, 1, 0]"));
        assertMessage(
                "towers holds a negative tower index -1 in [0, -1, 1]",
                good.replaceFirst(towers, "\"towers\": [0, -1, 1]"));
        assertMessage(
                "towers: tower 1 serves no modality in [0, 2, 2]",
                good.replaceFirst(towers, "\"towers\": [0, 2, 2]"));
        assertMessage(
                "towers: tower 0 serves no modality in [1, 1, 1]",
                good.replaceFirst(towers, "\"towers\": [1, 1, 1]"));
        assertMessage(
                "towers: tower 1 serves no modality in [0, 2147483647, 0]",
                good.replaceFirst(towers, "\"towers\": [0, 2147483647, 0]"));
        String notIntegers =
                "\"towers\" must be a list of integer tower indices, one per modality, got ";
        assertMessage(
                notIntegers + "[0,1.5,1]", good.replaceFirst(towers, "\"towers\": [0, 1.5, 1]"));
        assertMessage(
                notIntegers + "[0,\"1\",1]",
                good.replaceFirst(towers, "\"towers\": [0, \"1\", 1]"));
        assertMessage(
                notIntegers + "[0,1,4294967296]",
                good.replaceFirst(towers, "\"towers\": [0, 1, 4294967296]"));
        assertMessage(
                notIntegers + "{\"text\":0}",
                good.replaceFirst(towers, "\"towers\": {\"text\": 0}"));
        assertMessage(notIntegers + "1", good.replaceFirst(towers, "\"towers\": 1"));
        assertMessage(
                "towers must hold one tower index per modality (n_modalities = 3), got 0: []",
                good.replaceFirst(towers, "\"towers\": []"));
    }

    @Test
    void theBuilderRefusesBadTowersToo() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> threeModalities().towers(0, 2, 2).build());
        assertEquals(
                "Invalid MoT config: towers: tower 1 serves no modality in [0, 2, 2] (tower indices"
                        + " must be 0, 1, ... with every tower used)",
                e.getMessage());
    }

    @Test
    void mixturesNameTowersWhenModalitiesShareThem() {
        MoeConfig inSharedTower = new MoeConfig(2, MoeRouting.TOKEN_CHOICE, 1, 1.0, List.of(1));
        MoTConfig config = threeModalities().towers(0, 1, 1).moe(inSharedTower).build();
        assertTrue(config.moe().covers(config.towerOf(2)));
        MoeConfig beyond = new MoeConfig(2, MoeRouting.TOKEN_CHOICE, 1, 1.0, List.of(2));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> threeModalities().towers(0, 1, 1).moe(beyond).build());
        assertTrue(
                e.getMessage()
                        .contains(
                                "moe.modalities holds 2, outside the feed-forward towers [0, 2)"
                                        + " of towers [0, 1, 1]"),
                e.getMessage());
    }

    @Test
    void aConfigFileWithBadTowersNamesTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(
                file,
                threeModalities()
                        .build()
                        .toJson()
                        .replaceFirst("\\{", "{\"towers\": [0, 0.5, 1],"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MoTConfig.read(file));
        assertTrue(e.getMessage().startsWith("Invalid MoT config " + file + ": \"towers\""));
    }

    private static void assertMessage(String fragment, String json) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MoTConfig.fromJson(json));
        assertTrue(e.getMessage().contains(fragment), "message was: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("Invalid MoT config"), e.getMessage());
    }
}
