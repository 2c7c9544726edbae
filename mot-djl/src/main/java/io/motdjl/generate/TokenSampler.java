package io.motdjl.generate;

import io.motdjl.util.Seeds;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws one token from a row of logits under {@link SamplingSettings}, among the tokens a {@link
 * DecodingRule} allows. Runs on the host in double precision: a row of logits is small next to a
 * forward pass, and host code makes the draws exactly reproducible.
 */
public final class TokenSampler {

    private final SamplingSettings settings;

    /** A sampler with {@code settings}. */
    public TokenSampler(SamplingSettings settings) {
        this.settings = settings;
    }

    /** The settings. */
    public SamplingSettings settings() {
        return settings;
    }

    /**
     * The random generator of row {@code row}: a function of the seed and the row only, so a
     * prompt's output does not depend on the other prompts of its batch.
     */
    public SplittableRandom randomForRow(int row) {
        return Seeds.splittableRandom(settings.seed(), row);
    }

    /**
     * Draws a token.
     *
     * @param logits the vocabulary's logits
     * @param allowed which tokens may be drawn (same length as {@code logits})
     * @param random the row's generator (unused when greedy)
     * @return the token id
     * @throws IllegalStateException if no token is allowed, or no allowed logit is finite
     */
    public int sample(float[] logits, boolean[] allowed, SplittableRandom random) {
        int[] candidates = allowedFinite(logits, allowed);
        if (settings.isGreedy()) {
            int best = candidates[0];
            for (int token : candidates) {
                if (logits[token] > logits[best]) {
                    best = token;
                }
            }
            return best;
        }
        // most likely first; equal logits keep token order, so the draw is deterministic
        Integer[] order = Arrays.stream(candidates).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        int keep = settings.topK() > 0 ? Math.min(settings.topK(), order.length) : order.length;
        double max = logits[order[0]];
        double[] weights = new double[keep];
        double total = 0;
        for (int i = 0; i < keep; i++) {
            weights[i] = Math.exp((logits[order[i]] - max) / settings.temperature());
            total += weights[i];
        }
        if (settings.topP() < 1) {
            double cumulative = 0;
            int nucleus = keep;
            for (int i = 0; i < keep; i++) {
                cumulative += weights[i] / total;
                if (cumulative >= settings.topP()) {
                    nucleus = i + 1;
                    break;
                }
            }
            keep = nucleus;
            total = 0;
            for (int i = 0; i < keep; i++) {
                total += weights[i];
            }
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            u -= weights[i];
            if (u < 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    private static int[] allowedFinite(float[] logits, boolean[] allowed) {
        if (allowed.length != logits.length) {
            throw new IllegalArgumentException(
                    "the allowed-token mask has "
                            + allowed.length
                            + " entries but the logits "
                            + logits.length);
        }
        int count = 0;
        int[] candidates = new int[logits.length];
        for (int t = 0; t < logits.length; t++) {
            if (allowed[t] && Float.isFinite(logits[t])) {
                candidates[count++] = t;
            }
        }
        if (count == 0) {
            throw new IllegalStateException(
                    "no token can be drawn: the decoding rule allows none with a finite logit");
        }
        return Arrays.copyOf(candidates, count);
    }
}
