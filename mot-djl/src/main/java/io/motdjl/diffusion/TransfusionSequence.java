package io.motdjl.diffusion;

import io.motdjl.data.Direction;
import io.motdjl.tokenize.JointVocabulary;

/**
 * One Transfusion training sequence: a caption and an image in one direction, the image as
 * continuous patch rows between BOI and EOI.
 *
 * <pre>
 *   caption -> image: [BOS] caption [BOI] patches [EOI] [EOS]   (caption dropped: [BOS] [BOI] ...)
 *   image -> caption: [BOS] [BOI] patches [EOI] caption [EOS]
 * </pre>
 *
 * <p>Text and the four markers are modality {@link JointVocabulary#TEXT}; patch rows are {@link
 * JointVocabulary#IMAGE} with span id 1 and the placeholder token {@link JointVocabulary#PAD}
 * (their values are in {@code patches}). {@code timestepLimit} is positive at the patch rows of an
 * image whose timestep is to be bounded (image first: Transfusion keeps it lightly noised).
 *
 * @param tokens token ids
 * @param modalities modality ids
 * @param spans image span ids
 * @param patches {@code length × P} patch values (0 outside the image)
 * @param timestepLimit per position, 0 for no bound
 */
public record TransfusionSequence(
        long[] tokens, long[] modalities, long[] spans, float[] patches, long[] timestepLimit) {

    /** Tokens a sequence adds around its caption and patches: BOS, BOI, EOI, EOS. */
    public static final int FRAMING_TOKENS = 4;

    /** Number of positions. */
    public int length() {
        return tokens.length;
    }

    /**
     * Lays out a caption and an image.
     *
     * @param caption the caption (UTF-8 bytes become text tokens); ignored when dropped
     * @param imageRows the image's patch rows, {@code rows × P} ({@link ImagePatches#toRows})
     * @param patchValues P
     * @param direction which comes first
     * @param dropCaption whether to leave the caption out (classifier-free guidance's unconditional
     *     examples); only for caption → image
     * @param imageTimestepLimit bound of the image's timestep, 0 for none
     * @return the sequence
     * @throws IllegalArgumentException for patch rows that are not a whole number of rows
     */
    public static TransfusionSequence of(
            String caption,
            float[] imageRows,
            int patchValues,
            Direction direction,
            boolean dropCaption,
            int imageTimestepLimit) {
        if (patchValues < 1 || imageRows.length == 0 || imageRows.length % patchValues != 0) {
            throw new IllegalArgumentException(
                    "an image must be a positive whole number of patch rows of "
                            + patchValues
                            + " values, got "
                            + imageRows.length
                            + " values");
        }
        if (dropCaption && direction != Direction.CAPTION_TO_IMAGE) {
            throw new IllegalArgumentException(
                    "only a caption -> image sequence can drop its caption");
        }
        int[] text = dropCaption ? new int[0] : JointVocabulary.encodeText(caption);
        int rows = imageRows.length / patchValues;
        int length = text.length + rows + FRAMING_TOKENS;
        long[] tokens = new long[length];
        long[] modalities = new long[length];
        long[] spans = new long[length];
        long[] limits = new long[length];
        float[] patches = new float[length * patchValues];
        int at = 0;
        tokens[at++] = JointVocabulary.BOS;
        if (direction == Direction.CAPTION_TO_IMAGE) {
            at = put(text, tokens, at);
        }
        tokens[at++] = JointVocabulary.BOI;
        System.arraycopy(imageRows, 0, patches, at * patchValues, imageRows.length);
        for (int r = 0; r < rows; r++) {
            tokens[at] = JointVocabulary.PAD;
            modalities[at] = JointVocabulary.IMAGE;
            spans[at] = 1;
            limits[at] = imageTimestepLimit;
            at++;
        }
        tokens[at++] = JointVocabulary.EOI;
        if (direction == Direction.IMAGE_TO_CAPTION) {
            at = put(text, tokens, at);
        }
        tokens[at] = JointVocabulary.EOS;
        return new TransfusionSequence(tokens, modalities, spans, patches, limits);
    }

    private static int put(int[] source, long[] target, int at) {
        for (int v : source) {
            target[at++] = v;
        }
        return at;
    }
}
