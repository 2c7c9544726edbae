package io.motdjl.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** bfloat16 conversions on hand-made bit patterns; pure Java. */
class Bfloat16Test {

    private static short narrow(int floatBits) {
        return Bfloat16.fromFloat(Float.intBitsToFloat(floatBits));
    }

    private static void assertNarrows(int floatBits, int bf16Bits) {
        assertEquals(
                Integer.toHexString(bf16Bits),
                Integer.toHexString(narrow(floatBits) & 0xFFFF),
                "float bits " + Integer.toHexString(floatBits));
    }

    @Test
    void wideningIsTheTopHalfOfAFloat32() {
        assertEquals(1.0f, Bfloat16.toFloat((short) 0x3F80));
        assertEquals(-2.0f, Bfloat16.toFloat((short) 0xC000));
        assertEquals(Float.POSITIVE_INFINITY, Bfloat16.toFloat((short) 0x7F80));
        assertEquals(0x80000000, Float.floatToRawIntBits(Bfloat16.toFloat((short) 0x8000)));
        assertEquals(0x00010000, Float.floatToRawIntBits(Bfloat16.toFloat((short) 0x0001)));
        assertTrue(Float.isNaN(Bfloat16.toFloat((short) 0xFFC1)));
    }

    @Test
    void everyBf16ValueSurvivesARoundTripBitForBit() {
        for (int b = 0; b <= 0xFFFF; b++) {
            float f = Bfloat16.toFloat((short) b);
            short back = Bfloat16.fromFloat(f);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(Bfloat16.toFloat(back)), Integer.toHexString(b));
                assertEquals(b & 0x8000, back & 0x8000, "the sign of a NaN is kept");
            } else {
                assertEquals(b, back & 0xFFFF, Integer.toHexString(b));
            }
        }
    }

    @Test
    void roundsToNearestAndTiesToEven() {
        assertNarrows(0x3F807FFF, 0x3F80); // just under half an ulp: down
        assertNarrows(0x3F808001, 0x3F81); // just over half: up
        assertNarrows(0x3F808000, 0x3F80); // a tie, the kept part even: stays
        assertNarrows(0x3F818000, 0x3F82); // a tie, the kept part odd: up to even
        assertNarrows(0xBF818000, 0xBF82); // the same below zero
        assertNarrows(0x3FFF8000, 0x4000); // the carry moves into the exponent
        assertNarrows(0x00008000, 0x0000); // subnormal tie to even zero
        assertNarrows(0x00018000, 0x0002);
    }

    @Test
    void overflowBecomesInfinityAndSpecialValuesStay() {
        assertNarrows(Float.floatToRawIntBits(Float.MAX_VALUE), 0x7F80);
        assertNarrows(0x7F7F7FFF, 0x7F7F); // under the midpoint to infinity: the largest bf16
        assertNarrows(0x7F800000, 0x7F80);
        assertNarrows(0xFF800000, 0xFF80);
        assertNarrows(0x80000000, 0x8000);
        assertNarrows(0x00000000, 0x0000);
    }

    @Test
    void nanStaysNanEvenWhenItsPayloadIsInTheDroppedBits() {
        for (int bits : new int[] {0x7F800001, 0xFF800001, 0x7FC00000, 0x7F80FFFF}) {
            short b = narrow(bits);
            assertTrue(Float.isNaN(Bfloat16.toFloat(b)), Integer.toHexString(bits));
            assertEquals(bits >>> 31, (b >>> 15) & 1, "sign");
        }
    }

    @Test
    void bulkConversionsUseLittleEndianFilesAndNativeArrays() {
        short[] bf16 = {0x3F80, (short) 0xC000, 0x0001, (short) 0xFF80, 0x4049};
        ByteBuffer file = ByteBuffer.allocate(2 + bf16.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        file.putShort((short) 0x7777); // a value before the window, skipped by position
        for (short b : bf16) {
            file.putShort(b);
        }
        file.position(2);
        ByteBuffer floats = ByteBuffer.allocateDirect(bf16.length * 4);
        Bfloat16.widen(file, floats, bf16.length);
        ByteBuffer back = ByteBuffer.allocate(bf16.length * 2);
        Bfloat16.narrow(floats, back, bf16.length);
        back.order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < bf16.length; i++) {
            assertEquals(
                    Bfloat16.toFloat(bf16[i]),
                    floats.order(ByteOrder.nativeOrder()).getFloat(i * 4),
                    "widened " + i);
            assertEquals(bf16[i], back.getShort(i * 2), "narrowed " + i);
        }
    }
}
