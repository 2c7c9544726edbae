package io.motdjl.examples.chameleon;

import io.motdjl.data.Direction;
import io.motdjl.util.Seeds;

/** How the {@link Direction} of each example is chosen; every choice is deterministic. */
public enum DirectionSchedule {
    /** Even example indices caption-to-image, odd ones image-to-caption: an exact 50/50 mix. */
    ALTERNATE,
    /** A seeded coin flip per example index. */
    SEEDED,
    /** Every example caption-to-image. */
    CAPTION_TO_IMAGE_ONLY,
    /** Every example image-to-caption. */
    IMAGE_TO_CAPTION_ONLY;

    /** Keeps direction choices independent of other seeded choices made with the same seed. */
    private static final long STREAM = 0x44495245L; // "DIRE"

    /** The direction of example {@code exampleIndex}. */
    public Direction directionOf(long exampleIndex, long seed) {
        switch (this) {
            case ALTERNATE:
                return exampleIndex % 2 == 0
                        ? Direction.CAPTION_TO_IMAGE
                        : Direction.IMAGE_TO_CAPTION;
            case SEEDED:
                return Seeds.choose(seed, STREAM, exampleIndex, 2) == 0
                        ? Direction.CAPTION_TO_IMAGE
                        : Direction.IMAGE_TO_CAPTION;
            case CAPTION_TO_IMAGE_ONLY:
                return Direction.CAPTION_TO_IMAGE;
            default:
                return Direction.IMAGE_TO_CAPTION;
        }
    }
}
