package io.motdjl.examples.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.motdjl.examples.speech.CorpusPlan;

import org.junit.jupiter.api.Test;

import java.util.List;

/** Which class a caption names, by the written names and by the spoken captions' phrases. */
class CaptionAccuracyTest {

    @Test
    void spokenPhrasesAreCountedByTheirOwnNames() {
        String tshirt = "a photo of a t-shirt or top";
        // by the written names, the spoken t-shirt phrase reads as "shirt" (class 6)
        assertEquals(6, CaptionAccuracy.namedClass(tshirt));
        assertEquals(0, CaptionAccuracy.namedClass(tshirt, CorpusPlan.CLASS_PHRASES));
        assertEquals(6, CaptionAccuracy.namedClass("this is a shirt", CorpusPlan.CLASS_PHRASES));
        assertEquals(1, CaptionAccuracy.namedClass("a pair of trousers", CorpusPlan.CLASS_PHRASES));
        assertEquals(-1, CaptionAccuracy.namedClass("a cat", CorpusPlan.CLASS_PHRASES));

        CaptionAccuracy spoken = new CaptionAccuracy(CorpusPlan.CLASS_PHRASES);
        spoken.add(0, tshirt);
        spoken.add(6, tshirt);
        spoken.add(9, "an ankle boot");
        assertEquals(2, spoken.right());
        assertEquals(1, spoken.right(0));
        assertEquals(0, spoken.right(6));
        assertEquals(3, spoken.total());
        CaptionAccuracy written = new CaptionAccuracy();
        written.add(0, tshirt);
        written.add(6, tshirt);
        assertEquals(0, written.right(0));
        assertEquals(1, written.right(6));
        assertThrows(IllegalArgumentException.class, () -> new CaptionAccuracy(List.of("a")));
    }
}
