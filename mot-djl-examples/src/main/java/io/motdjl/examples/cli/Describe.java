package io.motdjl.examples.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import io.motdjl.config.MoTConfig;

import java.util.Locale;
import java.util.StringJoiner;

/** Short human-readable renderings of configs, counts and losses for the command's output. */
final class Describe {

    private Describe() {}

    /** E.g. {@code 2 modalities, post-norm, qk-norm, interleaved RoPE}. */
    static String config(MoTConfig config) {
        return config.nModalities()
                + " modalities, "
                + normOrder(config)
                + ", "
                + (config.qkNorm() ? "qk-norm" : "no qk-norm")
                + ", "
                + ropeStyle(config)
                + " RoPE";
    }

    static String normOrder(MoTConfig config) {
        return config.normOrder().jsonName() + "-norm";
    }

    static String ropeStyle(MoTConfig config) {
        return config.ropeStyle().jsonName();
    }

    /** How many tokens of each modality {@code modalities (B, T)} holds. */
    static long[] tokensPerModality(NDArray modalities, int numModalities) {
        long[] counts = new long[numModalities];
        for (long m : modalities.toType(DataType.INT64, false).toLongArray()) {
            counts[(int) m]++;
        }
        return counts;
    }

    /** E.g. {@code 20 / 12}, one entry per modality. */
    static String perModality(long[] values) {
        StringJoiner joined = new StringJoiner(" / ");
        for (long v : values) {
            joined.add(Long.toString(v));
        }
        return joined.toString();
    }

    /** E.g. {@code 4.1234 / NaN}, one entry per modality; NaN where it has no target. */
    static String perModality(float[] losses) {
        StringJoiner joined = new StringJoiner(" / ");
        for (float loss : losses) {
            joined.add(loss(loss));
        }
        return joined.toString();
    }

    static String loss(float loss) {
        return Float.isNaN(loss) ? "NaN" : String.format(Locale.ROOT, "%.4f", loss);
    }

    static String error(double error) {
        return String.format(Locale.ROOT, "%.1e", error);
    }
}
