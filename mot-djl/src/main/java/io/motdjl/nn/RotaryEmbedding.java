package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
     * The tables for positions {@code 0..T-1}.
     *
     * @param cos cosines, {@code (T, 1, headDim/2)}
     * @param sin sines, {@code (T, 1, headDim/2)}
     * @param style the pairing convention
     * @param fullCos each pair's cosine on both its channels, {@code (T, 1, headDim)}
     * @param signedSin each pair's sine, negated on its first channel, {@code (T, 1, headDim)}
     * @param qkCos {@code fullCos} for queries and keys side by side, {@code (T, 2, 1, headDim)};
     *     the query half is multiplied by the attention scale {@code 1/sqrt(headDim)}
     * @param qkSin {@code signedSin} likewise, {@code (T, 2, 1, headDim)}
     */
    public record Tables(
            NDArray cos,
            NDArray sin,
            RopeStyle style,
            NDArray fullCos,
            NDArray signedSin,
            NDArray qkCos,
            NDArray qkSin) {}

    /**
     * Builds the tables for positions {@code 0..length-1}. Angles (and the attention scale folded
     * into the query tables) are computed in double precision and then rounded to {@code type}, so
     * float32 tables are as exact as they can be.
     */
    public static Tables tables(
            NDManager manager,
            int length,
            int headDim,
            double theta,
            RopeStyle style,
            DataType type) {
        return tables(manager, 0, length, headDim, theta, style, type);
    }

    /**
     * Builds the tables for positions {@code start..start+length-1} (a chunk decoded after {@code
     * start} cached positions).
     */
    public static Tables tables(
            NDManager manager,
            int start,
            int length,
            int headDim,
            double theta,
            RopeStyle style,
            DataType type) {
        int half = headDim / 2;
        double scale = 1.0 / Math.sqrt(headDim);
        double[] cos = new double[length * half];
        double[] sin = new double[length * half];
        double[] fullCos = new double[length * headDim];
        double[] signedSin = new double[length * headDim];
        double[] qkCos = new double[length * 2 * headDim];
        double[] qkSin = new double[length * 2 * headDim];
        for (int p = 0; p < length; p++) {
            for (int i = 0; i < half; i++) {
                double angle = (double) (start + p) * Math.pow(theta, -2.0 * i / headDim);
                double c = Math.cos(angle);
                double s = Math.sin(angle);
                cos[p * half + i] = c;
                sin[p * half + i] = s;
                int first = style == RopeStyle.INTERLEAVED ? 2 * i : i;
                int second = style == RopeStyle.INTERLEAVED ? 2 * i + 1 : i + half;
                int row = p * headDim;
                fullCos[row + first] = c;
                fullCos[row + second] = c;
                signedSin[row + first] = -s;
                signedSin[row + second] = s;
            }
            for (int d = 0; d < headDim; d++) {
                int row = p * headDim;
                int q = p * 2 * headDim;
                qkCos[q + d] = fullCos[row + d] * scale;
                qkSin[q + d] = signedSin[row + d] * scale;
                qkCos[q + headDim + d] = fullCos[row + d];
                qkSin[q + headDim + d] = signedSin[row + d];
            }
        }
        return new Tables(
                table(manager, cos, new Shape(length, 1, half), type),
                table(manager, sin, new Shape(length, 1, half), type),
                style,
                table(manager, fullCos, new Shape(length, 1, headDim), type),
                table(manager, signedSin, new Shape(length, 1, headDim), type),
                table(manager, qkCos, new Shape(length, 2, 1, headDim), type),
                table(manager, qkSin, new Shape(length, 2, 1, headDim), type));
    }

    private static NDArray table(NDManager manager, double[] values, Shape shape, DataType type) {
        NDArray native64 = NativeArrays.of(manager, values, shape);
        return type == DataType.FLOAT64 ? native64 : native64.toType(type, false);
    }

    /**
     * Rotates {@code x} of shape {@code (B, T, H, headDim)}.
     *
     * @param x queries or keys
     * @param t tables for exactly {@code T} positions
     * @return the rotated array, same shape
     */
    public static NDArray apply(NDArray x, Tables t) {
        return x.mul(t.fullCos()).add(swapPairs(x, t.style()).mul(t.signedSin()));
    }

    /**
     * Rotates queries and keys together and scales the queries by {@code 1/sqrt(headDim)}.
     *
     * @param qk {@code (B, T, 2, H, headDim)}: queries at index 0 of axis 2, keys at index 1
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
