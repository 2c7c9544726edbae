package io.motdjl.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.types.DataType;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Counting non-finite values on raw bits, as the windowed readers do. */
class FiniteValuesTest {

    private static ByteBuffer nativeBuffer(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    @Test
    void float32BitsWithAnAllOnesExponentAreCounted() {
        float[] values = {
            0,
            -0f,
            1,
            Float.MAX_VALUE,
            -Float.MAX_VALUE,
            Float.MIN_VALUE,
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.intBitsToFloat(0xFF800001)
        };
        ByteBuffer b = nativeBuffer(values.length * 4);
        b.asFloatBuffer().put(values);
        assertEquals(4, FiniteValues.REQUIRE.count(b, DataType.FLOAT32, values.length));
        assertEquals(2, FiniteValues.REQUIRE.count(b, DataType.FLOAT32, 8), "only the first 8");
        assertEquals(0, FiniteValues.ALLOW.count(b, DataType.FLOAT32, values.length));
    }

    @Test
    void float64AndFloat16BitsAreCountedByTheirOwnExponents() {
        double[] doubles = {Double.MAX_VALUE, Double.NaN, Double.NEGATIVE_INFINITY, 1e-320, 3};
        ByteBuffer d = nativeBuffer(doubles.length * 8);
        d.asDoubleBuffer().put(doubles);
        assertEquals(2, FiniteValues.REQUIRE.count(d, DataType.FLOAT64, doubles.length));

        // 65504 (largest half), +inf, NaN, -inf, 1.0, smallest subnormal
        short[] halves = {0x7BFF, 0x7C00, 0x7E00, (short) 0xFC00, 0x3C00, 0x0001};
        ByteBuffer h = nativeBuffer(halves.length * 2);
        h.asShortBuffer().put(halves);
        assertEquals(3, FiniteValues.REQUIRE.count(h, DataType.FLOAT16, halves.length));
    }

    @Test
    void integersAreAlwaysFinite() {
        ByteBuffer b = nativeBuffer(16);
        b.asIntBuffer().put(new int[] {0x7F800000, 0x7FC00000, -1, 0});
        assertEquals(0, FiniteValues.REQUIRE.count(b, DataType.INT32, 4));
        assertEquals(0, FiniteValues.REQUIRE.count(b, DataType.UINT8, 16));
    }
}
