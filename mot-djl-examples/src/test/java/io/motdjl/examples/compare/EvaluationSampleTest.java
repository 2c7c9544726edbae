package io.motdjl.examples.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.data.TokenSequence;
import io.motdjl.data.TokenSequenceDataset;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** The held-out sample a comparison scores when a held-out set is larger than it needs. */
class EvaluationSampleTest {

    /** Sequence i holds the single token i. */
    private static TokenSequenceDataset numbered(int n) {
        List<TokenSequence> sequences = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sequences.add(new TokenSequence(new int[] {i}, new int[] {0}, new int[] {0}));
        }
        return TokenSequenceDataset.builder().setSequences(sequences).setSampling(4, false).build();
    }

    private static int[] tokens(TokenSequenceDataset set) {
        int[] out = new int[(int) set.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = set.sequence(i).token(0);
        }
        return out;
    }

    @Test
    void aLargeSetIsSampledWithoutRepeatsInItsOwnOrder() {
        TokenSequenceDataset set = numbered(50);
        int[] sample = tokens(ChameleonComparison.sample(set, 20, 3));
        assertEquals(20, sample.length);
        for (int i = 1; i < sample.length; i++) {
            assertTrue(sample[i] > sample[i - 1], "increasing, so no repeats and set order");
        }
        assertTrue(sample[sample.length - 1] >= 20, "a random sample, not the first 20");
        assertArrayEquals(sample, tokens(ChameleonComparison.sample(set, 20, 3)));
        assertNotEquals(
                java.util.Arrays.toString(sample),
                java.util.Arrays.toString(tokens(ChameleonComparison.sample(set, 20, 4))));
    }

    @Test
    void aSmallSetIsKeptWhole() {
        assertArrayEquals(
                new int[] {0, 1, 2, 3, 4, 5},
                tokens(ChameleonComparison.sample(numbered(6), 6, 1)));
        assertArrayEquals(
                new int[] {0, 1, 2}, tokens(ChameleonComparison.sample(numbered(3), 20, 1)));
    }
}
