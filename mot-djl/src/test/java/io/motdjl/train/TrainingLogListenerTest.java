package io.motdjl.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.objective.ModalityLosses;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The log line: losses, and the window means of the blocks' auxiliary losses and statistics. */
class TrainingLogListenerTest {

    private static StepReport report(int step, float balance, float[] share, float dropped) {
        Map<String, Float> aux = new LinkedHashMap<>();
        aux.put("layers.0.feed_forward.0.load_balance", balance);
        aux.put("layers.1.feed_forward.0.load_balance", balance + 0.2f);
        Map<String, float[]> stats = new LinkedHashMap<>();
        stats.put("layers.0.feed_forward.0.expert_share", share);
        stats.put("layers.0.feed_forward.0.dropped", new float[] {dropped});
        ModalityLosses losses = ModalityLosses.of(new double[] {2.0, 4.0}, new long[] {1, 2});
        return new StepReport(
                step,
                0,
                2f,
                losses,
                1e-3,
                0.5,
                false,
                3,
                12,
                3L * step,
                1e6 * step,
                1_000_000L,
                aux,
                stats);
    }

    @Test
    void theLineCarriesWindowMeansOfAuxiliaryLossesAndExpertShares() {
        TrainingLogListener listener = new TrainingLogListener(2, List.of("text", "image"));
        listener.add(report(1, 1.0f, new float[] {0.5f, 0.3f, 0.2f}, 0.1f));
        StepReport last = report(2, 1.2f, new float[] {0.3f, 0.3f, 0.4f}, 0.3f);
        listener.add(last);
        String line = listener.line(last);
        // load balance: (1.0 + 1.2 + 1.2 + 1.4) / 4
        assertTrue(line.contains("| aux load_balance 1.2000"), line);
        assertTrue(line.contains("| experts L0/ffn0 share 40/30/30% dropped 0.2"), line);
    }

    @Test
    void withoutBlockFiguresTheLineIsAsBefore() {
        TrainingLogListener listener = new TrainingLogListener(1, List.of());
        ModalityLosses losses = ModalityLosses.of(new double[] {2.0}, new long[] {1});
        StepReport r =
                new StepReport(
                        1,
                        0,
                        2f,
                        losses,
                        1e-3,
                        0.5,
                        false,
                        3,
                        12,
                        3,
                        1e6,
                        1_000_000L,
                        Map.of(),
                        Map.of());
        listener.add(r);
        String line = listener.line(r);
        assertTrue(line.endsWith("training FLOPs"), line);
    }
}
