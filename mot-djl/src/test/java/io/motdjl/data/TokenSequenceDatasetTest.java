package io.motdjl.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Record;

import io.motdjl.nn.MoTInputs;
import io.motdjl.tokenize.JointVocabulary;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A dataset of caption-image sequences built here: four codes per image, short captions. */
class TokenSequenceDatasetTest {

    private static final JointVocabulary VOCABULARY = new JointVocabulary(16);

    private static List<TokenSequence> sequences(int n) {
        ChameleonSequenceBuilder builder = new ChameleonSequenceBuilder(VOCABULARY);
        List<TokenSequence> sequences = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] codes = {i % 16, (i + 3) % 16, (i * 5) % 16, 7};
            Direction direction =
                    i % 2 == 0 ? Direction.CAPTION_TO_IMAGE : Direction.IMAGE_TO_CAPTION;
            sequences.add(builder.build("item " + "x".repeat(i % 5), codes, direction));
        }
        return sequences;
    }

    @Test
    void recordsMatchTheSequences() {
        List<TokenSequence> sequences = sequences(10);
        TokenSequenceDataset plain =
                TokenSequenceDataset.builder()
                        .setSequences(sequences)
                        .setSampling(4, false)
                        .build();
        TokenSequenceDataset withSpans =
                TokenSequenceDataset.builder()
                        .setSequences(sequences)
                        .optImageSpans(true)
                        .setSampling(4, false)
                        .build();
        assertEquals(10, plain.size());
        assertEquals(
                sequences.stream().mapToInt(TokenSequence::length).max().orElseThrow(),
                plain.maxLength());
        try (NDManager manager = NDManager.newBaseManager()) {
            TokenSequence s = sequences.get(3);
            Record record = plain.get(manager, 3);
            NDList x = record.getData();
            // causal by default: no image spans unless asked for
            assertEquals(2, x.size());
            assertArrayEquals(longs(s.tokens()), x.get(MoTInputs.TOKENS).toLongArray());
            assertArrayEquals(longs(s.modalities()), x.get(MoTInputs.MODALITIES).toLongArray());
            NDList spans = withSpans.get(manager, 3).getData();
            assertEquals(3, spans.size());
            assertArrayEquals(
                    longs(s.imageSpanIds()), spans.get(MoTInputs.IMAGE_SPAN_IDS).toLongArray());
            NDList y = record.getLabels();
            assertEquals(2, y.size());
            assertArrayEquals(longs(s.tokens()), y.get(MoTInputs.TOKENS).toLongArray());
            assertThrows(IndexOutOfBoundsException.class, () -> plain.get(manager, 10));
        }
        assertThrows(
                NullPointerException.class,
                () -> TokenSequenceDataset.builder().setSequences(sequences).build());
    }

    @Test
    void batchesArePaddedInOrder() throws Exception {
        List<TokenSequence> sequences = sequences(10);
        TokenSequenceDataset dataset =
                TokenSequenceDataset.builder()
                        .setSequences(sequences)
                        .optImageSpans(true)
                        .setSampling(4, false)
                        .build();
        try (NDManager manager = NDManager.newBaseManager()) {
            int record = 0;
            int batches = 0;
            for (Batch batch : dataset.getData(manager)) {
                try (batch) {
                    MoTInputs inputs = MoTInputs.from(batch.getData());
                    assertNotNull(inputs.imageSpanIds());
                    assertArrayEquals(
                            inputs.tokens().toLongArray(), batch.getLabels().get(0).toLongArray());
                    int rows = (int) inputs.tokens().getShape().get(0);
                    int length = (int) inputs.tokens().getShape().get(1);
                    long[] tokens = inputs.tokens().toLongArray();
                    long[] valid = inputs.validTokens().toLongArray();
                    for (int b = 0; b < rows; b++, record++) {
                        int[] expected = sequences.get(record).tokens();
                        long[] row = Arrays.copyOfRange(tokens, b * length, (b + 1) * length);
                        for (int t = 0; t < length; t++) {
                            boolean real = t < expected.length;
                            assertEquals(real ? 1 : 0, valid[b * length + t]);
                            assertEquals(real ? expected[t] : JointVocabulary.PAD, row[t]);
                        }
                    }
                    batches++;
                }
            }
            assertEquals(10, record);
            assertEquals(3, batches); // 4 + 4 + 2
        }
        TokenSequenceDataset causal =
                TokenSequenceDataset.builder()
                        .setSequences(sequences)
                        .setSampling(4, false)
                        .build();
        try (NDManager manager = NDManager.newBaseManager()) {
            Batch batch = causal.getData(manager).iterator().next();
            try (batch) {
                assertNull(MoTInputs.from(batch.getData()).imageSpanIds());
            }
        }
    }

    private static long[] longs(int[] values) {
        return Arrays.stream(values).asLongStream().toArray();
    }
}
