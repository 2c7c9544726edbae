package io.motdjl.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * bfloat16 conversions done in Java, because DJL's PyTorch engine aborts the JVM on any BF16 array.
 * A bfloat16 is the upper 16 bits of an IEEE float32 (sign, 8-bit exponent, 7-bit fraction), so
 * widening is exact and narrowing rounds the dropped 16 bits to nearest, ties to even.
 */
final class Bfloat16 {

    /** Bytes per bfloat16 value. */
    static final int BYTES = 2;

    private static final int QUIET_NAN_BIT = 0x0040;

    private Bfloat16() {}

    /** The float32 with the same value as the bfloat16 bit pattern {@code bits}. */
    static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * The nearest bfloat16 to {@code value}, ties to even. Values beyond the largest bfloat16 round
     * to infinity as IEEE rounding does; a NaN stays a NaN with its sign (its payload may not fit
     * in 7 bits, so the quiet bit is set rather than letting it truncate to an infinity).
     */
    static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | QUIET_NAN_BIT);
        }
        int lowestKept = (bits >>> 16) & 1;
        // adding 0x7FFF rounds up exactly when the dropped half exceeds 0x8000, or equals it and
        // the kept part is odd; the carry may ripple into the exponent, which is still correct
        return (short) ((bits + 0x7FFF + lowestKept) >>> 16);
    }

    /**
     * Widens {@code count} little-endian bfloat16 values from {@code src} (from its position) into
     * float32 values written to {@code dst} from index 0 in native byte order, as DJL reads them.
     */
    static void widen(ByteBuffer src, ByteBuffer dst, int count) {
        ByteBuffer in = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer out = dst.duplicate().order(ByteOrder.nativeOrder()).clear().asFloatBuffer();
        int base = in.position();
        for (int i = 0; i < count; i++) {
            out.put(i, toFloat(in.getShort(base + i * BYTES)));
        }
    }

    /**
     * Narrows {@code count} float32 values read from {@code src} (native byte order, from index 0)
     * to little-endian bfloat16 values written into {@code dst} from index 0.
     */
    static void narrow(ByteBuffer src, ByteBuffer dst, int count) {
        FloatBuffer in = src.duplicate().order(ByteOrder.nativeOrder()).clear().asFloatBuffer();
        ByteBuffer out = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            out.putShort(i * BYTES, fromFloat(in.get(i)));
        }
    }
}
