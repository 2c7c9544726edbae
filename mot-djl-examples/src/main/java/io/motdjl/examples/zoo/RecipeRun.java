package io.motdjl.examples.zoo;

import ai.djl.Device;
import ai.djl.training.dataset.Dataset;
import ai.djl.translate.TranslateException;

import io.motdjl.config.MoTConfig;
import io.motdjl.examples.compare.ChameleonComparison;
import io.motdjl.objective.Objective;
import io.motdjl.train.FlopsAccounting;
import io.motdjl.train.RunOptions;
import io.motdjl.train.TrainingRun;

import java.io.IOException;
import java.util.List;
import java.util.function.Function;

/**
 * One model trained to the end with a zoo recipe ({@link TrainZooModels.Settings}: AdamW with
 * warmup and cosine decay, the recipe's seed and data order, a log line every 100 steps), whatever
 * the setting, on the recipe's devices. The run stays open for evaluation and writing until closed.
 *
 * @param run the finished run
 * @param flops the model's FLOPs accounting
 * @param seconds the wall-clock time of training
 */
record RecipeRun(TrainingRun run, FlopsAccounting flops, double seconds) implements AutoCloseable {

    /**
     * Trains {@code config} on {@code train} to the recipe's last step.
     *
     * @param config the model
     * @param settings the recipe
     * @param train the training data
     * @param modalities the modality names, for logs
     * @param objective the training objective of a config, or null for next-token loss
     */
    static RecipeRun train(
            MoTConfig config,
            TrainZooModels.Settings settings,
            Dataset train,
            List<String> modalities,
            Function<MoTConfig, Objective> objective)
            throws IOException, TranslateException {
        RunOptions.Builder options =
                RunOptions.builder().modalityNames(modalities).logEvery(100).progressBar(false);
        if (objective != null) {
            options.objective(objective);
        }
        if (!settings.devices().isEmpty()) {
            options.devices(settings.devices().toArray(new Device[0]));
        }
        long start = System.nanoTime();
        TrainingRun run =
                TrainingRun.start(
                        config,
                        ChameleonComparison.recipe(
                                settings.seed(),
                                settings.batchSize(),
                                settings.steps(),
                                settings.peakLearningRate()),
                        train,
                        options.build());
        try {
            run.trainToEnd();
        } catch (IOException | TranslateException | RuntimeException e) {
            run.close();
            throw e;
        }
        return new RecipeRun(run, FlopsAccounting.of(config), (System.nanoTime() - start) / 1e9);
    }

    @Override
    public void close() {
        run.close();
    }
}
