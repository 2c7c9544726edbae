package io.motdjl.generate;

/**
 * How the next token is drawn from the model's logits.
 *
 * <p>Temperature 0 is greedy decoding (the most likely allowed token; ties go to the lowest id).
 * Otherwise the logits are divided by the temperature, optionally cut to the {@code topK} most
 * likely tokens and then to the smallest set whose probability reaches {@code topP} (nucleus
 * sampling), and one token is drawn with a generator seeded from {@code seed} and the row's index,
 * so the same seed gives the same output.
 *
 * @param temperature 0 for greedy, else a positive divisor of the logits
 * @param topK keep only the k most likely tokens; 0 keeps all
 * @param topP keep the smallest most-likely set with at least this probability; 1 keeps all
 * @param seed seed of the draws
 */
public record SamplingSettings(double temperature, int topK, double topP, long seed) {

    /** Validates the settings. */
    public SamplingSettings {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException(
                    "temperature must be 0 (greedy) or a positive finite number, got "
                            + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be 0 (off) or positive, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
    }

    /** Greedy decoding. */
    public static SamplingSettings greedy() {
        return new SamplingSettings(0, 0, 1, 0);
    }

    /** Plain sampling at {@code temperature} with {@code seed}. */
    public static SamplingSettings sample(double temperature, long seed) {
        return new SamplingSettings(temperature, 0, 1, seed);
    }

    /** These settings with top-k filtering. */
    public SamplingSettings withTopK(int k) {
        return new SamplingSettings(temperature, k, topP, seed);
    }

    /** These settings with nucleus (top-p) filtering. */
    public SamplingSettings withTopP(double p) {
        return new SamplingSettings(temperature, topK, p, seed);
    }

    /** These settings with another seed. */
    public SamplingSettings withSeed(long newSeed) {
        return new SamplingSettings(temperature, topK, topP, newSeed);
    }

    /** Whether decoding is greedy. */
    public boolean isGreedy() {
        return temperature == 0;
    }
}
