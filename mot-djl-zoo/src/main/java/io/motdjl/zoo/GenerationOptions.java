package io.motdjl.zoo;

import io.motdjl.generate.SamplingSettings;

import java.util.Map;

/**
 * How the generation translators ({@link TextContinuationTranslator}, {@link
 * CaptionToImageTranslator}, {@link ImageToCaptionTranslator}, {@link SpeechToCaptionTranslator},
 * {@link CaptionToSpeechTranslator}) draw tokens, read from the {@code arguments} of a DJL {@code
 * Criteria} ({@code optArgument(key, value)}) or from a model's {@code serving.properties}. Values
 * may be numbers or strings that hold one; every key is optional:
 *
 * <table>
 *   <caption>Generation arguments</caption>
 *   <tr><th>key</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@value #TEMPERATURE}</td><td>0 = greedy decoding, else a positive finite divisor of
 *       the logits (sampling)</td><td>0</td></tr>
 *   <tr><td>{@value #TOP_K}</td><td>sample from the k most likely tokens only; 0 = all</td>
 *       <td>0</td></tr>
 *   <tr><td>{@value #TOP_P}</td><td>nucleus sampling: the smallest most-likely set with at least
 *       this probability, in (0, 1]</td><td>1</td></tr>
 *   <tr><td>{@value #SEED}</td><td>seed of the draws (an integer); the same seed gives the same
 *       output</td><td>0</td></tr>
 *   <tr><td>{@value #MAX_TOKENS}</td><td>the longest generated text in tokens (UTF-8 bytes), for
 *       the translators that output text; for caption → speech the most speech units of one
 *       utterance; a positive integer</td><td>as many as the model's {@code max_seq_len} leaves
 *       after the prompt, at most {@value #DEFAULT_MAX_TOKENS} (caption → speech: {@value
 *       CaptionToSpeechTranslator#DEFAULT_MAX_SPEECH_UNITS})</td></tr>
 * </table>
 *
 * <p>With greedy decoding {@code topK}, {@code topP} and {@code seed} have no effect. An image
 * always has the image tokenizer's number of codes, so {@code maxTokens} does not apply to caption
 * → image. Other keys (for example {@code blockFactory}) are left to whoever reads them.
 *
 * @param sampling how each token is drawn
 * @param maxTokens the longest generated text in tokens; 0 for the default
 */
public record GenerationOptions(SamplingSettings sampling, int maxTokens) {

    /** Argument key: sampling temperature (0 = greedy). */
    public static final String TEMPERATURE = "temperature";

    /** Argument key: top-k filtering (0 = off). */
    public static final String TOP_K = "topK";

    /** Argument key: nucleus (top-p) filtering (1 = off). */
    public static final String TOP_P = "topP";

    /** Argument key: seed of the draws. */
    public static final String SEED = "seed";

    /** Argument key: the longest generated text in tokens. */
    public static final String MAX_TOKENS = "maxTokens";

    /** The most text tokens generated when {@value #MAX_TOKENS} is not given. */
    public static final int DEFAULT_MAX_TOKENS = 64;

    /** Validates the options. */
    public GenerationOptions {
        if (sampling == null) {
            throw new IllegalArgumentException("sampling settings are required");
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException(
                    MAX_TOKENS
                            + " must be a positive integer (or 0 for the default), got "
                            + maxTokens);
        }
    }

    /** Greedy decoding, default length. */
    public static GenerationOptions greedy() {
        return new GenerationOptions(SamplingSettings.greedy(), 0);
    }

    /** These options with other sampling settings. */
    public GenerationOptions withSampling(SamplingSettings newSampling) {
        return new GenerationOptions(newSampling, maxTokens);
    }

    /** These options with another length limit (0 for the default). */
    public GenerationOptions withMaxTokens(int max) {
        return new GenerationOptions(sampling, max);
    }

    /**
     * Reads the options from DJL arguments.
     *
     * @param arguments the criteria's (or model's) arguments; null or empty for greedy decoding
     * @return the options
     * @throws IllegalArgumentException naming the key, the value and what was expected, if a value
     *     has the wrong type or lies outside its range
     */
    public static GenerationOptions fromArguments(Map<String, ?> arguments) {
        if (arguments == null) {
            return greedy();
        }
        double temperature = doubleValue(arguments, TEMPERATURE, 0);
        int topK = (int) integerValue(arguments, TOP_K, 0, 0, Integer.MAX_VALUE);
        double topP = doubleValue(arguments, TOP_P, 1);
        long seed = integerValue(arguments, SEED, 0, Long.MIN_VALUE, Long.MAX_VALUE);
        int maxTokens = (int) integerValue(arguments, MAX_TOKENS, 0, 1, Integer.MAX_VALUE);
        SamplingSettings sampling;
        try {
            sampling = new SamplingSettings(temperature, topK, topP, seed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "bad generation arguments ("
                            + TEMPERATURE
                            + ", "
                            + TOP_K
                            + ", "
                            + TOP_P
                            + "): "
                            + e.getMessage(),
                    e);
        }
        return new GenerationOptions(sampling, maxTokens);
    }

    /**
     * The number of text tokens to generate after a prompt.
     *
     * @param promptLength the longest prompt in tokens
     * @param maxSeqLen the model's longest sequence
     * @return {@link #maxTokens()} when given (the generator refuses it if it does not fit), else
     *     what fits, at most {@value #DEFAULT_MAX_TOKENS}
     * @throws IllegalArgumentException if the prompt leaves no room at all
     */
    public int maxTokensFor(int promptLength, int maxSeqLen) {
        if (maxTokens > 0) {
            return maxTokens;
        }
        int room = maxSeqLen - promptLength;
        if (room < 1) {
            throw new IllegalArgumentException(
                    "the prompt has "
                            + promptLength
                            + " tokens, which leaves no room for"
                            + " generated tokens in the model's max_seq_len "
                            + maxSeqLen);
        }
        return Math.min(DEFAULT_MAX_TOKENS, room);
    }

    /**
     * A number argument.
     *
     * @param arguments the arguments
     * @param key its key
     * @param def the value when absent
     * @throws IllegalArgumentException naming the key if the value is not a number
     */
    static double doubleValue(Map<String, ?> arguments, String key, double def) {
        Object value = arguments.get(key);
        if (value == null) {
            return def;
        }
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof CharSequence s) {
            try {
                return Double.parseDouble(s.toString().trim());
            } catch (NumberFormatException e) {
                // below
            }
        }
        throw new IllegalArgumentException(
                "generation argument '" + key + "' must be a number, got " + describe(value));
    }

    /**
     * An integer argument in {@code [min, max]}.
     *
     * @param arguments the arguments
     * @param key its key
     * @param def the value when absent
     * @param min the least value allowed
     * @param max the greatest value allowed
     * @throws IllegalArgumentException naming the key and the range if the value is not an integer
     *     in it
     */
    static long integerValue(Map<String, ?> arguments, String key, long def, long min, long max) {
        Object value = arguments.get(key);
        if (value == null) {
            return def;
        }
        long result;
        if (value instanceof Byte
                || value instanceof Short
                || value instanceof Integer
                || value instanceof Long) {
            result = ((Number) value).longValue();
        } else if (value instanceof Number n && isIntegral(n.doubleValue())) {
            result = (long) n.doubleValue();
        } else if (value instanceof CharSequence s) {
            try {
                result = Long.parseLong(s.toString().trim());
            } catch (NumberFormatException e) {
                throw notAnInteger(key, value);
            }
        } else {
            throw notAnInteger(key, value);
        }
        if (result < min || result > max) {
            throw new IllegalArgumentException(
                    "generation argument '"
                            + key
                            + "' must be an integer in ["
                            + min
                            + ", "
                            + max
                            + "], got "
                            + describe(value));
        }
        return result;
    }

    private static boolean isIntegral(double d) {
        return Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 0x1p62;
    }

    private static IllegalArgumentException notAnInteger(String key, Object value) {
        return new IllegalArgumentException(
                "generation argument '" + key + "' must be an integer, got " + describe(value));
    }

    /** A value as messages quote it: strings in quotes, numbers as they are. */
    static String describe(Object value) {
        if (value instanceof CharSequence) {
            return "\"" + value + "\"";
        }
        if (value instanceof Number) {
            return value.toString();
        }
        return value + " of type " + value.getClass().getName();
    }
}
