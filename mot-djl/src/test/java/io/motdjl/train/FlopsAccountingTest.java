package io.motdjl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import io.motdjl.config.DiffusionConfig;
import io.motdjl.config.MoTConfig;
import io.motdjl.config.MoeConfig;
import io.motdjl.config.MoeRouting;
import io.motdjl.config.NormOrder;
import io.motdjl.config.Untie;
import io.motdjl.nn.MoTModel;

import org.junit.jupiter.api.Test;

import java.util.List;

class FlopsAccountingTest {

    /** V=100, d=16, L=2, H=4 (hd=4), F=24, two modalities, QK-norm, Chameleon norm order. */
    private static final MoTConfig MOT =
            MoTConfig.builder()
                    .vocabSize(100)
                    .dim(16)
                    .nLayers(2)
                    .nHeads(4)
                    .ffnHiddenDim(24)
                    .nModalities(2)
                    .maxSeqLen(12)
                    .build();

    @Test
    void flopsPerTokenMatchAHandCount() {
        FlopsAccounting f = FlopsAccounting.of(MOT);
        // per layer: attention 4·16·16 = 1024, SwiGLU 3·16·24 = 1152; two layers
        assertEquals(2 * (1024 + 1152), f.activeNonEmbeddingParameters());
        // 2N = 8704; head 2·100·16 = 3200; attention 2 layers · 2·2·12·16 = 1536
        assertEquals(8704 + 3200 + 1536, f.forwardFlopsPerToken(12));
        assertEquals(3L * 13440, f.trainingFlopsPerToken(12));
        assertEquals(40320.0 * 1000, f.trainingFlops(1000, 12), 0.0);
        // the attention term grows with T, the rest does not
        assertEquals(2 * 2 * 2 * 16, f.forwardFlopsPerToken(13) - f.forwardFlopsPerToken(12));
        // printed, it says what it counts (at the config's max_seq_len, 12)
        assertEquals(f.describe(12), f.toString());
        org.junit.jupiter.api.Assertions.assertTrue(
                f.toString().contains("4.032e+04 training FLOPs per token at T=12"), f.toString());
    }

    @Test
    void theConvPatchEncoderChargesEachRowItsShareOfItsImagesConvolutions() {
        // Fashion-MNIST in 4x4 patches: 28x28 pixels, 49 rows of 16 values; C = 32, d = 128
        MoTConfig config =
                MoTConfig.builder()
                        .vocabSize(100)
                        .dim(128)
                        .nLayers(2)
                        .nHeads(4)
                        .ffnHiddenDim(344)
                        .nModalities(2)
                        .maxSeqLen(60)
                        .diffusion(DiffusionConfig.conv(1, 28, 4, 1000, 32))
                        .build();
        FlopsAccounting f = FlopsAccounting.of(config);
        long convIn = 2L * 9 * 1 * 32 * 784; // 3x3, 1 -> 32, at each of 28·28 pixels
        long convMid =
                2L * 9 * 32 * 32 * 784; // 3x3, 32 -> 32 (one in the encoder, one in the head)
        long patchify = 2L * 16 * 32 * 128 * 49; // 4x4 stride 4, 32 -> 128, at each of 7·7 cells
        long unpatchify = 2L * 128 * 32 * 16 * 49; // 128 -> 32 x 4x4 block per cell
        long convOut = 2L * 9 * 32 * 1 * 784; // 3x3, 32 -> 1
        long image = convIn + 2 * convMid + patchify + unpatchify + convOut;
        assertEquals(42_649_600L, image);
        assertEquals(image, f.convImageFlops());
        long timestepMlp = 2L * 2 * 128 * 128;
        assertEquals(image / 49 + timestepMlp, f.adapterAndHeadFlopsPerToken(1));
        assertEquals(935_936L, f.adapterAndHeadFlopsPerToken(1));
        // text keeps its vocabulary head; an image's 49 rows together pay its convolutions once
        assertEquals(2L * 100 * 128, f.adapterAndHeadFlopsPerToken(0));
        int length = 60;
        long trunkPerRow =
                2L * f.activeNonEmbeddingParameters(1) + f.attentionFlopsPerToken(length);
        assertEquals(
                3.0 * (49 * trunkPerRow + image + 49 * timestepMlp),
                f.trainingFlops(new long[] {0, 49}, length),
                0.0);
        // the linear encoder of the same geometry: Linear(16, d), the timestep MLP, Linear(d, 16)
        FlopsAccounting linear =
                FlopsAccounting.of(
                        config.toBuilder()
                                .diffusion(new DiffusionConfig(1, 16, 1000).withGeometry(28, 4))
                                .build());
        assertEquals(
                2L * (16 * 128 + 2 * 128 * 128 + 128 * 16), linear.adapterAndHeadFlopsPerToken(1));
        assertEquals(f.forwardFlopsPerToken(0, length), linear.forwardFlopsPerToken(0, length));
    }

    @Test
    void moTAndDenseHaveEqualFlopsButMoTHasMoreParameters() {
        for (MoTConfig dense :
                List.of(MOT.denseTwin(), MOT.toBuilder().untie(Untie.NONE).build())) {
            FlopsAccounting mot = FlopsAccounting.of(MOT);
            FlopsAccounting d = FlopsAccounting.of(dense);
            for (int t : new int[] {1, 12, 4096}) {
                assertEquals(d.trainingFlopsPerToken(t), mot.trainingFlopsPerToken(t));
            }
            assertEquals(d.activeNonEmbeddingParameters(), mot.activeNonEmbeddingParameters());
            assertTrue(mot.totalParameters() > d.totalParameters());
        }
        // hand count: embeddings 2·100·16 = 3200; per layer per modality 1024 + 1152 + norms
        // (attention and FFN norms 2·16, QK-norms 2·4) = 2216; final norm 16 per modality
        assertEquals(3200 + 2 * 2 * 2216 + 2 * 16, FlopsAccounting.of(MOT).totalParameters());
        assertEquals(3200 + 2 * 2216 + 16, FlopsAccounting.of(MOT.denseTwin()).totalParameters());
    }

    private static MoeConfig moe(MoeRouting routing, int topK, double capacity, int set) {
        return new MoeConfig(4, routing, topK, capacity, List.of(set));
    }

    @Test
    void aMixtureCostsItsActiveExpertsPlusTheRouterForItsOwnModalityOnly() {
        // hybrid: modality 0's feed-forward is a top-2 token-choice mixture of 4 experts
        FlopsAccounting f =
                FlopsAccounting.of(
                        MOT.toBuilder().moe(moe(MoeRouting.TOKEN_CHOICE, 2, 1.0, 0)).build());
        // per layer: attention 1024, two experts 2·1152, router 4·16 = 64
        assertEquals(2 * (1024 + 2 * 1152 + 64), f.activeNonEmbeddingParameters(0));
        assertEquals(2 * (1024 + 1152), f.activeNonEmbeddingParameters(1));
        assertEquals(f.activeNonEmbeddingParameters(0), f.activeNonEmbeddingParameters());
        long text = f.forwardFlopsPerToken(0, 12);
        long image = f.forwardFlopsPerToken(1, 12);
        assertEquals(2L * 2 * (1152 + 64), text - image);
        assertEquals(3.0 * (10 * text + 30 * image), f.trainingFlops(new long[] {10, 30}, 12), 0.0);

        // expert choice at capacity factor 1.25: 1.25 SwiGLUs per row on average, plus the router
        FlopsAccounting ec =
                FlopsAccounting.of(
                        MOT.toBuilder().moe(moe(MoeRouting.EXPERT_CHOICE, 1, 1.25, 1)).build());
        assertEquals(2 * (1024 + 1440 + 64), ec.activeNonEmbeddingParameters(1));
        // without a mixture, counting per modality changes nothing
        FlopsAccounting plain = FlopsAccounting.of(MOT);
        assertEquals(
                plain.trainingFlops(40, 12), plain.trainingFlops(new long[] {10, 30}, 12), 0.0);
    }

    @Test
    void parameterTotalsMatchTheModelForEveryLayout() {
        List<MoTConfig> configs =
                List.of(
                        MOT,
                        MOT.denseTwin(),
                        MOT.toBuilder()
                                .normOrder(NormOrder.PRE)
                                .qkNorm(false)
                                .nModalities(3)
                                .build(),
                        MOT.toBuilder().untie(new Untie(true, false, true)).build(),
                        MOT.toBuilder().untie(new Untie(false, true, false)).build(),
                        MOT.toBuilder().untie(Untie.NONE).build(),
                        MOT.toBuilder().moe(moe(MoeRouting.EXPERT_CHOICE, 1, 1.0, 0)).build(),
                        MOT.toBuilder()
                                .untie(Untie.NONE)
                                .moe(moe(MoeRouting.TOKEN_CHOICE, 2, 1.0, 0))
                                .build());
        for (MoTConfig config : configs) {
            long counted = 0;
            for (Pair<String, Parameter> p : new MoTModel(config).getParameters()) {
                counted += p.getValue().getShape().size();
            }
            FlopsAccounting f = FlopsAccounting.of(config);
            assertEquals(counted, f.totalParameters(), config.toString());
            assertEquals(counted - 2L * 100 * 16, f.nonEmbeddingParameters(), config.toString());
        }
    }
}
