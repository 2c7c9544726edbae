package io.motdjl.examples.chameleon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Record;

import io.motdjl.config.MoTConfig;
import io.motdjl.config.Untie;
import io.motdjl.data.ChameleonSequenceBuilder;
import io.motdjl.data.DenseInputs;
import io.motdjl.data.Direction;
import io.motdjl.data.TokenSequence;
import io.motdjl.data.TokenSequenceDataset;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.objective.LossValue;
import io.motdjl.objective.NextTokenLoss;
import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.tokenize.PatchKMeansTokenizer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

class ChameleonDataTest {

    private static final long SEED = 5;

    private static ChameleonData data;

    @BeforeAll
    static void build() {
        data =
                ChameleonData.build(
                        TestTokenizers.split(),
                        TestTokenizers.standard(),
                        ChameleonData.Options.defaults(SEED).withBatchSize(16));
    }

    @Test
    void sizesAndVocabulary() {
        assertEquals(9000, data.train().size());
        assertEquals(1000, data.heldOut().size());
        assertEquals(9000, data.trainExamples().size());
        assertEquals(517, data.vocabulary().vocabSize());
        // BOS, BOI, 49 codes, EOI, EOS and the longest caption
        int longestCaption = 0;
        for (ChameleonExample e : data.trainExamples()) {
            longestCaption = Math.max(longestCaption, e.caption().length());
        }
        assertEquals(53 + longestCaption, data.maxSequenceLength());
    }

    @Test
    void everyRecordIsWellFormedInBothDirections() {
        JointVocabulary vocabulary = data.vocabulary();
        int[] directions = new int[2];
        List<ChameleonExample> all = new ArrayList<>(data.trainExamples());
        all.addAll(data.heldOutExamples());
        for (ChameleonExample example : all) {
            TokenSequence s = example.sequence();
            directions[example.direction().ordinal()]++;
            int[] tokens = s.tokens();
            int captionLength = JointVocabulary.encodeText(example.caption()).length;
            assertEquals(captionLength + 49 + 4, s.length());
            assertEquals(JointVocabulary.BOS, tokens[0]);
            assertEquals(JointVocabulary.EOS, tokens[tokens.length - 1]);
            int boi = example.direction() == Direction.CAPTION_TO_IMAGE ? 1 + captionLength : 1;
            int captionStart = example.direction() == Direction.CAPTION_TO_IMAGE ? 1 : boi + 51;
            assertEquals(JointVocabulary.BOI, tokens[boi]);
            assertEquals(JointVocabulary.EOI, tokens[boi + 50]);
            assertEquals(
                    example.caption(),
                    JointVocabulary.decodeText(
                            Arrays.copyOfRange(
                                    tokens, captionStart, captionStart + captionLength)));
            assertTrue(
                    example.caption().contains(FashionMnist.captionName(example.label())),
                    example.caption());
            for (int t = 0; t < s.length(); t++) {
                boolean code = t > boi && t < boi + 50;
                assertEquals(vocabulary.modalityOf(tokens[t]), s.modality(t));
                assertEquals(code ? JointVocabulary.IMAGE : JointVocabulary.TEXT, s.modality(t));
                assertEquals(code ? ChameleonSequenceBuilder.IMAGE_SPAN_ID : 0, s.imageSpanId(t));
                assertEquals(code, vocabulary.isImageToken(tokens[t]), "position " + t);
            }
        }
        // alternating directions: an exact half of each part
        assertEquals(5000, directions[0]);
        assertEquals(5000, directions[1]);
    }

    @Test
    void imageCodesAreTheTokenizersCodes() {
        FashionMnist heldOut = TestTokenizers.split().heldOut();
        for (int i = 0; i < 20; i++) {
            ChameleonExample example = data.heldOutExamples().get(i);
            assertEquals(i, example.sourceIndex());
            assertEquals(heldOut.label(i), example.label());
            int[] tokens = example.sequence().tokens();
            int boi = indexOf(tokens, JointVocabulary.BOI);
            int[] codes =
                    data.vocabulary().imageCodes(Arrays.copyOfRange(tokens, boi + 1, boi + 50));
            assertArrayEquals(TestTokenizers.standard().encode(heldOut.image(i)), codes);
        }
    }

    @Test
    void datasetRecordsMatchTheSequences() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Record record = data.heldOut().get(manager, 3);
            TokenSequence s = data.heldOut().sequence(3);
            NDList x = record.getData();
            // the Chameleon setting is causal: no image spans unless asked for
            assertEquals(2, x.size());
            assertArrayEquals(longs(s.tokens()), x.get(MoTInputs.TOKENS).toLongArray());
            assertArrayEquals(longs(s.modalities()), x.get(MoTInputs.MODALITIES).toLongArray());
            NDList withSpans = spanDataset().get(manager, 3).getData();
            assertEquals(3, withSpans.size());
            assertArrayEquals(
                    longs(s.imageSpanIds()), withSpans.get(MoTInputs.IMAGE_SPAN_IDS).toLongArray());
            NDList y = record.getLabels();
            assertEquals(2, y.size());
            assertArrayEquals(longs(s.tokens()), y.get(MoTInputs.TOKENS).toLongArray());
            assertThrows(IndexOutOfBoundsException.class, () -> data.heldOut().get(manager, 1000));
        }
    }

    @Test
    void batchesArePaddedWithMasks() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            int batches = 0;
            long records = 0;
            for (Batch batch : data.heldOut().getData(manager)) {
                try (batch) {
                    checkBatch(batch);
                    records += batch.getSize();
                    batches++;
                }
            }
            assertEquals(1000, records);
            assertEquals(63, batches); // 62 of 16 and one of 8
            for (Batch batch : spanDataset().getData(manager)) {
                try (batch) {
                    assertTrue(MoTInputs.from(batch.getData()).imageSpanIds() != null);
                    checkBatch(batch);
                }
            }
        }
    }

    private TokenSequenceDataset spanDataset() {
        return TokenSequenceDataset.builder()
                .setSequences(data.heldOut().sequences())
                .optImageSpans(true)
                .setSampling(16, false)
                .build();
    }

    private static void checkBatch(Batch batch) {
        MoTInputs inputs = MoTInputs.from(batch.getData());
        NDList labels = batch.getLabels();
        long[] tokens = inputs.tokens().toLongArray();
        long[] modalities = inputs.modalities().toLongArray();
        long[] spans =
                inputs.imageSpanIds() == null
                        ? new long[(int) inputs.tokens().size()]
                        : inputs.imageSpanIds().toLongArray();
        long[] valid = inputs.validTokens().toLongArray();
        int rows = (int) inputs.tokens().getShape().get(0);
        int length = (int) inputs.tokens().getShape().get(1);
        assertEquals(batch.getSize(), rows);
        assertArrayEquals(tokens, labels.get(0).toLongArray());
        assertArrayEquals(modalities, labels.get(1).toLongArray());
        assertArrayEquals(valid, labels.get(2).toLongArray());
        int longest = 0;
        for (int b = 0; b < rows; b++) {
            int n = 0;
            for (int t = 0; t < length; t++) {
                int i = b * length + t;
                if (valid[i] == 1) {
                    assertEquals(t, n++, "real tokens come first");
                    assertEquals(data.vocabulary().modalityOf((int) tokens[i]), modalities[i]);
                } else {
                    assertEquals(JointVocabulary.PAD, tokens[i]);
                    assertEquals(JointVocabulary.TEXT, modalities[i]);
                    assertEquals(0, spans[i]);
                }
            }
            assertEquals(JointVocabulary.EOS, tokens[b * length + n - 1]);
            longest = Math.max(longest, n);
        }
        assertEquals(length, longest, "padded to the longest sequence of the batch");
    }

    @Test
    void trainingOrderIsReproducibleForTheSeed() throws Exception {
        FashionMnist images = BundledFashionMnist.get().head(1000);
        ChameleonData a = smallData(images, SEED);
        ChameleonData b = smallData(images, SEED);
        ChameleonData c = smallData(images, SEED + 1);
        try (NDManager manager = NDManager.newBaseManager()) {
            List<long[]> first = firstBatches(a, manager);
            List<long[]> same = firstBatches(b, manager);
            for (int i = 0; i < first.size(); i++) {
                assertArrayEquals(first.get(i), same.get(i), "batch " + i);
            }
            assertFalse(
                    Arrays.equals(first.get(0), firstBatches(c, manager).get(0)),
                    "another seed, another order");
            // the next epoch of the same dataset is shuffled differently
            List<long[]> secondEpoch = firstBatches(a, manager);
            assertFalse(Arrays.equals(first.get(0), secondEpoch.get(0)));
            assertArrayEquals(secondEpoch.get(0), firstBatches(b, manager).get(0));
        }
    }

    private static ChameleonData smallData(FashionMnist images, long seed) {
        return ChameleonData.build(
                images,
                TestTokenizers.standard(),
                ChameleonData.Options.defaults(seed).withBatchSize(16));
    }

    /** Tokens of the first three batches of a new training epoch. */
    private static List<long[]> firstBatches(ChameleonData d, NDManager manager) throws Exception {
        List<long[]> out = new ArrayList<>();
        for (Batch batch : d.train().getData(manager)) {
            try (batch) {
                out.add(batch.getData().get(0).toLongArray());
            }
            if (out.size() == 3) {
                break;
            }
        }
        return out;
    }

    @Test
    void aBatchRunsThroughTinyMoTAndDenseModels() throws Exception {
        MoTConfig mot = data.applyTo(tiny()).build();
        assertArrayEquals(data.vocabulary().modalityTokenRanges()[1], mot.modalityTokenRanges()[1]);
        MoTConfig tiedDense = mot.toBuilder().untie(Untie.NONE).build();
        MoTConfig oneModalityDense = mot.denseTwin();
        try (NDManager manager = NDManager.newBaseManager()) {
            Batch batch = data.train().getData(manager).iterator().next();
            try (batch) {
                NDList labels = batch.getLabels();
                NDArray motLogits = forward(mot, manager, batch.getData());
                checkLoss(mot, motLogits, labels);
                checkLoss(tiedDense, forward(tiedDense, manager, batch.getData()), labels);
                // M = 1 accepts only modality 0: collapse the inputs, keep the labels' modalities
                NDList collapsed = DenseInputs.collapseModalities(batch.getData());
                assertEquals(0, collapsed.get(1).max().getLong());
                assertEquals(MoTInputs.MODALITIES, collapsed.get(1).getName());
                assertTrue(batch.getData().get(1).max().getLong() == 1, "input left alone");
                checkLoss(oneModalityDense, forward(oneModalityDense, manager, collapsed), labels);
                assertThrows(
                        IllegalArgumentException.class,
                        () -> forward(oneModalityDense, manager, batch.getData()));
            }
        }
    }

    /** A tiny model: width 16, 2 layers, 4 heads, SwiGLU 24, two modalities. */
    private static MoTConfig.Builder tiny() {
        return MoTConfig.builder().dim(16).nLayers(2).nHeads(4).ffnHiddenDim(24).nModalities(2);
    }

    private static NDArray forward(MoTConfig config, NDManager manager, NDList inputs) {
        MoTModel model = new MoTModel(config);
        model.initialize(manager, DataType.FLOAT32, new Shape(1, 1), new Shape(1, 1));
        return model.forward(new ParameterStore(manager, false), inputs, false).singletonOrThrow();
    }

    private static void checkLoss(MoTConfig config, NDArray logits, NDList labels) {
        Shape tokens = labels.get(0).getShape();
        assertEquals(
                new Shape(tokens.get(0), tokens.get(1), config.vocabSize()), logits.getShape());
        LossValue loss =
                NextTokenLoss.compute(logits, labels.get(0), labels.get(1), labels.get(2), 2);
        float mean = loss.mean().getFloat();
        // an untrained model is near log(V)
        assertEquals(Math.log(config.vocabSize()), mean, 0.5);
        float[] counts = loss.perModalityCount().toFloatArray();
        assertTrue(counts[0] > 0 && counts[1] > 0, Arrays.toString(counts));
        for (float perModality : loss.perModality().toFloatArray()) {
            assertTrue(Float.isFinite(perModality), "per-modality loss " + perModality);
        }
    }

    @Test
    void buildSplitsUnsplitDataWithTheSeed() {
        FashionMnist small = BundledFashionMnist.get().head(200);
        PatchKMeansTokenizer tokenizer = TestTokenizers.standard();
        ChameleonData.Options options =
                ChameleonData.Options.defaults(3)
                        .withHeldOutFraction(0.25)
                        .withDirections(DirectionSchedule.IMAGE_TO_CAPTION_ONLY);
        ChameleonData built = ChameleonData.build(small, tokenizer, options);
        assertEquals(150, built.train().size());
        assertEquals(50, built.heldOut().size());
        FashionMnist.Split split = small.split(0.25, 3);
        assertEquals(split.heldOut().label(7), built.heldOutExamples().get(7).label());
        for (ChameleonExample e : built.trainExamples()) {
            assertEquals(Direction.IMAGE_TO_CAPTION, e.direction());
        }
        assertNotNull(ChameleonData.build(small, tokenizer, 3).vocabulary());
        assertThrows(
                IllegalArgumentException.class,
                () -> ChameleonData.Options.defaults(0).withBatchSize(0));
    }

    @Test
    void proseSequencesJoinTrainingAtTheirShareAndGetTheirOwnHeldOutSet() throws Exception {
        FashionMnist small = BundledFashionMnist.get().head(200);
        FashionMnist.Split split = small.split(0.25, 3);
        ProseCorpus.Split prose = ProseCorpus.bundled().split(0.1, 3);
        ChameleonData.Options options =
                ChameleonData.Options.defaults(3).withBatchSize(8).withProseFraction(0.75);
        ChameleonData built = ChameleonData.build(split, TestTokenizers.standard(), options, prose);
        // 150 image examples at 75 % prose: 450 prose sequences
        assertEquals(450, built.trainProseSequences());
        assertEquals(600, built.train().size());
        assertEquals(150, built.trainExamples().size());
        assertTrue(built.hasProse());
        assertEquals(50, built.heldOutProse().size(), "as many as held-out images");
        int longestImageSequence = 0;
        for (ChameleonExample e : built.trainExamples()) {
            longestImageSequence = Math.max(longestImageSequence, e.sequence().length());
        }
        assertEquals(longestImageSequence, built.maxSequenceLength(), "prose fits the same length");
        // records past the image examples are text only, start with BOS and decode as prose
        Set<String> heldOutText = new HashSet<>();
        for (ProseCorpus.Document d : prose.heldOut().documents()) {
            heldOutText.add(d.text());
        }
        for (int i = 150; i < 160; i++) {
            TokenSequence sequence = built.train().sequence(i);
            int[] tokens = sequence.tokens();
            assertEquals(JointVocabulary.BOS, tokens[0]);
            for (int m : sequence.modalities()) {
                assertEquals(JointVocabulary.TEXT, m);
            }
            boolean ends = tokens[tokens.length - 1] == JointVocabulary.EOS;
            String text =
                    JointVocabulary.decodeText(
                            Arrays.copyOfRange(tokens, 1, tokens.length - (ends ? 1 : 0)));
            assertFalse(text.isEmpty());
            for (String held : heldOutText) {
                assertFalse(held.contains(text), "held-out prose in training: " + text);
            }
        }
        // the same seed gives the same data; no prose without a corpus
        ChameleonData again = ChameleonData.build(split, TestTokenizers.standard(), options, prose);
        assertArrayEquals(
                built.train().sequence(170).tokens(), again.train().sequence(170).tokens());
        IllegalArgumentException missing =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ChameleonData.build(split, TestTokenizers.standard(), options));
        assertTrue(missing.getMessage().contains("needs prose documents"), missing.getMessage());
        assertFalse(data.hasProse());
        assertThrows(IllegalStateException.class, data::heldOutProse);
        assertThrows(
                IllegalArgumentException.class,
                () -> ChameleonData.Options.defaults(0).withProseFraction(1.0));
    }

    private static long[] longs(int[] values) {
        return Arrays.stream(values).asLongStream().toArray();
    }

    private static int indexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
