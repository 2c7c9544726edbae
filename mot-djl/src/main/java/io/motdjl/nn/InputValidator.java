package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.motdjl.config.MoTConfig;

/**
 * Checks a forward pass's inputs against the config before any of them reaches native code, so that
 * bad input is a clear {@link IllegalArgumentException} rather than a crash or a silently wrong
 * answer.
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
    record HostCopies(long[] modalityIds, long[] validTokens) {}

    /** Validates {@code in} and returns what it copied to the host. */
    static HostCopies validate(MoTConfig config, MoTInputs in) {
        NDArray tokens = in.tokens();
        NDArray modalities = in.modalities();
        Shape shape = tokens.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("tokens must have shape (B, T), got " + shape);
        }
        requireInteger("tokens", tokens);
        requireSameShape("modalities", modalities, shape);
        requireInteger("modalities", modalities);
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
            valid = in.validTokens().toType(DataType.INT64, false).toLongArray();
        }
        if (in.imageSpanIds() != null) {
            requireSameShape(MoTInputs.IMAGE_SPAN_IDS, in.imageSpanIds(), shape);
            requireInteger(MoTInputs.IMAGE_SPAN_IDS, in.imageSpanIds());
        }
        if (in.documentIds() != null) {
            requireSameShape(MoTInputs.DOCUMENT_IDS, in.documentIds(), shape);
            requireInteger(MoTInputs.DOCUMENT_IDS, in.documentIds());
        }
        long[] tok = tokens.toType(DataType.INT64, false).toLongArray();
        long[] mod = modalities.toType(DataType.INT64, false).toLongArray();
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
        return new HostCopies(mod, valid);
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
                    name + " must be an integer array (int32 or int64), got " + type);
        }
    }
}
