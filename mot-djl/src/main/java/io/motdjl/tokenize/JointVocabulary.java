package io.motdjl.tokenize;

import io.motdjl.config.MoTConfig;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * One vocabulary for text and image tokens (the Chameleon setting), with each modality in its own
 * contiguous range.
 *
 * <pre>
 *   [0, 256)            text: the bytes of UTF-8 text
 *   256 257 258 259 260 text: BOS, EOS, BOI (begin image), EOI (end image), PAD
 *   [261, 261 + K)      image: the K codes of the image tokenizer
 * </pre>
 *
 * <p>The special tokens are text tokens, so the text parameters of a MoT process them. The modality
 * of every token follows from its id; {@link #modalityTokenRanges()} hands the ranges to {@link
 * MoTConfig.Builder#modalityTokenRanges}, which then rejects a token used with the wrong modality.
 */
public final class JointVocabulary {

    /** Modality id of text (and of the special tokens). */
    public static final int TEXT = 0;

    /** Modality id of image codes. */
    public static final int IMAGE = 1;

    /** Number of modalities. */
    public static final int NUM_MODALITIES = 2;

    /** Number of byte tokens: ids {@code [0, 256)} are the bytes themselves. */
    public static final int BYTE_TOKENS = 256;

    /** Begin of sequence. */
    public static final int BOS = BYTE_TOKENS;

    /** End of sequence. */
    public static final int EOS = BYTE_TOKENS + 1;

    /** Begin of image: the image codes follow. */
    public static final int BOI = BYTE_TOKENS + 2;

    /** End of image. */
    public static final int EOI = BYTE_TOKENS + 3;

    /** Padding; never a prediction target. */
    public static final int PAD = BYTE_TOKENS + 4;

    /** Number of text tokens: the bytes and the special tokens. */
    public static final int TEXT_TOKENS = BYTE_TOKENS + 5;

    /**
     * A half-open range of token ids.
     *
     * @param start first id
     * @param end one past the last id
     */
    public record Range(int start, int end) {
        /** Whether {@code token} lies in this range. */
        public boolean contains(int token) {
            return token >= start && token < end;
        }

        /** Number of ids. */
        public int size() {
            return end - start;
        }
    }

    private final int imageCodes;

    /**
     * A vocabulary for an image tokenizer with {@code imageCodes} codes.
     *
     * @param imageCodes the image codebook size K
     */
    public JointVocabulary(int imageCodes) {
        if (imageCodes <= 0) {
            throw new IllegalArgumentException(
                    "the image codebook size must be positive, got " + imageCodes);
        }
        this.imageCodes = imageCodes;
    }

    /** A vocabulary for {@code tokenizer}'s codes. */
    public static JointVocabulary forTokenizer(ImageTokenizer tokenizer) {
        return new JointVocabulary(tokenizer.codebookSize());
    }

    /** Size of the joint vocabulary: text tokens plus image codes. */
    public int vocabSize() {
        return TEXT_TOKENS + imageCodes;
    }

    /** The text range, special tokens included. */
    public Range textRange() {
        return new Range(0, TEXT_TOKENS);
    }

    /** The image range. */
    public Range imageRange() {
        return new Range(TEXT_TOKENS, vocabSize());
    }

    /** {@code [start, end)} of each modality, indexed by modality id, for {@link MoTConfig}. */
    public long[][] modalityTokenRanges() {
        return new long[][] {{0, TEXT_TOKENS}, {TEXT_TOKENS, vocabSize()}};
    }

    /**
     * Sets the vocabulary size, the number of modalities and their token ranges on a config.
     *
     * @param builder a config builder
     * @return the same builder
     */
    public MoTConfig.Builder applyTo(MoTConfig.Builder builder) {
        return builder.vocabSize(vocabSize())
                .nModalities(NUM_MODALITIES)
                .modalityTokenRanges(modalityTokenRanges());
    }

    /** Modality id of {@code token}: {@link #TEXT} or {@link #IMAGE}. */
    public int modalityOf(int token) {
        checkToken(token);
        return token < TEXT_TOKENS ? TEXT : IMAGE;
    }

    /** Whether {@code token} is an image code. */
    public boolean isImageToken(int token) {
        return imageRange().contains(token);
    }

    /** Whether {@code token} is one of BOS, EOS, BOI, EOI, PAD. */
    public static boolean isSpecial(int token) {
        return token >= BYTE_TOKENS && token < TEXT_TOKENS;
    }

    /** Token id of image code {@code code}. */
    public int imageToken(int code) {
        if (code < 0 || code >= imageCodes) {
            throw new IllegalArgumentException(
                    "image code " + code + " is outside [0, " + imageCodes + ")");
        }
        return TEXT_TOKENS + code;
    }

    /** Image code of token {@code token}, which must be an image token. */
    public int imageCode(int token) {
        if (!isImageToken(token)) {
            throw new IllegalArgumentException(
                    "token " + token + " is not an image token; image tokens are " + imageRange());
        }
        return token - TEXT_TOKENS;
    }

    /** Token ids of image codes. */
    public int[] imageTokens(int[] codes) {
        int[] tokens = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            tokens[i] = imageToken(codes[i]);
        }
        return tokens;
    }

    /** Number of image codes K. */
    public int imageCodes() {
        return imageCodes;
    }

    /** Image codes of image tokens. */
    public int[] imageCodes(int[] tokens) {
        int[] codes = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            codes[i] = imageCode(tokens[i]);
        }
        return codes;
    }

    /** Token ids of a text: its UTF-8 bytes. */
    public static int[] encodeText(String text) {
        return byteTokens(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Token ids of UTF-8 bytes: each byte's unsigned value. */
    public static int[] byteTokens(byte[] bytes) {
        int[] tokens = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            tokens[i] = Byte.toUnsignedInt(bytes[i]);
        }
        return tokens;
    }

    /**
     * The text of byte tokens.
     *
     * @param tokens byte tokens only, in {@code [0, 256)}
     * @return the decoded text
     * @throws IllegalArgumentException if a token is not a byte or the bytes are not valid UTF-8
     */
    public static String decodeText(int[] tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(tokens.length);
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= BYTE_TOKENS) {
                throw new IllegalArgumentException(
                        "token "
                                + tokens[i]
                                + " at position "
                                + i
                                + " is not a text byte"
                                + " (expected [0, "
                                + BYTE_TOKENS
                                + "))");
            }
            bytes.write(tokens[i]);
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the byte tokens are not valid UTF-8", e);
        }
    }

    /**
     * A readable name for a token: {@code 'a'}, {@code <0xc3>}, {@code <BOS>}, {@code <img:17>}.
     */
    public String tokenName(int token) {
        checkToken(token);
        if (token < BYTE_TOKENS) {
            return token >= 0x20 && token < 0x7f
                    ? "'" + (char) token + "'"
                    : String.format("<0x%02x>", token);
        }
        switch (token) {
            case BOS:
                return "<BOS>";
            case EOS:
                return "<EOS>";
            case BOI:
                return "<BOI>";
            case EOI:
                return "<EOI>";
            case PAD:
                return "<PAD>";
            default:
                return "<img:" + imageCode(token) + ">";
        }
    }

    private void checkToken(int token) {
        if (token < 0 || token >= vocabSize()) {
            throw new IllegalArgumentException(
                    "token " + token + " is outside the vocabulary [0, " + vocabSize() + ")");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JointVocabulary v && v.imageCodes == imageCodes;
    }

    @Override
    public int hashCode() {
        return imageCodes;
    }

    @Override
    public String toString() {
        return "JointVocabulary["
                + vocabSize()
                + " tokens: text "
                + textRange()
                + ", image "
                + imageRange()
                + "]";
    }
}
