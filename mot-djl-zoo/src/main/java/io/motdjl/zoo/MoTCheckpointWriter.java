package io.motdjl.zoo;

import ai.djl.Model;

import io.motdjl.io.ReferenceCheckpoint;
import io.motdjl.io.SaveOptions;
import io.motdjl.nn.MoTModel;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.tokenize.PatchKMeansTokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes a trained {@link MoTModel} as a checkpoint directory the zoo loads ({@link
 * MoTCheckpoint}): {@code config.json}, the weights ({@code model.safetensors} in the reference
 * layout by default — in float32, bfloat16 or float16, sharded with an index when {@link
 * #saveOptions} sets a shard limit — or DJL's {@code mot-0000.params}), optionally {@code
 * tokenizer.json}, {@code speech-tokenizer.json} and the model card, a {@code serving.properties}
 * that lets DJL's plain {@code Criteria.optModelPath(dir)} build the block (see {@link
 * MoTBlockFactory}), and last {@code checksums.sha256} over all of them.
 *
 * <p>The directory is assembled beside the target and moved into place when complete, so a failure
 * leaves no half-written checkpoint; an existing checkpoint at the target is replaced.
 *
 * <pre>{@code
 * MoTCheckpointWriter.of(model).imageTokenizer(tokenizer).modelCard(card).write(dir);
 * }</pre>
 */
public final class MoTCheckpointWriter {

    private final MoTModel model;
    private WeightsFormat format = WeightsFormat.SAFETENSORS;
    private SaveOptions saveOptions = SaveOptions.DEFAULT;
    private PatchKMeansTokenizer tokenizer;
    private SpeechUnitTokenizer speechTokenizer;
    private ModelCard card;

    private MoTCheckpointWriter(MoTModel model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /** A writer for an initialised model. */
    public static MoTCheckpointWriter of(MoTModel model) {
        return new MoTCheckpointWriter(model);
    }

    /** How to store the weights (default {@link WeightsFormat#SAFETENSORS}). */
    public MoTCheckpointWriter format(WeightsFormat value) {
        this.format = Objects.requireNonNull(value, "format");
        return this;
    }

    /**
     * How safetensors weights are stored: their type and the largest shard (default float32, one
     * file). Only for {@link WeightsFormat#SAFETENSORS}; writing DJL parameters with other options
     * is refused.
     */
    public MoTCheckpointWriter saveOptions(SaveOptions value) {
        this.saveOptions = Objects.requireNonNull(value, "saveOptions");
        return this;
    }

    /** Saves the image tokenizer beside the weights ({@code tokenizer.json}). */
    public MoTCheckpointWriter imageTokenizer(PatchKMeansTokenizer value) {
        this.tokenizer = value;
        return this;
    }

    /**
     * Saves the speech tokenizer beside the weights ({@code speech-tokenizer.json}), for a model
     * trained on text, images and speech units.
     */
    public MoTCheckpointWriter speechTokenizer(SpeechUnitTokenizer value) {
        this.speechTokenizer = value;
        return this;
    }

    /** Saves a model card ({@code model-card.json} and {@code README.md}). */
    public MoTCheckpointWriter modelCard(ModelCard value) {
        this.card = value;
        return this;
    }

    /**
     * Writes the checkpoint directory.
     *
     * @param dir the target directory; replaced if it holds a checkpoint already
     * @return the digests written to {@code checksums.sha256}, by file name
     * @throws IOException if writing fails, or {@code dir} exists and is not a checkpoint directory
     *     (nothing else is ever overwritten)
     * @throws IllegalStateException if the model is not initialised, or save options other than the
     *     default are given for DJL parameters
     */
    public Map<String, String> write(Path dir) throws IOException {
        if (!model.isInitialized()) {
            throw new IllegalStateException("cannot save a model that is not initialised");
        }
        if (format == WeightsFormat.DJL_PARAMS && !saveOptions.equals(SaveOptions.DEFAULT)) {
            throw new IllegalStateException(
                    "save options "
                            + saveOptions
                            + " apply to safetensors weights; DJL parameters are written as"
                            + " the model holds them, in one file");
        }
        Path target = dir.toAbsolutePath().normalize();
        if (Files.exists(target)) {
            requireReplaceable(target);
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path staging = parent.resolve("." + target.getFileName() + ".staging-" + UUID.randomUUID());
        Files.createDirectory(staging);
        try {
            writeFiles(staging);
            Map<String, String> digests = Checksums.writeManifest(staging);
            install(staging, target);
            return digests;
        } finally {
            deleteTree(staging);
        }
    }

    private void writeFiles(Path dir) throws IOException {
        if (format == WeightsFormat.SAFETENSORS) {
            ReferenceCheckpoint.save(model, dir, saveOptions);
        } else {
            model.config().write(dir.resolve(MoTCheckpoint.CONFIG_FILE));
            // DJL's own writer; closing this Model frees only its own (empty) manager
            try (Model djl = Model.newInstance(MoTCheckpoint.PARAMS_MODEL_NAME)) {
                djl.setBlock(model);
                djl.save(dir, MoTCheckpoint.PARAMS_MODEL_NAME);
            }
        }
        if (tokenizer != null) {
            tokenizer.save(dir.resolve(MoTCheckpoint.TOKENIZER_FILE));
        }
        if (speechTokenizer != null) {
            speechTokenizer.save(dir.resolve(MoTCheckpoint.SPEECH_TOKENIZER_FILE));
        }
        if (card != null) {
            Files.writeString(
                    dir.resolve(MoTCheckpoint.MODEL_CARD_FILE),
                    card.toJson() + "\n",
                    StandardCharsets.UTF_8);
            Files.writeString(
                    dir.resolve(MoTCheckpoint.README_FILE),
                    card.toMarkdown(),
                    StandardCharsets.UTF_8);
        }
        Files.writeString(
                dir.resolve(MoTCheckpoint.SERVING_PROPERTIES),
                servingProperties(),
                StandardCharsets.UTF_8);
    }

    /**
     * What DJL's loaders read from the directory: build the block with {@link MoTBlockFactory}
     * (which also verifies and loads the weights) and skip DJL's own parameter loading. The
     * translator factory line serves loaders that read the file before choosing a translator (DJL
     * Serving); DJL 0.36's {@code BaseModelLoader} chooses first, so with {@code Criteria} pass
     * {@code optTranslatorFactory(new MoTTranslatorFactory())} or use {@link
     * MoTModelZoo#checkpointCriteria}.
     */
    static String servingProperties() {
        return "# DJL loading arguments for this MoT checkpoint (Criteria.optModelPath(dir))\n"
                + "engine=PyTorch\n"
                + "blockFactory="
                + MoTBlockFactory.class.getName()
                + "\n"
                + "translatorFactory="
                + MoTTranslatorFactory.class.getName()
                + "\n"
                + "option.hasParameter=false\n";
    }

    /** Only an empty directory or a checkpoint (it has config.json) is ever replaced. */
    private static void requireReplaceable(Path target) throws IOException {
        if (!Files.isDirectory(target)) {
            throw new IOException(target + " exists and is not a directory; not overwriting it");
        }
        boolean empty;
        try (Stream<Path> files = Files.list(target)) {
            empty = files.findAny().isEmpty();
        }
        if (!empty && !Files.isRegularFile(target.resolve(MoTCheckpoint.CONFIG_FILE))) {
            throw new IOException(
                    target
                            + " is a non-empty directory without "
                            + MoTCheckpoint.CONFIG_FILE
                            + "; not replacing something that is not a checkpoint");
        }
    }

    private static void install(Path staging, Path target) throws IOException {
        if (!Files.exists(target)) {
            move(staging, target);
            return;
        }
        Path old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
        move(target, old);
        try {
            move(staging, target);
        } catch (IOException e) {
            move(old, target);
            throw e;
        }
        deleteTree(old);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(
                dir,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                            throws IOException {
                        Files.delete(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path d, IOException e)
                            throws IOException {
                        if (e != null) {
                            throw e;
                        }
                        Files.delete(d);
                        return FileVisitResult.CONTINUE;
                    }
                });
    }
}
