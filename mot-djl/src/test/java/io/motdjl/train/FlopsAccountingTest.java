package io.motdjl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import io.motdjl.config.MoTConfig;
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
                        MOT.toBuilder().untie(Untie.NONE).build());
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
