package io.motdjl.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;

import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;
import io.motdjl.data.TokenSequence;
import io.motdjl.data.TokenSequenceDataset;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** Training data that cannot fit the model is refused when the run starts, not at a later step. */
class TrainingDataCheckTest {

    @Test
    void sequencesLongerThanTheModelAreRefusedAtStart() {
        MoTConfig config = TinyModels.config(2).build(); // max_seq_len 12
        List<TokenSequence> sequences = new ArrayList<>();
        sequences.add(new TokenSequence(new int[12], new int[12], new int[12]));
        sequences.add(new TokenSequence(new int[13], new int[13], new int[13]));
        TokenSequenceDataset data =
                TokenSequenceDataset.builder()
                        .setSequences(sequences)
                        .setSampling(2, false)
                        .build();
        RunOptions quiet =
                RunOptions.builder().device(Device.cpu()).progressBar(false).logEvery(0).build();
        TrainingSettings settings =
                TrainingSettings.builder().seed(1).batchSize(2).totalSteps(1).build();
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TrainingRun.start(config, settings, data, quiet));
        assertTrue(
                e.getMessage().contains("longest sequence has 13 tokens")
                        && e.getMessage().contains("max_seq_len is 12"),
                e.getMessage());
    }
}
