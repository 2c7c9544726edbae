package io.motdjl.train;

import ai.djl.TrainingDivergedException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.List;

/**
 * Gradient clipping by the global L2 norm over all parameters, as {@code
 * torch.nn.utils.clip_grad_norm_}: with {@code n = sqrt(Σ_p ‖g_p‖²)}, every gradient is scaled by
 * {@code maxNorm / (n + 1e-6)} when that is below 1. (DJL's own {@code clipGrad} clips each element
 * separately, which changes the gradient's direction.)
 */
public final class GlobalNormClipping {

    /** Added to the norm before dividing, as PyTorch does, so a zero norm is harmless. */
    public static final double EPSILON = 1e-6;

    private GlobalNormClipping() {}

    /**
     * The global L2 norm of {@code gradients}: per-tensor norms in the gradients' type, combined in
     * float64 with one device sync.
     *
     * @param gradients gradients of every parameter (not modified)
     * @return the norm, possibly NaN or infinite
     */
    public static double norm(List<NDArray> gradients) {
        if (gradients.isEmpty()) {
            return 0.0;
        }
        // temporaries land in the gradients' manager; a sub-manager takes them and frees them
        try (NDManager scratch = gradients.get(0).getManager().newSubManager()) {
            scratch.tempAttachAll(gradients.toArray(new NDArray[0]));
            NDList norms = new NDList(gradients.size());
            for (NDArray g : gradients) {
                norms.add(g.norm().toType(DataType.FLOAT64, false));
            }
            return NDArrays.stack(norms).square().sum().sqrt().getDouble();
        }
    }

    /**
     * Scales {@code gradients} in place so that their global norm is at most {@code maxNorm}.
     *
     * @param gradients gradients of every parameter, modified in place
     * @param maxNorm the largest allowed norm; {@code Double.POSITIVE_INFINITY} only measures
     * @return the global norm before clipping
     * @throws TrainingDivergedException when the norm is NaN or infinite (the update would destroy
     *     the weights)
     */
    public static double clip(List<NDArray> gradients, double maxNorm) {
        return clipReplicated(gradients.stream().map(List::of).toList(), maxNorm);
    }

    /**
     * Clips a data-parallel run's gradients, where each parameter has one gradient per device and
     * the update will use their sum: the norm is that of the sums, and every device's gradient is
     * scaled by the same factor (so the sum is scaled by it). With one device per parameter this is
     * {@link #clip}.
     *
     * @param gradients per parameter, its gradient on every device (the first is where the sum is
     *     formed), modified in place
     * @param maxNorm the largest allowed norm; {@code Double.POSITIVE_INFINITY} only measures
     * @return the global norm of the summed gradients before clipping
     * @throws TrainingDivergedException when the norm is NaN or infinite
     */
    public static double clipReplicated(List<List<NDArray>> gradients, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be positive, got " + maxNorm);
        }
        if (gradients.isEmpty()) {
            return 0.0;
        }
        double total;
        try (NDManager scratch = gradients.get(0).get(0).getManager().newSubManager()) {
            List<NDArray> sums = new ArrayList<>(gradients.size());
            for (List<NDArray> perDevice : gradients) {
                NDArray sum = perDevice.get(0);
                if (perDevice.size() > 1) {
                    sum = scratch.zeros(sum.getShape(), sum.getDataType(), sum.getDevice());
                    for (NDArray g : perDevice) {
                        try (NDArray here = g.toDevice(sum.getDevice(), true)) {
                            sum.addi(here);
                        }
                    }
                }
                sums.add(sum);
            }
            total = norm(sums);
        }
        if (!Double.isFinite(total)) {
            throw new TrainingDivergedException(
                    "the global gradient norm is " + total + "; the step is not applied");
        }
        double scale = maxNorm / (total + EPSILON);
        if (scale < 1.0) {
            for (List<NDArray> perDevice : gradients) {
                for (NDArray g : perDevice) {
                    // grad mode is off here, so a Java-backed scalar freed after the call is safe
                    g.muli(scale);
                }
            }
        }
        return total;
    }

    /** Whether {@link #clip} scales gradients of global norm {@code norm}. */
    public static boolean clips(double norm, double maxNorm) {
        return maxNorm / (norm + EPSILON) < 1.0;
    }
}
