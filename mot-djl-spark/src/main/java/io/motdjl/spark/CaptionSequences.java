package io.motdjl.spark;

import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.zoo.MoTSequence;

import java.nio.charset.StandardCharsets;

/**
 * The token sequence a caption is scored as: {@code [BOS] bytes [EOS]}, the form of a text-only
 * document in the Chameleon training data, so that the score is the text's own mean next-token loss
 * (no image follows).
 */
public final class CaptionSequences {

    private CaptionSequences() {}

    /**
     * The sequence of a caption; the modalities follow from the model's token ranges.
     *
     * @param caption the caption
     * @return {@code [BOS]}, the caption's UTF-8 bytes, {@code [EOS]}
     */
    public static MoTSequence of(String caption) {
        int[] bytes = JointVocabulary.byteTokens(caption.getBytes(StandardCharsets.UTF_8));
        int[] tokens = new int[bytes.length + 2];
        tokens[0] = JointVocabulary.BOS;
        System.arraycopy(bytes, 0, tokens, 1, bytes.length);
        tokens[tokens.length - 1] = JointVocabulary.EOS;
        return MoTSequence.of(tokens);
    }
}
