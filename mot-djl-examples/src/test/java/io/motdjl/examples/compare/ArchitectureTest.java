package io.motdjl.examples.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.MoeRouting;
import io.motdjl.config.Untie;
import io.motdjl.train.FlopsAccounting;

import org.junit.jupiter.api.Test;

import java.util.List;

class ArchitectureTest {

    private static final MoTConfig BASE =
            MoTConfig.builder()
                    .vocabSize(64)
                    .dim(32)
                    .nLayers(2)
                    .nHeads(2)
                    .ffnHiddenDim(96)
                    .nModalities(2)
                    .maxSeqLen(16)
                    .build();

    @Test
    void onlyTheExpertChoiceMixturesCannotDraw() {
        for (Architecture a : Architecture.EQUAL_FLOPS) {
            boolean expertChoice = a == Architecture.MOE_4X || a == Architecture.MOT_MOE_TEXT;
            assertEquals(
                    !expertChoice, GeneratedImageQuality.canDraw(a.configure(BASE)), a.label());
        }
        GeneratedImageQuality.requireAllDraw(
                List.of(Architecture.DENSE, Architecture.MOT), BASE, "--quality-curve yes");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                GeneratedImageQuality.requireAllDraw(
                                        Architecture.EQUAL_FLOPS, BASE, "--quality-curve yes"));
        assertTrue(
                e.getMessage().contains("moe-4x, mot-moe-text route by expert choice"),
                e.getMessage());
        assertTrue(e.getMessage().contains("drop --quality-curve yes"), e.getMessage());
    }

    @Test
    void eachArchitectureIsOnePointOfTheConfigFamily() {
        MoTConfig dense = Architecture.DENSE.configure(BASE);
        assertEquals(Untie.NONE, dense.untie());
        assertNull(dense.moe());
        MoTConfig moe = Architecture.MOE_4X.configure(BASE);
        assertEquals(Untie.NONE, moe.untie());
        assertEquals(4, moe.moe().experts());
        assertEquals(MoeRouting.EXPERT_CHOICE, moe.moe().routing());
        assertEquals(1.0, moe.moe().capacityFactor());
        assertEquals(List.of(0), moe.moe().sets());
        MoTConfig mot = Architecture.MOT.configure(moe);
        assertEquals(Untie.ALL, mot.untie());
        assertNull(mot.moe(), "a mixture of the config it came from is replaced");
        MoTConfig hybrid = Architecture.MOT_MOE_TEXT.configure(BASE);
        assertEquals(Untie.ALL, hybrid.untie());
        assertEquals(List.of(Architecture.TEXT), hybrid.moe().sets());
        // width, depth and vocabulary are kept
        for (Architecture a : Architecture.EQUAL_FLOPS) {
            MoTConfig c = a.configure(BASE);
            assertEquals(BASE.dim(), c.dim());
            assertEquals(BASE.nLayers(), c.nLayers());
            assertEquals(BASE.vocabSize(), c.vocabSize());
        }
        // the size claim's dense model: twice as deep, everything tied, about MoT's parameters at
        // twice its FLOPs per token
        MoTConfig deep = Architecture.DENSE_2X.configure(BASE);
        assertEquals(2 * BASE.nLayers(), deep.nLayers());
        assertEquals(Untie.NONE, deep.untie());
        FlopsAccounting denseFlops = FlopsAccounting.of(Architecture.DENSE.configure(BASE));
        assertEquals(
                2 * denseFlops.activeNonEmbeddingParameters(),
                FlopsAccounting.of(deep).activeNonEmbeddingParameters());
    }

    @Test
    void activeParametersPerTokenAreEqualUpToTheRouter() {
        FlopsAccounting dense = FlopsAccounting.of(Architecture.DENSE.configure(BASE));
        long router = BASE.nLayers() * (long) BASE.dim() * Architecture.EXPERTS;
        assertEquals(
                dense.activeNonEmbeddingParameters() + router,
                FlopsAccounting.of(Architecture.MOE_4X.configure(BASE))
                        .activeNonEmbeddingParameters());
        assertEquals(
                dense.activeNonEmbeddingParameters(),
                FlopsAccounting.of(Architecture.MOT.configure(BASE))
                        .activeNonEmbeddingParameters());
        // the hybrid's text tokens pay the router, its image tokens do not
        FlopsAccounting hybrid = FlopsAccounting.of(Architecture.MOT_MOE_TEXT.configure(BASE));
        assertEquals(
                dense.activeNonEmbeddingParameters() + router,
                hybrid.activeNonEmbeddingParameters(0));
        assertEquals(dense.activeNonEmbeddingParameters(), hybrid.activeNonEmbeddingParameters(1));
    }

    @Test
    void listsParseInAFixedOrderWithDenseFirst() {
        assertEquals(Architecture.EQUAL_FLOPS, Architecture.parseList("all"));
        assertEquals(
                List.of(Architecture.DENSE, Architecture.MOT, Architecture.DENSE_2X),
                Architecture.parseList("dense-2x,mot,dense"));
        assertEquals(
                List.of(Architecture.DENSE, Architecture.MOE_4X, Architecture.MOT),
                Architecture.parseList(" MoT , moe-4x,dense"));
        IllegalArgumentException unknown =
                assertThrows(
                        IllegalArgumentException.class, () -> Architecture.parseList("dense,moe"));
        assertTrue(unknown.getMessage().contains("known: dense,moe-4x,mot,mot-moe-text"));
        assertThrows(IllegalArgumentException.class, () -> Architecture.parseList("dense,dense"));
        assertThrows(IllegalArgumentException.class, () -> Architecture.parseList("mot,moe-4x"));
        assertThrows(IllegalArgumentException.class, () -> Architecture.parseList("dense"));
        assertThrows(IllegalArgumentException.class, () -> Architecture.parseList(""));
    }

    @Test
    void theTwoTowerVariantsShareOneTowerBetweenTwoOfThreeModalitiesAtEqualFlops() {
        MoTConfig three = BASE.toBuilder().nModalities(3).build();
        FlopsAccounting dense = FlopsAccounting.of(Architecture.DENSE.configure(three));
        FlopsAccounting mot = FlopsAccounting.of(Architecture.MOT.configure(three));
        assertArrayEquals(new int[] {0, 0, 1}, Architecture.TOWERS_TI.configure(three).towers());
        assertArrayEquals(new int[] {0, 1, 0}, Architecture.TOWERS_TS.configure(three).towers());
        assertArrayEquals(new int[] {0, 1, 1}, Architecture.TOWERS_IS.configure(three).towers());
        for (Architecture a : List.of(Architecture.TOWERS_TI, Architecture.TOWERS_TS)) {
            FlopsAccounting towers = FlopsAccounting.of(a.configure(three));
            assertEquals(2, a.configure(three).numTowers());
            assertTrue(towers.totalParameters() > dense.totalParameters(), a.label());
            assertTrue(towers.totalParameters() < mot.totalParameters(), a.label());
            assertEquals(
                    dense.trainingFlopsPerToken(16), towers.trainingFlopsPerToken(16), a.label());
        }
        assertEquals(
                Architecture.SPEECH_SETTING,
                Architecture.parseList("all", Architecture.SPEECH_SETTING));
        assertEquals(
                List.of(Architecture.DENSE, Architecture.MOT, Architecture.TOWERS_IS),
                Architecture.parseList("towers-is,dense,mot"));
        IllegalArgumentException refused =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                Architecture.requireAmong(
                                        List.of(Architecture.DENSE, Architecture.MOE_4X),
                                        Architecture.SPEECH_SETTING,
                                        "chameleon-speech"));
        assertTrue(
                refused.getMessage().contains("not part of the chameleon-speech setting: moe-4x"),
                refused.getMessage());
        assertFalse(Architecture.twoModalities().contains(Architecture.TOWERS_TI));
    }
}
