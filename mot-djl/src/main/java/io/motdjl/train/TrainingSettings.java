package io.motdjl.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Everything that decides a training run's numbers: the seed, the batch size and data order, the
 * learning-rate schedule, AdamW's hyper-parameters and gradient clipping. Saved in every
 * checkpoint, so that a resumed run continues with the same settings. Immutable; built with {@link
 * #builder()}.
 *
 * <p>Things that do not change the numbers (device, logging, progress bar) are {@link RunOptions}.
 *
 * @param seed seeds model initialisation, the data order and every step's engine RNG
 * @param batchSize sequences per training step
 * @param totalSteps length of the learning-rate schedule (the cosine ends here)
 * @param warmupSteps linear warmup steps
 * @param peakLearningRate learning rate at the end of warmup
 * @param finalLearningRate learning-rate floor reached at {@code totalSteps}
 * @param weightDecay decoupled weight decay λ (applied to matrices only)
 * @param beta1 AdamW β1
 * @param beta2 AdamW β2
 * @param epsilon AdamW ε
 * @param maxGradNorm largest global gradient norm; {@code +∞} measures without clipping
 * @param dropLastBatch whether an epoch's last, smaller batch is skipped (keeps every step's shape)
 */
public record TrainingSettings(
        int seed,
        int batchSize,
        int totalSteps,
        int warmupSteps,
        double peakLearningRate,
        double finalLearningRate,
        double weightDecay,
        double beta1,
        double beta2,
        double epsilon,
        double maxGradNorm,
        boolean dropLastBatch) {

    private static final Set<String> KEYS =
            Set.of(
                    "seed",
                    "batch_size",
                    "total_steps",
                    "warmup_steps",
                    "peak_learning_rate",
                    "final_learning_rate",
                    "weight_decay",
                    "beta1",
                    "beta2",
                    "epsilon",
                    "max_grad_norm",
                    "drop_last_batch");

    /**
     * The canonical constructor: checks every value.
     *
     * @throws IllegalArgumentException naming every invalid value
     */
    public TrainingSettings {
        validate(
                batchSize,
                totalSteps,
                warmupSteps,
                peakLearningRate,
                finalLearningRate,
                weightDecay,
                beta1,
                beta2,
                epsilon,
                maxGradNorm);
    }

    /** Starts a builder with small-model defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, for a variant. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.seed = seed;
        b.batchSize = batchSize;
        b.totalSteps = totalSteps;
        b.warmupSteps = warmupSteps;
        b.peakLearningRate = peakLearningRate;
        b.finalLearningRate = finalLearningRate;
        b.weightDecay = weightDecay;
        b.beta1 = beta1;
        b.beta2 = beta2;
        b.epsilon = epsilon;
        b.maxGradNorm = maxGradNorm;
        b.dropLastBatch = dropLastBatch;
        return b;
    }

    private static void validate(
            int batchSize,
            int totalSteps,
            int warmupSteps,
            double peakLearningRate,
            double finalLearningRate,
            double weightDecay,
            double beta1,
            double beta2,
            double epsilon,
            double maxGradNorm) {
        List<String> errors = new ArrayList<>();
        if (batchSize < 1) {
            errors.add("batch_size must be positive, got " + batchSize);
        }
        if (totalSteps < 1) {
            errors.add("total_steps must be positive, got " + totalSteps);
        }
        if (warmupSteps < 0 || warmupSteps > totalSteps) {
            errors.add("warmup_steps must be in [0, total_steps], got " + warmupSteps);
        }
        if (!(peakLearningRate > 0) || Double.isInfinite(peakLearningRate)) {
            errors.add("peak_learning_rate must be positive, got " + peakLearningRate);
        }
        if (!(finalLearningRate >= 0) || finalLearningRate > peakLearningRate) {
            errors.add("final_learning_rate must be in [0, peak], got " + finalLearningRate);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            errors.add("weight_decay must be non-negative, got " + weightDecay);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            errors.add("beta1 and beta2 must be in [0, 1), got " + beta1 + " and " + beta2);
        }
        if (!(epsilon > 0)) {
            errors.add("epsilon must be positive, got " + epsilon);
        }
        if (!(maxGradNorm > 0)) {
            errors.add(
                    "max_grad_norm must be positive (infinity: no clipping), got " + maxGradNorm);
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(
                    "Invalid training settings: " + String.join("; ", errors));
        }
    }

    /** The learning-rate schedule these settings describe. */
    public WarmupCosineTracker learningRateSchedule() {
        return WarmupCosineTracker.builder()
                .setPeakValue(peakLearningRate)
                .optFinalValue(finalLearningRate)
                .optWarmupSteps(warmupSteps)
                .setTotalSteps(totalSteps)
                .build();
    }

    /** A {@link ResumableAdamW} optimizer with these hyper-parameters and schedule. */
    public ResumableAdamW optimizer() {
        return ResumableAdamW.builder()
                .optLearningRateTracker(learningRateSchedule())
                .optBeta1(beta1)
                .optBeta2(beta2)
                .optEpsilon(epsilon)
                .optWeightDecays((float) weightDecay)
                .build();
    }

    // ---------------------------------------------------------------- JSON

    /** These settings as a JSON object (snake_case keys). */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("seed", seed);
        o.addProperty("batch_size", batchSize);
        o.addProperty("total_steps", totalSteps);
        o.addProperty("warmup_steps", warmupSteps);
        o.addProperty("peak_learning_rate", peakLearningRate);
        o.addProperty("final_learning_rate", finalLearningRate);
        o.addProperty("weight_decay", weightDecay);
        o.addProperty("beta1", beta1);
        o.addProperty("beta2", beta2);
        o.addProperty("epsilon", epsilon);
        // JSON has no infinity: a missing key means no clipping
        if (Double.isFinite(maxGradNorm)) {
            o.addProperty("max_grad_norm", maxGradNorm);
        }
        o.addProperty("drop_last_batch", dropLastBatch);
        return o;
    }

    /** Reads settings written by {@link #toJson()}. */
    public static TrainingSettings fromJson(JsonObject o) {
        for (String key : o.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        "Invalid training settings: unknown key \"" + key + "\"; expected " + KEYS);
            }
        }
        Builder b = new Builder();
        b.seed = required(o, "seed").getAsInt();
        b.batchSize = required(o, "batch_size").getAsInt();
        b.totalSteps = required(o, "total_steps").getAsInt();
        b.warmupSteps = required(o, "warmup_steps").getAsInt();
        b.peakLearningRate = required(o, "peak_learning_rate").getAsDouble();
        b.finalLearningRate = required(o, "final_learning_rate").getAsDouble();
        b.weightDecay = required(o, "weight_decay").getAsDouble();
        b.beta1 = required(o, "beta1").getAsDouble();
        b.beta2 = required(o, "beta2").getAsDouble();
        b.epsilon = required(o, "epsilon").getAsDouble();
        b.maxGradNorm =
                o.has("max_grad_norm")
                        ? o.get("max_grad_norm").getAsDouble()
                        : Double.POSITIVE_INFINITY;
        b.dropLastBatch = required(o, "drop_last_batch").getAsBoolean();
        return b.build();
    }

    private static JsonElement required(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull() || !e.isJsonPrimitive()) {
            throw new IllegalArgumentException(
                    "Invalid training settings: missing or non-scalar \"" + key + "\"");
        }
        return e;
    }

    @Override
    public String toString() {
        return toJson().toString();
    }

    /** Builder for {@link TrainingSettings}. */
    public static final class Builder {
        private int seed;
        private int batchSize = 8;
        private int totalSteps = 1000;
        private int warmupSteps;
        private double peakLearningRate = 1e-3;
        private double finalLearningRate = Double.NaN;
        private double weightDecay = 0.1;
        private double beta1 = 0.9;
        private double beta2 = 0.95;
        private double epsilon = 1e-8;
        private double maxGradNorm = 1.0;
        private boolean dropLastBatch = true;

        private Builder() {}

        /** Seed (default 0). */
        public Builder seed(int v) {
            seed = v;
            return this;
        }

        /** Sequences per step (default 8). */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        /** Length of the learning-rate schedule (default 1000). */
        public Builder totalSteps(int v) {
            totalSteps = v;
            return this;
        }

        /** Linear warmup steps (default 0). */
        public Builder warmupSteps(int v) {
            warmupSteps = v;
            return this;
        }

        /** Peak learning rate (default 1e-3). */
        public Builder peakLearningRate(double v) {
            peakLearningRate = v;
            return this;
        }

        /** Learning-rate floor (default a tenth of the peak). */
        public Builder finalLearningRate(double v) {
            finalLearningRate = v;
            return this;
        }

        /** Decoupled weight decay (default 0.1). */
        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        /** AdamW β1 (default 0.9). */
        public Builder beta1(double v) {
            beta1 = v;
            return this;
        }

        /** AdamW β2 (default 0.95). */
        public Builder beta2(double v) {
            beta2 = v;
            return this;
        }

        /** AdamW ε (default 1e-8). */
        public Builder epsilon(double v) {
            epsilon = v;
            return this;
        }

        /** Global gradient-norm limit (default 1.0; {@code Double.POSITIVE_INFINITY}: none). */
        public Builder maxGradNorm(double v) {
            maxGradNorm = v;
            return this;
        }

        /** Whether to skip an epoch's last, smaller batch (default true). */
        public Builder dropLastBatch(boolean v) {
            dropLastBatch = v;
            return this;
        }

        /** Builds and validates the settings. */
        public TrainingSettings build() {
            return new TrainingSettings(
                    seed,
                    batchSize,
                    totalSteps,
                    warmupSteps,
                    peakLearningRate,
                    Double.isNaN(finalLearningRate) ? 0.1 * peakLearningRate : finalLearningRate,
                    weightDecay,
                    beta1,
                    beta2,
                    epsilon,
                    maxGradNorm,
                    dropLastBatch);
        }
    }
}
