package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.motdjl.config.MoTConfig;

/**
 * Checks a forward pass's inputs against the input contract (docs/design.md, "Input contract")
 * before any of them reaches native code, so that bad input is a clear {@link
 * IllegalArgumentException} naming the array, the position, the value and the rule, rather than a
 * crash or a silently different answer. Shapes, types and id ranges are checked here; the layout of
 * image spans and packed documents in {@link SegmentRules}.
 */
final class InputValidator {

    private InputValidator() {}

    /**
     * What validation copied to the host (row-major), for the forward pass to reuse.
     *
     * @param modalityIds the modality id of every token
     * @param validTokens 1 for a real token, 0 for padding; null when the inputs have no padding
     *     mask
     */
    record HostCopies(long[] modalityIds, long[] validTokens, long[] imageSpanIds) {}

    /** Validates {@code in} and returns what it copied to the host. */
    static HostCopies validate(MoTConfig config, MoTInputs in) {
        NDArray tokens = in.tokens();
        NDArray modalities = in.modalities();
        Shape shape = tokens.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("tokens must have shape (B, T), got " + shape);
        }
        requireInteger(MoTInputs.TOKENS, tokens);
        requireSameShape(MoTInputs.MODALITIES, modalities, shape);
        requireInteger(MoTInputs.MODALITIES, modalities);
        long batch = shape.get(0);
        long length = shape.get(1);
        if (batch < 1 || length < 1) {
            throw new IllegalArgumentException(
                    "tokens must hold at least one token per row and one row, got shape " + shape);
        }
        if (length > config.maxSeqLen()) {
            throw new IllegalArgumentException(
                    "sequence length "
                            + length
                            + " exceeds the model's max_seq_len "
                            + config.maxSeqLen());
        }
        long[] valid = null;
        if (in.validTokens() != null) {
            requireSameShape(MoTInputs.VALID_TOKENS, in.validTokens(), shape);
            DataType type = in.validTokens().getDataType();
            if (!type.isInteger() && type != DataType.BOOLEAN) {
                throw new IllegalArgumentException(
                        MoTInputs.VALID_TOKENS
                                + " must be an integer or boolean array (1 = real token, 0 ="
                                + " padding), got "
                                + type);
            }
            valid = hostCopy(in.validTokens());
            requireZeroOrOne(valid, length);
        }
        long[] spans = null;
        if (in.imageSpanIds() != null) {
            requireSameShape(MoTInputs.IMAGE_SPAN_IDS, in.imageSpanIds(), shape);
            requireInteger(MoTInputs.IMAGE_SPAN_IDS, in.imageSpanIds());
            spans = hostCopy(in.imageSpanIds());
        }
        long[] documents = null;
        if (in.documentIds() != null) {
            requireSameShape(MoTInputs.DOCUMENT_IDS, in.documentIds(), shape);
            requireInteger(MoTInputs.DOCUMENT_IDS, in.documentIds());
            documents = hostCopy(in.documentIds());
        }
        long[] tok = hostCopy(tokens);
        long[] mod = hostCopy(modalities);
        checkTokens(config, tok, mod, valid, length);
        SegmentRules rules = new SegmentRules((int) length, mod, valid);
        if (documents != null) {
            rules.checkDocuments(documents);
        }
        if (spans != null) {
            rules.checkSpans(spans, documents);
        }
        return new HostCopies(mod, valid, spans);
    }

    private static void checkTokens(
            MoTConfig config, long[] tok, long[] mod, long[] valid, long length) {
        long[][] ranges = config.modalityTokenRanges();
        for (int i = 0; i < tok.length; i++) {
            long b = i / length;
            long t = i % length;
            if (tok[i] < 0 || tok[i] >= config.vocabSize()) {
                throw new IllegalArgumentException(
                        "token id "
                                + tok[i]
                                + " at ("
                                + b
                                + ", "
                                + t
                                + ") is outside the vocabulary [0, "
                                + config.vocabSize()
                                + ")");
            }
            if (mod[i] < 0 || mod[i] >= config.nModalities()) {
                throw new IllegalArgumentException(
                        "modality id "
                                + mod[i]
                                + " at ("
                                + b
                                + ", "
                                + t
                                + ") is outside [0, "
                                + config.nModalities()
                                + ")");
            }
            boolean isPadding = valid != null && valid[i] == 0;
            if (ranges != null && !isPadding) {
                long[] r = ranges[(int) mod[i]];
                if (tok[i] < r[0] || tok[i] >= r[1]) {
                    throw new IllegalArgumentException(
                            "token id "
                                    + tok[i]
                                    + " at ("
                                    + b
                                    + ", "
                                    + t
                                    + ") is outside modality "
                                    + mod[i]
                                    + "'s token range ["
                                    + r[0]
                                    + ", "
                                    + r[1]
                                    + ")");
                }
            }
        }
    }

    /**
     * A padding mask of other values would disagree with itself: the attention mask reads any
     * non-zero value as "real", the loss would weight the token by the value.
     */
    private static void requireZeroOrOne(long[] valid, long length) {
        for (int i = 0; i < valid.length; i++) {
            if (valid[i] != 0 && valid[i] != 1) {
                throw new IllegalArgumentException(
                        MoTInputs.VALID_TOKENS
                                + " value "
                                + valid[i]
                                + " at ("
                                + i / length
                                + ", "
                                + i % length
                                + ") is neither 1 (real token) nor 0 (padding)");
            }
        }
    }

    /** The array's values as int64, row-major; a converted temporary is closed again. */
    private static long[] hostCopy(NDArray array) {
        if (array.getDataType() == DataType.INT64) {
            return array.toLongArray();
        }
        try (NDArray converted = array.toType(DataType.INT64, true)) {
            return converted.toLongArray();
        }
    }

    private static void requireSameShape(String name, NDArray array, Shape expected) {
        if (!array.getShape().equals(expected)) {
            throw new IllegalArgumentException(
                    name
                            + " must have the same shape as tokens "
                            + expected
                            + ", got "
                            + array.getShape());
        }
    }

    private static void requireInteger(String name, NDArray array) {
        DataType type = array.getDataType();
        if (!type.isInteger()) {
            throw new IllegalArgumentException(
                    name + " must be an integer array (int64, int32, ...), got " + type);
        }
    }
}
