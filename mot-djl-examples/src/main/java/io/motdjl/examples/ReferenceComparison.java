package io.motdjl.examples;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * How far a forward pass is from a reference case's expected output: the largest absolute
 * difference in logits and in losses. A loss that is NaN on one side only counts as an infinite
 * difference (the reference's NaN means "this modality has no target", which must match exactly).
 *
 * @param maxLogitError max |logits - expected logits|, infinite if the shapes differ
 * @param maxLossError max difference over {@code loss} and {@code loss_per_modality}, 0 when the
 *     reference gives no losses
 */
public record ReferenceComparison(double maxLogitError, double maxLossError) {

    /** The tolerance of the reference cases, on logits and losses alike. */
    public static final double TOLERANCE = 1e-4;

    /**
     * Compares a forward pass with the tensors of an {@code expected.safetensors}.
     *
     * @param pass the computed results
     * @param expected {@code logits}, and optionally {@code loss} and {@code loss_per_modality}
     * @return the differences
     */
    public static ReferenceComparison of(ForwardPass pass, Map<String, NDArray> expected) {
        NDArray want = expected.get(ForwardPass.LOGITS);
        double logitError =
                want == null || !want.getShape().equals(pass.logits().getShape())
                        ? Double.POSITIVE_INFINITY
                        : pass.logits().sub(want).abs().max().getFloat();
        double lossError = 0;
        if (expected.containsKey(ForwardPass.LOSS)) {
            lossError = Math.max(lossError, maxError(pass.loss(), expected.get(ForwardPass.LOSS)));
        }
        if (expected.containsKey(ForwardPass.LOSS_PER_MODALITY)) {
            lossError =
                    Math.max(
                            lossError,
                            maxError(
                                    pass.lossPerModality(),
                                    expected.get(ForwardPass.LOSS_PER_MODALITY)));
        }
        return new ReferenceComparison(logitError, lossError);
    }

    /** Whether logits and losses are within {@link #TOLERANCE}. */
    public boolean matches() {
        return maxLogitError <= TOLERANCE && maxLossError <= TOLERANCE;
    }

    private static double maxError(NDArray got, NDArray want) {
        float[] g = got.toFloatArray();
        float[] w = want.toFloatArray();
        if (g.length != w.length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < g.length; i++) {
            if (Float.isNaN(g[i]) || Float.isNaN(w[i])) {
                max = Float.isNaN(g[i]) && Float.isNaN(w[i]) ? max : Double.POSITIVE_INFINITY;
            } else {
                max = Math.max(max, Math.abs(g[i] - w[i]));
            }
        }
        return max;
    }
}
