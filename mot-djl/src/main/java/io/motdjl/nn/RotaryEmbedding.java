package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.motdjl.config.RopeStyle;
import io.motdjl.util.NativeArrays;

/**
 * Rotary position embedding. Channel pair {@code i} of a head rotates by angle {@code pos ·
 * theta^(-2i/headDim)}; the pairs are {@code (2i, 2i+1)} ({@link RopeStyle#INTERLEAVED}) or {@code
 * (i, i + headDim/2)} ({@link RopeStyle#HALF}).
 *
 * <p>The rotation is computed as {@code x·C + swap(x)·S}, where {@code swap} exchanges the two
 * channels of every pair, {@code C} holds each pair's cosine on both channels and {@code S} its
 * sine with the sign of the rotation ({@code -sin} on the first channel, {@code +sin} on the
 * second): four array operations rather than eight.
 */
public final class RotaryEmbedding {

    private RotaryEmbedding() {}

    /**
     * The tables of consecutive positions, for queries and keys side by side.
     *
     * @param style the pairing convention
     * @param qkCos each pair's cosine on both its channels, {@code (2, 1, 1, T, headDim)} to
     *     broadcast against queries and keys {@code (2, B, H, T, headDim)}: index 0 for queries,
     *     multiplied by the attention scale {@code 1/sqrt(headDim)}; index 1 for keys
     * @param qkSin each pair's sine, negated on its first channel, laid out and scaled likewise
     */
    public record Tables(RopeStyle style, NDArray qkCos, NDArray qkSin) {

        /**
         * The tables of {@code length} positions from {@code start} of these (views, no copy),
         * owned by {@code manager}: a cached decoding step takes its position's rows of tables made
         * once for the whole cache.
         *
         * @param start the first position, relative to these tables' first
         * @param length positions
         * @param manager owner of the returned arrays (the pass's)
         * @return the sliced tables
         */
        public Tables slice(long start, long length, NDManager manager) {
            NDIndex rows = new NDIndex().addAllDim(3).addSliceDim(start, start + length);
            NDArray cos = qkCos.get(rows);
            NDArray sin = qkSin.get(rows);
            cos.attach(manager);
            sin.attach(manager);
            return new Tables(style, cos, sin);
        }
    }

    /**
     * Builds the tables for positions {@code 0..length-1}. Angles (and the attention scale folded
     * into the query tables) are computed in double precision and then rounded to {@code type}, so
     * float32 tables are as exact as they can be.
     *
     * @param manager owner of the tables
     * @param length positions
     * @param headDim channels per head (even)
     * @param theta the RoPE base
     * @param style the pairing convention
     * @param type the floating type of the tables
     * @return the tables
     */
    public static Tables tables(
            NDManager manager,
            int length,
            int headDim,
            double theta,
            RopeStyle style,
            DataType type) {
        int half = headDim / 2;
        double scale = 1.0 / Math.sqrt(headDim);
        double[] inverseFrequency = new double[half];
        for (int i = 0; i < half; i++) {
            inverseFrequency[i] = Math.pow(theta, -2.0 * i / headDim);
        }
        double[] qkCos = new double[length * 2 * headDim];
        double[] qkSin = new double[length * 2 * headDim];
        for (int p = 0; p < length; p++) {
            int query = p * headDim;
            int key = (length + p) * headDim;
            for (int i = 0; i < half; i++) {
                double angle = p * inverseFrequency[i];
                double c = Math.cos(angle);
                double s = Math.sin(angle);
                int first = style == RopeStyle.INTERLEAVED ? 2 * i : i;
                int second = style == RopeStyle.INTERLEAVED ? 2 * i + 1 : i + half;
                qkCos[key + first] = c;
                qkCos[key + second] = c;
                qkSin[key + first] = -s;
                qkSin[key + second] = s;
                qkCos[query + first] = c * scale;
                qkCos[query + second] = c * scale;
                qkSin[query + first] = -s * scale;
                qkSin[query + second] = s * scale;
            }
        }
        Shape shape = new Shape(2, 1, 1, length, headDim);
        return new Tables(
                style, table(manager, qkCos, shape, type), table(manager, qkSin, shape, type));
    }

    private static NDArray table(NDManager manager, double[] values, Shape shape, DataType type) {
        NDArray native64 = NativeArrays.of(manager, values, shape);
        if (type == DataType.FLOAT64) {
            return native64;
        }
        try (native64) {
            return native64.toType(type, false);
        }
    }

    /**
     * Rotates queries and keys together and scales the queries by {@code 1/sqrt(headDim)}.
     *
     * @param qk {@code (2, B, H, T, headDim)}: queries at index 0, keys at index 1
     * @param t tables for exactly {@code T} positions
     * @return the rotated (and, for queries, scaled) array, same shape
     */
    public static NDArray applyScaledQk(NDArray qk, Tables t) {
        return qk.mul(t.qkCos()).add(swapPairs(qk, t.style()).mul(t.qkSin()));
    }

    /** Exchanges the two channels of every rotation pair along the last axis. */
    private static NDArray swapPairs(NDArray x, RopeStyle style) {
        Shape shape = x.getShape();
        long headDim = shape.tail();
        if (style == RopeStyle.INTERLEAVED) {
            Shape pairs = shape.slice(0, shape.dimension() - 1).add(headDim / 2, 2);
            return x.reshape(pairs).flip(-1).reshape(shape);
        }
        NDList halves = x.split(2, shape.dimension() - 1);
        return halves.get(1).concat(halves.get(0), -1);
    }
}
