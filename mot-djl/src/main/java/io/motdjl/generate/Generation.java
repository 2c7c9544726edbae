package io.motdjl.generate;

/**
 * What one prompt generated.
 *
 * @param tokens the new tokens (a stop token, when one ended the row, is the last)
 * @param modalities each new token's modality id, as fed back to the model
 * @param stop why generation ended
 */
public record Generation(int[] tokens, int[] modalities, StopReason stop) {

    /** Why a row stopped. */
    public enum StopReason {
        /** It generated a stop token. */
        STOP_TOKEN,
        /** It reached the largest number of new tokens. */
        LENGTH
    }

    /** The new tokens without a final stop token. */
    public int[] withoutStop() {
        int n = stop == StopReason.STOP_TOKEN ? tokens.length - 1 : tokens.length;
        return java.util.Arrays.copyOf(tokens, n);
    }
}
