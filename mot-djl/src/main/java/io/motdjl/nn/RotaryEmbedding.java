package io.motdjl.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.motdjl.config.RopeStyle;
import io.motdjl.util.NativeArrays;

/**
 * Rotary position embedding. Channel pair {@code i} of a head rotates by angle {@code pos ·
 * theta^(-2i/headDim)}; the pairs are {@code (2i, 2i+1)} ({@link RopeStyle#INTERLEAVED}) or {@code
 * (i, i + headDim/2)} ({@link RopeStyle#HALF}).
 */
public final class RotaryEmbedding {

    private RotaryEmbedding() {}

    /**
     * cos and sin of every angle, shape {@code (T, 1, headDim/2)} so they broadcast over {@code
     * (B, T, H, headDim/2)}.
     *
     * @param cos cosines
     * @param sin sines
     * @param style the pairing convention
     */
    public record Tables(NDArray cos, NDArray sin, RopeStyle style) {}

    /**
     * Builds the tables for positions {@code 0..length-1}. Angles are computed in double precision
     * and then rounded to {@code type}, so float32 tables are as exact as they can be.
     */
    public static Tables tables(
            NDManager manager, int length, int headDim, double theta, RopeStyle style,
            DataType type) {
        int half = headDim / 2;
        double[] cos = new double[length * half];
        double[] sin = new double[length * half];
        for (int p = 0; p < length; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * Math.pow(theta, -2.0 * i / headDim);
                cos[p * half + i] = Math.cos(angle);
                sin[p * half + i] = Math.sin(angle);
            }
        }
        Shape shape = new Shape(length, 1, half);
        NDArray c = NativeArrays.of(manager, cos, shape).toType(type, false);
        NDArray s = NativeArrays.of(manager, sin, shape).toType(type, false);
        return new Tables(c, s, style);
    }

    /**
     * Rotates {@code x} of shape {@code (B, T, H, headDim)}.
     *
     * @param x queries or keys
     * @param t tables for at least {@code T} positions, exactly {@code T} rows
     * @return the rotated array, same shape
     */
    public static NDArray apply(NDArray x, Tables t) {
        Shape shape = x.getShape();
        long headDim = shape.get(3);
        if (t.style() == RopeStyle.INTERLEAVED) {
            NDArray pairs = x.reshape(shape.get(0), shape.get(1), shape.get(2), headDim / 2, 2);
            NDArray even = pairs.get("..., 0");
            NDArray odd = pairs.get("..., 1");
            NDArray rotatedEven = even.mul(t.cos()).sub(odd.mul(t.sin()));
            NDArray rotatedOdd = even.mul(t.sin()).add(odd.mul(t.cos()));
            return rotatedEven.stack(rotatedOdd, -1).reshape(shape);
        }
        long half = headDim / 2;
        NDArray first = x.get("..., :" + half);
        NDArray second = x.get("..., " + half + ":");
        NDArray rotatedFirst = first.mul(t.cos()).sub(second.mul(t.sin()));
        NDArray rotatedSecond = second.mul(t.cos()).add(first.mul(t.sin()));
        return rotatedFirst.concat(rotatedSecond, -1);
    }
}
