package io.motdjl.generate;

import java.util.Arrays;

/**
 * Settings of one generation call.
 *
 * @param maxNewTokens the most tokens generated per prompt
 * @param stopTokens a row ends after it generates one of these (it is kept in the output)
 * @param sampling how tokens are drawn
 * @param useCache whether to decode incrementally with a {@link io.motdjl.nn.KeyValueCache} (false
 *     re-runs the whole prefix for every token; for comparison and benchmarks)
 */
public record GenerationSettings(
        int maxNewTokens, int[] stopTokens, SamplingSettings sampling, boolean useCache) {

    /** Validates the settings. */
    public GenerationSettings {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException(
                    "at least one new token must be asked for, got " + maxNewTokens);
        }
        stopTokens = stopTokens == null ? new int[0] : stopTokens.clone();
        if (sampling == null) {
            throw new IllegalArgumentException("sampling settings are required");
        }
    }

    /** Greedy, cached, stopping on {@code stopTokens} or after {@code maxNewTokens}. */
    public static GenerationSettings greedy(int maxNewTokens, int... stopTokens) {
        return new GenerationSettings(maxNewTokens, stopTokens, SamplingSettings.greedy(), true);
    }

    /** These settings with other sampling settings. */
    public GenerationSettings withSampling(SamplingSettings newSampling) {
        return new GenerationSettings(maxNewTokens, stopTokens, newSampling, useCache);
    }

    /** These settings with or without the key/value cache. */
    public GenerationSettings withCache(boolean cache) {
        return new GenerationSettings(maxNewTokens, stopTokens, sampling, cache);
    }

    /** These settings with another length limit. */
    public GenerationSettings withMaxNewTokens(int max) {
        return new GenerationSettings(max, stopTokens, sampling, useCache);
    }

    /** Whether {@code token} ends a row. */
    public boolean isStop(int token) {
        for (int stop : stopTokens) {
            if (stop == token) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationSettings g
                && g.maxNewTokens == maxNewTokens
                && Arrays.equals(g.stopTokens, stopTokens)
                && g.sampling.equals(sampling)
                && g.useCache == useCache;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(stopTokens)
                + sampling.hashCode()
                + maxNewTokens
                + (useCache ? 1 : 0);
    }

    @Override
    public String toString() {
        return "GenerationSettings[maxNewTokens="
                + maxNewTokens
                + ", stopTokens="
                + Arrays.toString(stopTokens)
                + ", sampling="
                + sampling
                + ", useCache="
                + useCache
                + "]";
    }
}
