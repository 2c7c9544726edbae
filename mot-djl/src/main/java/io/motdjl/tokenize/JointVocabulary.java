package io.motdjl.tokenize;

import io.motdjl.config.MoTConfig;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One vocabulary for text and image tokens (the Chameleon setting), and optionally speech units
 * (the Chameleon + speech setting), with each modality in its own contiguous range.
 *
 * <pre>
 *   [0, 256)                 text: the bytes of UTF-8 text
 *   256 257 258 259 260      text: BOS, EOS, BOI (begin image), EOI (end image), PAD
 *   [261, 261 + K)           image: the K codes of the image tokenizer
 *   261 + K, 261 + K + 1     speech: BOSP (begin speech), EOSP (end speech)   (with speech only)
 *   [261 + K + 2, S)         speech: the U units of the speech tokenizer, S = 261 + K + 2 + U
 * </pre>
 *
 * <p>The special tokens BOS, EOS, BOI, EOI and PAD are text tokens, so the text parameters of a MoT
 * process them. The speech span markers BOSP and EOSP are speech tokens: the speech range comes
 * after the image codes so that no existing id moves (checkpoints of the two-modality vocabulary
 * stay valid), and each modality keeps one contiguous range ({@code modality_token_ranges} holds
 * one pair per modality), which leaves no room for two more text tokens. The speech parameters
 * therefore process the markers, and the speech tower, not the text tower, predicts a span's first
 * unit (at BOSP) and the token after the span (at EOSP). A vocabulary without speech is exactly the
 * two-modality one ({@link #NUM_MODALITIES} modalities, the same ids, ranges and size).
 *
 * <p>The modality of every token follows from its id; {@link #modalityTokenRanges()} hands the
 * ranges to {@link MoTConfig.Builder#modalityTokenRanges}, which then rejects a token used with the
 * wrong modality.
 */
public final class JointVocabulary {

    /** Modality id of text (and of the special tokens). */
    public static final int TEXT = 0;

    /** Modality id of image codes. */
    public static final int IMAGE = 1;

    /** Modality id of speech units and the speech span markers (with speech only). */
    public static final int SPEECH = 2;

    /**
     * Number of modalities of the text + image vocabulary; one with speech has one more ({@link
     * #modalityCount()}).
     */
    public static final int NUM_MODALITIES = 2;

    /** Tokens the speech range holds before its units: BOSP and EOSP. */
    public static final int SPEECH_MARKERS = 2;

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

    /** Number of speech units U; 0 for a vocabulary without speech. */
    private final int speechUnits;

    /**
     * A vocabulary for an image tokenizer with {@code imageCodes} codes (text and image only).
     *
     * @param imageCodes the image codebook size K
     */
    public JointVocabulary(int imageCodes) {
        this(imageCodes, 0);
    }

    private JointVocabulary(int imageCodes, int speechUnits) {
        if (imageCodes <= 0) {
            throw new IllegalArgumentException(
                    "the image codebook size must be positive, got " + imageCodes);
        }
        this.imageCodes = imageCodes;
        this.speechUnits = speechUnits;
    }

    /** A vocabulary for {@code tokenizer}'s codes. */
    public static JointVocabulary forTokenizer(ImageTokenizer tokenizer) {
        return new JointVocabulary(tokenizer.codebookSize());
    }

    /**
     * A vocabulary of text, {@code imageCodes} image codes and {@code speechUnits} speech units
     * (three modalities); text and image ids are those of {@code new JointVocabulary(imageCodes)}.
     *
     * @param imageCodes the image codebook size K
     * @param speechUnits the number of speech units U (e.g. {@code
     *     SpeechUnitTokenizer.unitCount()})
     * @throws IllegalArgumentException if either is not positive
     */
    public static JointVocabulary withSpeech(int imageCodes, int speechUnits) {
        if (speechUnits <= 0) {
            throw new IllegalArgumentException(
                    "the number of speech units must be positive, got " + speechUnits);
        }
        return new JointVocabulary(imageCodes, speechUnits);
    }

    /**
     * The joint vocabulary a model config was built over: with speech when its {@code
     * modality_token_ranges} has a third range, else text and image codes (the image codes are what
     * {@code vocab_size} leaves after the text tokens). A checkpoint's config is enough to read and
     * write its tokens; the tokenizers are needed only to turn them into pixels or audio.
     *
     * @param config the model's config
     * @return the vocabulary, whose {@link #applyTo} gives back the config's vocabulary fields
     * @throws IllegalArgumentException if the config is not over a joint vocabulary: too few tokens
     *     or modalities, or token ranges other than this vocabulary's
     */
    public static JointVocabulary of(MoTConfig config) {
        long[][] ranges = config.modalityTokenRanges();
        boolean speech = ranges != null && ranges.length > NUM_MODALITIES;
        int minimum = TEXT_TOKENS + 1 + (speech ? SPEECH_MARKERS + 1 : 0);
        int needed = speech ? NUM_MODALITIES + 1 : NUM_MODALITIES;
        if (config.vocabSize() < minimum || config.nModalities() < needed) {
            throw new IllegalArgumentException(
                    "a model over the joint vocabulary (bytes 0-255, BOS/EOS/BOI/EOI/PAD, image"
                            + " codes"
                            + (speech ? ", BOSP/EOSP and speech units" : "")
                            + ") needs vocab_size at least "
                            + minimum
                            + " and "
                            + needed
                            + " modalities; this config has vocab_size "
                            + config.vocabSize()
                            + " and "
                            + config.nModalities()
                            + " modalit"
                            + (config.nModalities() == 1 ? "y" : "ies"));
        }
        JointVocabulary vocabulary;
        if (speech) {
            long[] image = ranges[IMAGE];
            if (image.length != 2 || image[0] != TEXT_TOKENS || image[1] <= image[0]) {
                throw new IllegalArgumentException(
                        "the joint vocabulary's image codes start at token "
                                + TEXT_TOKENS
                                + "; the config's image range is "
                                + Arrays.toString(image));
            }
            int codes = Math.toIntExact(image[1] - image[0]);
            vocabulary =
                    withSpeech(codes, config.vocabSize() - TEXT_TOKENS - codes - SPEECH_MARKERS);
        } else {
            vocabulary = new JointVocabulary(config.vocabSize() - TEXT_TOKENS);
        }
        if (ranges != null && !Arrays.deepEquals(ranges, vocabulary.modalityTokenRanges())) {
            throw new IllegalArgumentException(
                    "the joint vocabulary of "
                            + vocabulary.vocabSize()
                            + " tokens has the modality token ranges "
                            + Arrays.deepToString(vocabulary.modalityTokenRanges())
                            + "; the config has "
                            + Arrays.deepToString(ranges));
        }
        return vocabulary;
    }

    /**
     * Size of the joint vocabulary: text tokens, image codes and, with speech, the speech range.
     */
    public int vocabSize() {
        return speechStart() + (hasSpeech() ? SPEECH_MARKERS + speechUnits : 0);
    }

    /** Number of modalities: {@link #NUM_MODALITIES}, or one more with speech. */
    public int modalityCount() {
        return hasSpeech() ? NUM_MODALITIES + 1 : NUM_MODALITIES;
    }

    /** Whether the vocabulary has a speech range. */
    public boolean hasSpeech() {
        return speechUnits > 0;
    }

    /** The text range, special tokens included. */
    public Range textRange() {
        return new Range(0, TEXT_TOKENS);
    }

    /** The image range. */
    public Range imageRange() {
        return new Range(TEXT_TOKENS, speechStart());
    }

    /**
     * The speech range: BOSP, EOSP, then the units.
     *
     * @throws IllegalArgumentException if the vocabulary has no speech
     */
    public Range speechRange() {
        checkSpeech();
        return new Range(speechStart(), vocabSize());
    }

    /** {@code [start, end)} of each modality, indexed by modality id, for {@link MoTConfig}. */
    public long[][] modalityTokenRanges() {
        long[][] ranges = new long[modalityCount()][];
        ranges[TEXT] = new long[] {0, TEXT_TOKENS};
        ranges[IMAGE] = new long[] {TEXT_TOKENS, speechStart()};
        if (hasSpeech()) {
            ranges[SPEECH] = new long[] {speechStart(), vocabSize()};
        }
        return ranges;
    }

    /**
     * Sets the vocabulary size, the number of modalities and their token ranges on a config.
     *
     * @param builder a config builder
     * @return the same builder
     */
    public MoTConfig.Builder applyTo(MoTConfig.Builder builder) {
        return builder.vocabSize(vocabSize())
                .nModalities(modalityCount())
                .modalityTokenRanges(modalityTokenRanges());
    }

    /** Modality id of {@code token}: {@link #TEXT}, {@link #IMAGE} or {@link #SPEECH}. */
    public int modalityOf(int token) {
        checkToken(token);
        if (token < TEXT_TOKENS) {
            return TEXT;
        }
        return token < speechStart() ? IMAGE : SPEECH;
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

    /**
     * Begin of a speech span: the units follow. A speech token, unlike BOI.
     *
     * @throws IllegalArgumentException if the vocabulary has no speech
     */
    public int bosp() {
        checkSpeech();
        return speechStart();
    }

    /**
     * End of a speech span. A speech token, unlike EOI.
     *
     * @throws IllegalArgumentException if the vocabulary has no speech
     */
    public int eosp() {
        checkSpeech();
        return speechStart() + 1;
    }

    /** Whether {@code token} is a speech unit (not a span marker); false without speech. */
    public boolean isSpeechUnitToken(int token) {
        return hasSpeech() && token >= firstUnitToken() && token < vocabSize();
    }

    /**
     * Token id of speech unit {@code unit}.
     *
     * @throws IllegalArgumentException if the vocabulary has no speech or {@code unit} is outside
     *     {@code [0, U)}
     */
    public int speechToken(int unit) {
        checkSpeech();
        if (unit < 0 || unit >= speechUnits) {
            throw new IllegalArgumentException(
                    "speech unit " + unit + " is outside [0, " + speechUnits + ")");
        }
        return firstUnitToken() + unit;
    }

    /**
     * Speech unit of token {@code token}, which must be a speech unit token (not BOSP or EOSP).
     *
     * @throws IllegalArgumentException otherwise
     */
    public int speechUnit(int token) {
        checkSpeech();
        if (!isSpeechUnitToken(token)) {
            throw new IllegalArgumentException(
                    "token "
                            + token
                            + " is not a speech unit; speech units are "
                            + new Range(firstUnitToken(), vocabSize()));
        }
        return token - firstUnitToken();
    }

    /** Token ids of speech units. */
    public int[] speechTokens(int[] units) {
        checkSpeech();
        int[] tokens = new int[units.length];
        for (int i = 0; i < units.length; i++) {
            tokens[i] = speechToken(units[i]);
        }
        return tokens;
    }

    /** Number of speech units U; 0 for a vocabulary without speech. */
    public int speechUnits() {
        return speechUnits;
    }

    /** Speech units of speech unit tokens. */
    public int[] speechUnits(int[] tokens) {
        checkSpeech();
        int[] units = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            units[i] = speechUnit(tokens[i]);
        }
        return units;
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
     * A readable name for a token: {@code 'a'}, {@code <0xc3>}, {@code <BOS>}, {@code <img:17>},
     * {@code <BOSP>}, {@code <sp:42>}.
     */
    public String tokenName(int token) {
        checkToken(token);
        if (token >= speechStart()) {
            return speechTokenName(token);
        }
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

    private String speechTokenName(int token) {
        if (token == bosp()) {
            return "<BOSP>";
        }
        return token == eosp() ? "<EOSP>" : "<sp:" + speechUnit(token) + ">";
    }

    /** First id of the speech range (the vocabulary size when there is no speech). */
    private int speechStart() {
        return TEXT_TOKENS + imageCodes;
    }

    private int firstUnitToken() {
        return speechStart() + SPEECH_MARKERS;
    }

    private void checkSpeech() {
        if (!hasSpeech()) {
            throw new IllegalArgumentException(
                    "this vocabulary ("
                            + this
                            + ") has no speech range; make one with JointVocabulary.withSpeech("
                            + imageCodes
                            + ", units)");
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
        return o instanceof JointVocabulary v
                && v.imageCodes == imageCodes
                && v.speechUnits == speechUnits;
    }

    @Override
    public int hashCode() {
        // without speech, the hash of the two-modality vocabulary as before
        return imageCodes + 31 * speechUnits;
    }

    @Override
    public String toString() {
        return "JointVocabulary["
                + vocabSize()
                + " tokens: text "
                + textRange()
                + ", image "
                + imageRange()
                + (hasSpeech() ? ", speech " + new Range(speechStart(), vocabSize()) : "")
                + "]";
    }
}
