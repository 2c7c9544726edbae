package io.motdjl.examples.chameleon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.motdjl.data.Direction;

import org.junit.jupiter.api.Test;

class DirectionScheduleTest {

    @Test
    void directionSchedules() {
        assertEquals(Direction.CAPTION_TO_IMAGE, DirectionSchedule.ALTERNATE.directionOf(0, 5));
        assertEquals(Direction.IMAGE_TO_CAPTION, DirectionSchedule.ALTERNATE.directionOf(1, 5));
        assertEquals(
                Direction.IMAGE_TO_CAPTION,
                DirectionSchedule.IMAGE_TO_CAPTION_ONLY.directionOf(0, 5));
        assertEquals(
                Direction.CAPTION_TO_IMAGE,
                DirectionSchedule.CAPTION_TO_IMAGE_ONLY.directionOf(1, 5));
        int captionFirst = 0;
        for (int i = 0; i < 1000; i++) {
            Direction d = DirectionSchedule.SEEDED.directionOf(i, 5);
            assertEquals(d, DirectionSchedule.SEEDED.directionOf(i, 5));
            if (d == Direction.CAPTION_TO_IMAGE) {
                captionFirst++;
            }
        }
        assertEquals(500, captionFirst, 60);
    }

    /** Seeded directions recorded before the seed helpers were merged into {@code Seeds}. */
    @Test
    void seededDirectionsArePinned() {
        StringBuilder ordinals = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            ordinals.append(DirectionSchedule.SEEDED.directionOf(i, 0).ordinal());
        }
        assertEquals("101110111100010011000000100101", ordinals.toString());
    }
}
