package io.motdjl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.motdjl.Fuzzing;
import io.motdjl.TinyModels;
import io.motdjl.config.MoTConfig;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Random forward-pass inputs — tokens, modalities, padding masks, image spans, document ids, of
 * random shapes and types, most of them built to satisfy the input contract and then broken in one
 * to three places — against the validator and an independent, brute-force reading of the contract
 * (docs/design.md, "Input contract"): the validator accepts exactly what the contract allows and
 * refuses the rest with an {@link IllegalArgumentException} that names an input. Accepted inputs
 * then run through a tiny model and give finite logits.
 */
class InputValidatorFuzzTest {

    /** Two modalities with token ranges (tokens 0..19 and 20..36). */
    private static final MoTConfig RANGED =
            TinyModels.config(2).modalityTokenRanges(new long[][] {{0, 20}, {20, 37}}).build();

    /** Three modalities, any token in any modality. */
    private static final MoTConfig FREE = TinyModels.config(3).build();

    private static final long[] EDGES = {
        -1, 0, 1, 2, 3, 5, 19, 20, 36, 37, 100, 256, 1L << 31, Long.MAX_VALUE, Long.MIN_VALUE
    };
    private static final List<DataType> TYPES =
            List.of(
                    DataType.INT32,
                    DataType.INT8,
                    DataType.UINT8,
                    DataType.FLOAT32,
                    DataType.FLOAT64,
                    DataType.BOOLEAN);
    private static final Set<DataType> INTEGERS =
            Set.of(DataType.INT64, DataType.INT32, DataType.INT8, DataType.UINT8);
    private static final String NAMES =
            "(tokens|token id|modalities|modality id|sequence length|attention_mask"
                    + "|image_span_ids|document_ids)";

    private static NDManager manager;
    private static MoTModel ranged;
    private static MoTModel free;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
        ranged = TinyModels.model(RANGED, manager, DataType.FLOAT32);
        free = TinyModels.model(FREE, manager, DataType.FLOAT32);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** One input array as generated: values, shape, type. */
    record Array(long[] values, Shape shape, DataType type) {
        NDArray create(NDManager m) {
            NDArray a = m.create(values, shape);
            return type == DataType.INT64 ? a : a.toType(type, false);
        }

        @Override
        public String toString() {
            return type + " " + shape + " " + Arrays.toString(values);
        }
    }

    /** A generated forward pass; the optional arrays may be null. */
    record Case(
            boolean rangedConfig,
            Array tokens,
            Array modalities,
            Array valid,
            Array spans,
            Array documents) {
        MoTConfig config() {
            return rangedConfig ? RANGED : FREE;
        }

        MoTInputs inputs(NDManager m) {
            return new MoTInputs(
                    tokens.create(m),
                    modalities.create(m),
                    spans == null ? null : spans.create(m),
                    valid == null ? null : valid.create(m),
                    documents == null ? null : documents.create(m),
                    null);
        }
    }

    @Test
    void validatorAcceptsExactlyWhatTheContractAllows() {
        Fuzzing.Report report =
                Fuzzing.<Case>of(
                                "inputs",
                                6_000,
                                IllegalArgumentException.class,
                                Duration.ofMinutes(3))
                        .refusalsMatching(".*" + NAMES)
                        .run(
                                InputValidatorFuzzTest::generate,
                                Case::toString,
                                InputValidatorFuzzTest::validate);
        System.out.println(report);
        assertTrue(report.accepted() > report.cases() / 5, report.toString());
        assertTrue(report.refused() > report.cases() / 5, report.toString());
        assertTrue(report.refusals().size() > 15, report.refusals().toString());
    }

    @Test
    void acceptedInputsGiveFiniteLogits() {
        Fuzzing.Report report =
                Fuzzing.<Case>of(
                                "inputs-forward",
                                60,
                                IllegalArgumentException.class,
                                Duration.ofMinutes(3))
                        .refusalsMatching(".*" + NAMES)
                        .run(
                                random -> wellFormed(random, random.nextBoolean()),
                                Case::toString,
                                InputValidatorFuzzTest::forward);
        System.out.println(report);
        assertEquals(report.cases(), report.accepted(), report.toString());
    }

    private static void validate(Case c) {
        try (NDManager m = manager.newSubManager()) {
            MoTInputs in = c.inputs(m);
            boolean allowed = Contract.allows(c.config(), in);
            try {
                InputValidator.validate(c.config(), in);
            } catch (IllegalArgumentException e) {
                assertTrue(!allowed, "the contract allows this input, but: " + e.getMessage());
                throw e;
            }
            assertTrue(allowed, "the validator accepted an input the contract refuses");
        }
    }

    private static void forward(Case c) {
        try (NDManager m = manager.newSubManager()) {
            MoTInputs in = c.inputs(m);
            assertTrue(Contract.allows(c.config(), in), "the generator made a bad input");
            NDArray logits = TinyModels.logits(c.rangedConfig() ? ranged : free, m, in);
            Shape shape = c.tokens().shape();
            assertEquals(new Shape(shape.get(0), shape.get(1), 37), logits.getShape());
            assertTrue(logits.isInfinite().logicalOr(logits.isNaN()).none().getBoolean());
        }
    }

    // ---------------------------------------------------------------- generation

    private static Case generate(Random random) {
        Case c =
                random.nextInt(6) == 0
                        ? unstructured(random, random.nextBoolean())
                        : wellFormed(random, random.nextBoolean());
        if (random.nextInt(3) > 0) {
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                c = mutate(random, c);
            }
        }
        return c;
    }

    /** Arrays of random values with no structure at all. */
    private static Case unstructured(Random random, boolean rangedConfig) {
        int b = 1 + random.nextInt(3);
        int t = 1 + random.nextInt(12);
        Shape shape = new Shape(b, t);
        return new Case(
                rangedConfig,
                new Array(values(random, b * t, 40), shape, DataType.INT64),
                new Array(values(random, b * t, 3), shape, DataType.INT64),
                random.nextBoolean()
                        ? new Array(values(random, b * t, 2), shape, DataType.INT64)
                        : null,
                random.nextBoolean()
                        ? new Array(values(random, b * t, 3), shape, DataType.INT64)
                        : null,
                random.nextBoolean()
                        ? new Array(values(random, b * t, 3), shape, DataType.INT64)
                        : null);
    }

    private static long[] values(Random random, int n, int bound) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextInt(bound);
        }
        return v;
    }

    /**
     * Inputs the contract allows: padding left, right or in holes; documents as runs of the real
     * tokens; spans as runs of one modality inside one document, with fresh ids per row.
     */
    private static Case wellFormed(Random random, boolean rangedConfig) {
        MoTConfig config = rangedConfig ? RANGED : FREE;
        int b = 1 + random.nextInt(3);
        int t = 1 + random.nextInt(config.maxSeqLen());
        int n = b * t;
        long[] valid = new long[n];
        long[] spans = new long[n];
        long[] documents = new long[n];
        long[] modalities = new long[n];
        long[] tokens = new long[n];
        int padding = random.nextInt(4); // none, left, right, holes
        for (int row = 0; row < b; row++) {
            int pad = random.nextInt(t);
            long document = random.nextInt(3);
            long span = 0;
            long spanModality = 0;
            int spanLeft = 0;
            for (int p = 0; p < t; p++) {
                int i = row * t + p;
                boolean real =
                        switch (padding) {
                            case 1 -> p >= pad;
                            case 2 -> p < t - pad;
                            case 3 -> random.nextInt(4) > 0;
                            default -> true;
                        };
                valid[i] = real ? 1 : 0;
                modalities[i] = random.nextInt(config.nModalities());
                if (!real) {
                    spanLeft = 0; // padding ends a span
                    documents[i] = random.nextInt(9);
                } else {
                    if (random.nextInt(5) == 0) {
                        document += 1 + random.nextInt(2); // a new document, never an old id
                        spanLeft = 0;
                    }
                    documents[i] = document;
                    if (spanLeft == 0 && random.nextInt(3) == 0) {
                        span++;
                        spanLeft = 1 + random.nextInt(4);
                        spanModality = random.nextInt(config.nModalities());
                    }
                    if (spanLeft > 0) {
                        spans[i] = span;
                        modalities[i] = spanModality;
                        spanLeft--;
                    }
                }
                tokens[i] = token(random, config, modalities[i]);
            }
        }
        Shape shape = new Shape(b, t);
        return new Case(
                rangedConfig,
                new Array(tokens, shape, DataType.INT64),
                new Array(modalities, shape, DataType.INT64),
                padding == 0 && random.nextBoolean()
                        ? null
                        : new Array(
                                valid,
                                shape,
                                random.nextInt(4) == 0 ? DataType.BOOLEAN : DataType.INT64),
                random.nextInt(4) == 0 ? null : new Array(spans, shape, DataType.INT64),
                random.nextBoolean() ? null : new Array(documents, shape, DataType.INT64));
    }

    private static long token(Random random, MoTConfig config, long modality) {
        long[][] ranges = config.modalityTokenRanges();
        if (ranges == null) {
            return random.nextInt(config.vocabSize());
        }
        long[] r = ranges[(int) modality];
        return r[0] + random.nextInt((int) (r[1] - r[0]));
    }

    /** One change that may break the contract: a value, a type, a shape, an array dropped. */
    private static Case mutate(Random random, Case c) {
        List<Array> arrays =
                new ArrayList<>(
                        Arrays.asList(
                                c.tokens(), c.modalities(), c.valid(), c.spans(), c.documents()));
        int which = random.nextInt(5);
        Array a = arrays.get(which);
        if (a == null || a.values().length == 0) {
            return c;
        }
        long[] v = a.values().clone();
        int at = random.nextInt(v.length);
        Array changed;
        switch (random.nextInt(7)) {
            case 0:
                v[at] = EDGES[random.nextInt(EDGES.length)];
                changed = new Array(v, a.shape(), a.type());
                break;
            case 1:
                v[at] = v[random.nextInt(v.length)]; // an id reused elsewhere
                changed = new Array(v, a.shape(), a.type());
                break;
            case 2:
                v[at] += random.nextBoolean() ? 1 : -1;
                changed = new Array(v, a.shape(), a.type());
                break;
            case 3:
                changed = new Array(v, a.shape(), TYPES.get(random.nextInt(TYPES.size())));
                break;
            case 4:
                {
                    long rows = a.shape().get(0);
                    long cols = a.shape().size() / rows;
                    Shape other =
                            random.nextBoolean() ? new Shape(cols, rows) : new Shape(rows * cols);
                    changed = new Array(v, other, a.type());
                    break;
                }
            case 5:
                changed = which < 2 ? a : null; // an optional array dropped
                break;
            default:
                {
                    // a longer row than the model takes, or an empty one
                    long rows = c.tokens().shape().get(0);
                    int cols = random.nextBoolean() ? 13 : 0;
                    long[] w = new long[(int) rows * cols];
                    return resized(c, rows, cols, w);
                }
        }
        arrays.set(which, changed);
        return new Case(
                c.rangedConfig(),
                arrays.get(0),
                arrays.get(1),
                arrays.get(2),
                arrays.get(3),
                arrays.get(4));
    }

    /** Every array replaced by zeros of shape {@code (rows, cols)}. */
    private static Case resized(Case c, long rows, int cols, long[] zeros) {
        Shape shape = new Shape(rows, cols);
        Array z = new Array(zeros, shape, DataType.INT64);
        return new Case(
                c.rangedConfig(),
                z,
                z,
                c.valid() == null ? null : z,
                c.spans() == null ? null : z,
                c.documents() == null ? null : z);
    }

    // ---------------------------------------------------------------- the contract, by brute force

    /**
     * The contract read literally, with no cleverness: every rule checked over all positions, all
     * pairs and all triples. Written apart from the validator so that the two check each other.
     */
    static final class Contract {

        private Contract() {}

        static boolean allows(MoTConfig config, MoTInputs in) {
            Shape shape = in.tokens().getShape();
            if (shape.dimension() != 2 || shape.get(0) < 1 || shape.get(1) < 1) {
                return false;
            }
            int t = (int) shape.get(1);
            if (t > config.maxSeqLen()) {
                return false;
            }
            if (!fits(in.modalities(), shape, false)
                    || !fits(in.tokens(), shape, false)
                    || (in.validTokens() != null && !fits(in.validTokens(), shape, true))
                    || (in.imageSpanIds() != null && !fits(in.imageSpanIds(), shape, false))
                    || (in.documentIds() != null && !fits(in.documentIds(), shape, false))) {
                return false;
            }
            long[] tok = longs(in.tokens());
            long[] mod = longs(in.modalities());
            long[] valid = in.validTokens() == null ? null : longs(in.validTokens());
            long[] spans = in.imageSpanIds() == null ? null : longs(in.imageSpanIds());
            long[] docs = in.documentIds() == null ? null : longs(in.documentIds());
            for (int i = 0; i < tok.length; i++) {
                boolean real = valid == null || valid[i] == 1;
                if ((valid != null && valid[i] != 0 && valid[i] != 1)
                        || tok[i] < 0
                        || tok[i] >= config.vocabSize()
                        || mod[i] < 0
                        || mod[i] >= config.nModalities()
                        || (real && !inRange(config, tok[i], mod[i]))
                        || (spans != null && (spans[i] < 0 || (!real && spans[i] != 0)))
                        || (docs != null && docs[i] < 0)) {
                    return false;
                }
            }
            for (int row = 0; row < shape.get(0); row++) {
                int o = row * t;
                for (int i = 0; i < t; i++) {
                    for (int j = i + 1; j < t; j++) {
                        boolean bothReal =
                                valid == null || (valid[o + i] == 1 && valid[o + j] == 1);
                        if (spans != null && spans[o + i] > 0 && spans[o + i] == spans[o + j]) {
                            if (mod[o + i] != mod[o + j]
                                    || (docs != null && docs[o + i] != docs[o + j])) {
                                return false;
                            }
                        }
                        for (int k = j + 1; k < t; k++) {
                            if (spans != null
                                    && spans[o + i] > 0
                                    && spans[o + i] == spans[o + k]
                                    && spans[o + j] != spans[o + i]) {
                                return false; // a span in two runs
                            }
                            boolean allReal = bothReal && (valid == null || valid[o + k] == 1);
                            if (docs != null
                                    && allReal
                                    && docs[o + i] == docs[o + k]
                                    && docs[o + j] != docs[o + i]) {
                                return false; // a document in two runs
                            }
                        }
                    }
                }
            }
            return true;
        }

        private static boolean inRange(MoTConfig config, long token, long modality) {
            long[][] ranges = config.modalityTokenRanges();
            return ranges == null
                    || (token >= ranges[(int) modality][0] && token < ranges[(int) modality][1]);
        }

        private static boolean fits(NDArray a, Shape shape, boolean booleanAllowed) {
            DataType type = a.getDataType();
            return a.getShape().equals(shape)
                    && (INTEGERS.contains(type) || (booleanAllowed && type == DataType.BOOLEAN));
        }

        private static long[] longs(NDArray a) {
            try (NDArray copy = a.toType(DataType.INT64, true)) {
                return copy.toLongArray();
            }
        }
    }
}
