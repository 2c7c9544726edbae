package io.motdjl.data;

/** Which way a caption-image pair is laid out in a sequence. */
public enum Direction {
    /** {@code [BOS] caption [BOI] codes [EOI] [EOS]}: text-to-image generation. */
    CAPTION_TO_IMAGE,
    /** {@code [BOS] [BOI] codes [EOI] caption [EOS]}: image captioning. */
    IMAGE_TO_CAPTION
}
