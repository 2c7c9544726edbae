package io.motdjl.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

import io.motdjl.config.MoTConfig;
import io.motdjl.io.CheckpointException;
import io.motdjl.io.ReferenceCheckpoint;
import io.motdjl.io.StrictJson;
import io.motdjl.nn.MoTModel;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A training checkpoint directory: a reference checkpoint ({@code config.json} and {@code
 * model.safetensors}, loadable on its own by {@link ReferenceCheckpoint} and by PyTorch) plus the
 * training state: {@code optimizer.bin} (AdamW moments and update counts) and {@code training.json}
 * (settings, step, data position, tokens and FLOPs so far). With the seed in the settings, that is
 * all a run needs to continue exactly.
 *
 * <p>A checkpoint is written into a fresh sibling directory and then renamed into place, so a crash
 * while saving leaves the previous checkpoint whole.
 *
 * @param config the model's config
 * @param settings the run's settings
 * @param step steps completed
 * @param position where the data order continues
 * @param totalTokens real tokens processed so far
 * @param totalTrainingFlops analytic training FLOPs so far
 */
public record TrainingCheckpoint(
        MoTConfig config,
        TrainingSettings settings,
        int step,
        DataPosition position,
        long totalTokens,
        double totalTrainingFlops) {

    public static final String STATE_FILE = "training.json";
    public static final String OPTIMIZER_FILE = "optimizer.bin";

    private static final String FORMAT = "mot-djl-training-checkpoint";
    private static final int VERSION = 1;

    /**
     * Writes the checkpoint to {@code dir}, replacing what was there.
     *
     * @param dir the checkpoint directory
     * @param model the model being trained (its config must be this checkpoint's)
     * @param optimizer its optimizer
     * @throws IOException if writing fails
     */
    public void write(Path dir, MoTModel model, ResumableAdamW optimizer) throws IOException {
        if (!model.config().equals(config)) {
            throw new IllegalArgumentException("the model's config differs from the checkpoint's");
        }
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path staging = parent.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectory(staging);
            ReferenceCheckpoint.save(model, staging);
            try (OutputStream os =
                    new BufferedOutputStream(
                            Files.newOutputStream(staging.resolve(OPTIMIZER_FILE)))) {
                optimizer.saveState(os, ParameterNames.of(model));
            }
            String json = new GsonBuilder().setPrettyPrinting().create().toJson(toJson());
            Files.writeString(staging.resolve(STATE_FILE), json + "\n", StandardCharsets.UTF_8);
            replace(staging, target);
        } finally {
            deleteRecursively(staging);
        }
    }

    private static void replace(Path staging, Path target) throws IOException {
        if (!Files.exists(target)) {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Path old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        deleteRecursively(old);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("version", VERSION);
        o.addProperty("step", step);
        o.addProperty("epoch", position.epoch());
        o.addProperty("batch_in_epoch", position.batchInEpoch());
        o.addProperty("total_tokens", totalTokens);
        o.addProperty("total_training_flops", totalTrainingFlops);
        o.add("settings", settings.toJson());
        return o;
    }

    /**
     * Reads a checkpoint's config and training state (not yet the weights or optimizer state).
     *
     * @throws CheckpointException if a file is missing or malformed
     */
    public static TrainingCheckpoint read(Path dir) throws IOException {
        Path stateFile = dir.resolve(STATE_FILE);
        Path configFile = dir.resolve(ReferenceCheckpoint.CONFIG_FILE);
        for (Path f :
                new Path[] {
                    stateFile,
                    configFile,
                    dir.resolve(ReferenceCheckpoint.WEIGHTS_FILE),
                    dir.resolve(OPTIMIZER_FILE)
                }) {
            if (!Files.isRegularFile(f)) {
                throw new CheckpointException(
                        dir + ": not a training checkpoint, " + f.getFileName() + " is missing");
            }
        }
        try {
            MoTConfig config = MoTConfig.read(configFile);
            JsonObject o =
                    StrictJson.parse(Files.readString(stateFile, StandardCharsets.UTF_8))
                            .getAsJsonObject();
            if (!FORMAT.equals(string(o, "format")) || integer(o, "version") != VERSION) {
                throw new CheckpointException(
                        stateFile + ": expected format " + FORMAT + " version " + VERSION);
            }
            JsonElement settings = o.get("settings");
            if (settings == null || !settings.isJsonObject()) {
                throw new CheckpointException(stateFile + ": no \"settings\" object");
            }
            return new TrainingCheckpoint(
                    config,
                    TrainingSettings.fromJson(settings.getAsJsonObject()),
                    integer(o, "step"),
                    new DataPosition(integer(o, "epoch"), number(o, "batch_in_epoch").longValue()),
                    number(o, "total_tokens").longValue(),
                    number(o, "total_training_flops").doubleValue());
        } catch (IOException
                | JsonParseException
                | IllegalArgumentException
                | IllegalStateException e) {
            throw new CheckpointException(dir + ": malformed training state: " + e.getMessage(), e);
        }
    }

    /** Copies the checkpoint's weights into {@code model} (initialised, same config). */
    public static void loadWeights(Path dir, MoTModel model) throws IOException {
        ReferenceCheckpoint.loadWeights(model, dir.resolve(ReferenceCheckpoint.WEIGHTS_FILE));
    }

    /** Replaces {@code optimizer}'s state with the checkpoint's, for {@code model}'s params. */
    public static void loadOptimizer(
            Path dir, ResumableAdamW optimizer, MoTModel model, ai.djl.Device device)
            throws IOException {
        try (InputStream is =
                new BufferedInputStream(Files.newInputStream(dir.resolve(OPTIMIZER_FILE)))) {
            optimizer.loadState(is, ParameterNames.of(model), device);
        }
    }

    private static Number number(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("missing number \"" + key + "\"");
        }
        return e.getAsNumber();
    }

    private static int integer(JsonObject o, String key) {
        return Math.toIntExact(number(o, key).longValue());
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || !e.isJsonPrimitive() ? null : e.getAsString();
    }
}
