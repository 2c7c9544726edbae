package io.motdjl.examples.zoo;

import io.motdjl.config.MoTConfig;
import io.motdjl.train.FlopsAccounting;
import io.motdjl.train.TrainingRun;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model card facts the zoo's training programs write whatever the setting: the model's size and
 * shape, and the training run's steps, tokens, FLOPs, optimizer and schedule.
 */
final class ZooModelCards {

    private ZooModelCards() {}

    /**
     * The artifact name of a recipe's model, e.g. {@code mot-d64-l2}.
     *
     * @param isMot the MoT (true) or its dense twin (false)
     * @param settings the recipe
     */
    static String name(boolean isMot, TrainZooModels.Settings settings) {
        return (isMot ? "mot-" : "dense-") + settings.suffix();
    }

    /**
     * The model facts: architecture, parameters, shape, modalities, vocabulary, length, norms and
     * weights format.
     *
     * @param isMot the MoT (true) or its dense twin (false)
     * @param config the model's config
     * @param flops its FLOPs accounting
     * @param modalities what the modality ids hold
     */
    static Map<String, Object> modelFacts(
            boolean isMot, MoTConfig config, FlopsAccounting flops, String modalities) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put(
                "architecture",
                isMot
                        ? "Mixture-of-Transformers: attention, FFN and norms untied by modality (untie=all)"
                        : "dense twin: the same config with nothing untied (untie=none)");
        model.put("parameters", flops.totalParameters());
        model.put("dim", config.dim());
        model.put("layers", config.nLayers());
        model.put("heads", config.nHeads());
        model.put("ffn_hidden_dim", config.ffnHiddenDim());
        model.put("modalities", modalities);
        model.put("vocab_size", config.vocabSize());
        model.put("max_seq_len", config.maxSeqLen());
        model.put("norm_order", config.normOrder().jsonName() + " (Chameleon), qk-norm");
        model.put("weights", "float32 safetensors, reference layout");
        return model;
    }

    /**
     * The training facts of a finished run.
     *
     * @param run the run
     * @param settings its recipe
     * @param config the model's config
     * @param flops its FLOPs accounting
     * @param seconds the wall-clock time of training
     */
    static Map<String, Object> trainingFacts(
            TrainingRun run,
            TrainZooModels.Settings settings,
            MoTConfig config,
            FlopsAccounting flops,
            double seconds) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("steps", run.step());
        facts.put("batch_size", settings.batchSize());
        facts.put("tokens", run.totalTokens());
        facts.put("training_flops", run.totalTrainingFlops());
        facts.put(
                "training_flops_per_token_at_max_len",
                (double) flops.trainingFlopsPerToken(config.maxSeqLen()));
        facts.put("optimizer", "AdamW, weight decay 0.1, global-norm clipping 1.0");
        facts.put("peak_learning_rate", settings.peakLearningRate());
        facts.put(
                "schedule",
                "linear warmup " + Math.max(1, settings.steps() / 20) + " steps, cosine decay");
        facts.put("seed", settings.seed());
        facts.put("wall_clock_seconds", Math.round(seconds));
        facts.put(
                "hardware",
                Runtime.getRuntime().availableProcessors()
                        + " CPU cores (PyTorch CPU), shared with other work while it ran");
        return facts;
    }

    /**
     * The filter properties of a published artifact.
     *
     * @param isMot the MoT (true) or its dense twin (false)
     * @param settings its recipe
     */
    static Map<String, String> properties(boolean isMot, TrainZooModels.Settings settings) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("architecture", isMot ? "mot" : "dense");
        properties.put("untie", isMot ? "all" : "none");
        properties.put("dataset", "fashion-mnist");
        properties.put("dim", Integer.toString(settings.dim()));
        properties.put("layers", Integer.toString(settings.layers()));
        return properties;
    }
}
