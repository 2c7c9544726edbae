package io.motdjl.zoo;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import io.motdjl.config.MoTConfig;
import io.motdjl.io.CheckpointException;
import io.motdjl.io.CheckpointFiles;
import io.motdjl.io.FileKind;
import io.motdjl.io.ReferenceCheckpoint;
import io.motdjl.io.SafetensorsHeader;
import io.motdjl.nn.MemoryEstimate;
import io.motdjl.nn.MoTModel;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.tokenize.JointVocabulary;
import io.motdjl.tokenize.PatchKMeansTokenizer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A MoT checkpoint directory, the unit the zoo loads and {@link MoTCheckpointWriter} writes. Its
 * files:
 *
 * <pre>
 *   config.json          the model config (reference schema)                         required
 *   model.safetensors    weights in the reference layout, or                         one of the three
 *   model.safetensors.index.json    the same weights sharded: the index, and the
 *     model-00001-of-0000N.safetensors ...   shards it names, or
 *   NAME-NNNN.params     weights in DJL's Model.save format
 *   tokenizer.json       the image tokenizer (io.motdjl.tokenize.PatchKMeansTokenizer)    optional
 *   speech-tokenizer.json  the speech tokenizer (io.motdjl.speech.SpeechUnitTokenizer)   optional
 *   checksums.sha256     SHA-256 of every other file (sha256sum format)              optional
 *   serving.properties   DJL loading arguments (block and translator factories)      optional
 *   model-card.json, README.md   the model card                                      optional
 * </pre>
 *
 * <p>A bare checkpoint of the reference layout ({@code config.json} + {@code model.safetensors}, as
 * a PyTorch implementation saves it) is a valid checkpoint directory. Only safetensors and DJL
 * parameter files are read; pickled PyTorch files ({@code .bin}, {@code .pt}, {@code .pth}, {@code
 * .ckpt}, {@code .pkl}) are never opened.
 *
 * <p>Loading is all or nothing: checksums first (every listed file), then the config, the
 * tokenizer, and the weights, which are checked against the config (names, shapes, data types)
 * before the model's parameters change; on any failure no parameter of the half-built model is left
 * allocated.
 */
public final class MoTCheckpoint {

    public static final String CONFIG_FILE = ReferenceCheckpoint.CONFIG_FILE;
    public static final String SAFETENSORS_FILE = ReferenceCheckpoint.WEIGHTS_FILE;

    /** The index of sharded safetensors weights (tensor name to shard file). */
    public static final String INDEX_FILE = ReferenceCheckpoint.INDEX_FILE;

    public static final String PARAMS_SUFFIX = ".params";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String SPEECH_TOKENIZER_FILE = "speech-tokenizer.json";
    public static final String CHECKSUMS_FILE = "checksums.sha256";
    public static final String SERVING_PROPERTIES = "serving.properties";
    public static final String MODEL_CARD_FILE = "model-card.json";
    public static final String README_FILE = "README.md";

    /** The model name of DJL parameter files this module writes ({@code mot-0000.params}). */
    public static final String PARAMS_MODEL_NAME = "mot";

    /** Suffixes of pickled Python files: never read. */
    private static final List<String> PICKLE_SUFFIXES =
            List.of(".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle");

    private static final Logger logger = LoggerFactory.getLogger(MoTCheckpoint.class);

    /**
     * What a checkpoint directory holds.
     *
     * @param dir the directory
     * @param format how the weights are stored
     * @param weights the weights file: {@code model.safetensors}, the index of sharded weights, or
     *     the DJL parameter file
     * @param weightFiles every weights file loading reads: {@code weights} first, then the shards
     *     the index names (if sharded)
     * @param hasTokenizer whether {@code tokenizer.json} is present
     * @param hasSpeechTokenizer whether {@code speech-tokenizer.json} is present
     * @param hasManifest whether {@code checksums.sha256} is present
     */
    public record Layout(
            Path dir,
            WeightsFormat format,
            Path weights,
            List<Path> weightFiles,
            boolean hasTokenizer,
            boolean hasSpeechTokenizer,
            boolean hasManifest) {

        /** Copies the file list; {@code weights} must come first in it. */
        public Layout {
            weightFiles = List.copyOf(weightFiles);
            if (weightFiles.isEmpty() || !weightFiles.get(0).equals(weights)) {
                throw new IllegalArgumentException(
                        "weightFiles " + weightFiles + " must start with the weights " + weights);
            }
        }

        /** Whether the weights are safetensors shards with an index. */
        public boolean isSharded() {
            return weightFiles.size() > 1;
        }

        /** The files that hold tensors: the single weights file, or the shards (not the index). */
        public List<Path> tensorFiles() {
            return isSharded() ? weightFiles.subList(1, weightFiles.size()) : weightFiles;
        }

        /**
         * The files loading reads (config, every weights file including an index and its shards,
         * tokenizers when present), by name.
         */
        public List<String> requiredFiles() {
            List<String> files = new ArrayList<>();
            files.add(CONFIG_FILE);
            for (Path file : weightFiles) {
                files.add(file.getFileName().toString());
            }
            if (hasTokenizer) {
                files.add(TOKENIZER_FILE);
            }
            if (hasSpeechTokenizer) {
                files.add(SPEECH_TOKENIZER_FILE);
            }
            return files;
        }
    }

    /** How strictly checksums are required. */
    public enum Verification {
        /** Verify the manifest when the directory has one; a bare checkpoint loads unverified. */
        IF_PRESENT,
        /** Fail unless the directory has a manifest covering every file that is read. */
        REQUIRED
    }

    private MoTCheckpoint() {}

    /**
     * Finds the files of a checkpoint directory without reading them.
     *
     * @param dir the directory
     * @return its layout
     * @throws IOException if the directory cannot be listed
     * @throws CheckpointException if it is not a checkpoint directory (missing or ambiguous files)
     */
    public static Layout inspect(Path dir) throws IOException {
        FileKind kind = FileKind.of(dir);
        if (kind != FileKind.DIRECTORY) {
            throw new CheckpointException(
                    dir
                            + (kind == FileKind.MISSING
                                    ? ": not found"
                                    : " is " + kind.description() + ", not a directory")
                            + "; a MoT checkpoint is a directory with "
                            + CONFIG_FILE
                            + " and "
                            + SAFETENSORS_FILE
                            + " (or sharded safetensors with "
                            + INDEX_FILE
                            + ", or DJL .params)");
        }
        if (!isPresentFile(dir.resolve(CONFIG_FILE))) {
            throw new CheckpointException(
                    dir + ": no " + CONFIG_FILE + " in the checkpoint directory");
        }
        List<Path> params = new ArrayList<>();
        List<String> pickles = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                String lower = name.toLowerCase(Locale.ROOT);
                if (!Files.isRegularFile(file) || name.startsWith(".")) {
                    continue;
                }
                if (lower.endsWith(PARAMS_SUFFIX)) {
                    params.add(file);
                } else if (PICKLE_SUFFIXES.stream().anyMatch(lower::endsWith)) {
                    pickles.add(name);
                }
            }
        }
        params.sort(null);
        boolean hasManifest = isPresentFile(dir.resolve(CHECKSUMS_FILE));
        boolean single = isPresentFile(dir.resolve(SAFETENSORS_FILE));
        boolean sharded = isPresentFile(dir.resolve(INDEX_FILE));
        WeightsFormat format;
        List<Path> weightFiles;
        if (single || sharded) {
            format = WeightsFormat.SAFETENSORS;
            weightFiles = safetensorsFiles(dir, hasManifest);
            if (!params.isEmpty()) {
                logger.debug("{}: using {} (ignoring {})", dir, weightFiles.get(0), params);
            }
        } else if (params.size() == 1) {
            format = WeightsFormat.DJL_PARAMS;
            weightFiles = List.of(params.get(0));
        } else if (params.size() > 1) {
            throw new CheckpointException(
                    dir
                            + ": several DJL parameter files "
                            + names(params)
                            + " and no "
                            + SAFETENSORS_FILE
                            + " or "
                            + INDEX_FILE
                            + "; keep exactly one");
        } else {
            String found =
                    pickles.isEmpty()
                            ? ""
                            : "; found "
                                    + String.join(", ", pickles)
                                    + ", which "
                                    + (pickles.size() == 1 ? "is" : "are")
                                    + " never read: pickled PyTorch files can run code when"
                                    + " loaded — convert the weights to safetensors"
                                    + " (safetensors.torch.save_file) first";
            throw new CheckpointException(
                    dir
                            + ": no weights: expected "
                            + SAFETENSORS_FILE
                            + ", "
                            + INDEX_FILE
                            + " with its shards, or a DJL parameter file (NAME-0000.params)"
                            + found);
        }
        return new Layout(
                dir,
                format,
                weightFiles.get(0),
                weightFiles,
                isPresentFile(dir.resolve(TOKENIZER_FILE)),
                isPresentFile(dir.resolve(SPEECH_TOKENIZER_FILE)),
                hasManifest);
    }

    /**
     * The safetensors weights of a directory: {@code model.safetensors}, or the index and every
     * shard it names, each of which must be there. An index that cannot be read but differs from
     * the directory's manifest is reported as failing its checksum (the file was damaged), not as
     * malformed.
     */
    private static List<Path> safetensorsFiles(Path dir, boolean hasManifest) throws IOException {
        List<Path> files;
        try {
            files = ReferenceCheckpoint.weightFiles(dir);
        } catch (CheckpointException e) {
            if (hasManifest && Files.isRegularFile(dir.resolve(INDEX_FILE))) {
                Checksums.Expected want =
                        Checksums.readManifest(dir.resolve(CHECKSUMS_FILE)).get(INDEX_FILE);
                if (want != null) {
                    Checksums.verifyFile(dir, INDEX_FILE, want);
                }
            }
            throw e;
        }
        for (Path shard : files.subList(1, files.size())) {
            if (!isPresentFile(shard)) {
                throw new CheckpointException(
                        shard
                                + ": missing — "
                                + INDEX_FILE
                                + " names it as a shard of the weights");
            }
        }
        return files;
    }

    /**
     * Whether a file of the checkpoint is there; one that is there but not a regular file (a
     * directory, a symlink loop or a dangling link) is an error rather than read as missing.
     */
    private static boolean isPresentFile(Path file) throws IOException {
        return CheckpointFiles.isPresent(file);
    }

    /**
     * Loads a checkpoint directory, verifying its {@code checksums.sha256} when it has one.
     *
     * @param dir the directory
     * @param manager the manager that owns the model's parameters
     * @return the model, initialised with the checkpoint's weights
     * @throws IOException if a file cannot be read
     * @throws CheckpointException if a file is missing, malformed, fails its checksum or does not
     *     match the config (the message names the file and, for weights, the tensor)
     */
    public static MoTModel load(Path dir, NDManager manager) throws IOException {
        return load(dir, manager, null, Verification.IF_PRESENT);
    }

    /**
     * Loads a checkpoint directory.
     *
     * @param dir the directory
     * @param manager the manager that owns the model's parameters
     * @param expected file name to expected digest (and size), e.g. from repository metadata; it
     *     replaces the directory's own manifest. Null to use the manifest
     * @param verification whether checksums are required
     * @return the model
     * @throws IOException if a file cannot be read
     * @throws CheckpointException see {@link #load(Path, NDManager)}
     */
    public static MoTModel load(
            Path dir,
            NDManager manager,
            Map<String, Checksums.Expected> expected,
            Verification verification)
            throws IOException {
        Layout layout = inspect(dir);
        verify(layout, expected, verification);
        MoTConfig config = readConfig(dir);
        checkConfigFitsWeights(layout, config);
        if (layout.hasTokenizer() || layout.hasSpeechTokenizer()) {
            checkTokenizers(layout, config);
        }
        MoTModel model;
        if (layout.format() == WeightsFormat.SAFETENSORS) {
            model = ReferenceCheckpoint.load(dir, manager);
        } else {
            model = DjlParamsFile.load(layout.weights(), config, manager);
        }
        logger.debug("loaded {} ({} weights)", dir, layout.format());
        return model;
    }

    /**
     * Verifies checksums as {@link #load} does, without loading: every file {@code expected} (or
     * else the directory's manifest) lists must match, and the files loading reads must be among
     * them.
     *
     * @param layout the directory, from {@link #inspect}
     * @param expected file name to expectation, or null to use the directory's manifest
     * @param verification whether a directory without checksums is refused
     * @throws IOException if a file cannot be read
     * @throws ChecksumException naming the first file that is missing, not covered or differs
     */
    public static void verify(
            Layout layout, Map<String, Checksums.Expected> expected, Verification verification)
            throws IOException {
        Path dir = layout.dir();
        Map<String, Checksums.Expected> checks = expected;
        String source;
        if (checks != null) {
            source =
                    checks.isEmpty()
                            ? "the expected checksums"
                            : checks.values().iterator().next().source();
        } else if (layout.hasManifest()) {
            checks = Checksums.readManifest(dir.resolve(CHECKSUMS_FILE));
            source = dir.resolve(CHECKSUMS_FILE).toString();
        } else {
            if (verification == Verification.REQUIRED) {
                throw new ChecksumException(
                        dir
                                + ": no "
                                + CHECKSUMS_FILE
                                + "; checksums are required to load this"
                                + " checkpoint (write one with Checksums.writeManifest or"
                                + " MoTCheckpointWriter)");
            }
            logger.debug("{}: no {}, loading unverified", dir, CHECKSUMS_FILE);
            return;
        }
        List<String> uncovered = Checksums.uncovered(checks, layout.requiredFiles());
        if (!uncovered.isEmpty()) {
            throw new ChecksumException(
                    dir
                            + ": "
                            + String.join(", ", uncovered)
                            + (uncovered.size() == 1 ? " is" : " are")
                            + " not covered by "
                            + source
                            + ", so "
                            + (uncovered.size() == 1 ? "it" : "they")
                            + " cannot be verified");
        }
        Checksums.verify(dir, checks);
    }

    /**
     * Refuses, before any block is built, a config that cannot be loaded: one whose parameters
     * exceed the physical memory as loading stores them (float32 from safetensors), and one that
     * describes more than twice the values the safetensors files hold (all shards together; a
     * config edited after saving, e.g. {@code n_layers} 10^5 for a two-layer file), whose model
     * could take minutes to build only to be refused. A config closer to the file is built and
     * compared tensor by tensor, which names the first tensor that differs.
     *
     * @param layout the directory, from {@link #inspect}
     * @param config its config
     * @throws IOException if a weights file cannot be read
     * @throws CheckpointException giving the estimate and the limit, or the two counts
     */
    static void checkConfigFitsWeights(Layout layout, MoTConfig config) throws IOException {
        Path configFile = layout.dir().resolve(CONFIG_FILE);
        boolean safetensors = layout.format() == WeightsFormat.SAFETENSORS;
        MemoryEstimate estimate =
                MemoryEstimate.of(
                        config, safetensors ? DataType.FLOAT32 : MemoryEstimate.SMALLEST_TYPE);
        try {
            estimate.requireFitsPhysicalMemory();
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(configFile + ": " + e.getMessage(), e);
        }
        if (!safetensors) {
            // DJL .params carry no header to compare
            return;
        }
        long stored = 0;
        int tensors = 0;
        for (Path file : layout.tensorFiles()) {
            // only the header is read, whatever the file's size
            SafetensorsHeader header = SafetensorsHeader.read(file);
            for (SafetensorsHeader.Entry entry : header.entries().values()) {
                stored += entry.shape().size();
            }
            tensors += header.entries().size();
        }
        if (estimate.parameters() / 2 > stored) {
            String holder =
                    layout.isSharded()
                            ? "the "
                                    + layout.tensorFiles().size()
                                    + " shards of "
                                    + layout.weights().getFileName()
                                    + " hold"
                            : layout.weights().getFileName() + " holds";
            throw new CheckpointException(
                    String.format(
                            Locale.ROOT,
                            "%s describes a model of %,d parameter values (n_layers %d,"
                                    + " n_modalities %d, dim %d, ffn_hidden_dim %d, vocab_size"
                                    + " %d), more than twice the %,d values %s in %d"
                                    + " tensors; the config does not belong to these weights",
                            configFile,
                            estimate.parameters(),
                            config.nLayers(),
                            config.nModalities(),
                            config.dim(),
                            config.ffnHiddenDim(),
                            config.vocabSize(),
                            stored,
                            holder,
                            tensors));
        }
    }

    /** Reads {@code dir/config.json}; a bad config is a {@link CheckpointException}. */
    public static MoTConfig readConfig(Path dir) throws IOException {
        Path file = dir.resolve(CONFIG_FILE);
        try {
            return MoTConfig.read(file);
        } catch (IllegalArgumentException e) {
            // most of MoTConfig.read's messages name the file already; the path is said once
            String message = e.getMessage();
            throw new CheckpointException(
                    message.contains(file.toString()) ? message : file + ": " + message, e);
        }
    }

    /** Reads {@code dir/tokenizer.json}; a bad file is a {@link CheckpointException}. */
    public static PatchKMeansTokenizer readTokenizer(Path dir) throws IOException {
        Path file = dir.resolve(TOKENIZER_FILE);
        try {
            return PatchKMeansTokenizer.load(file);
        } catch (io.motdjl.tokenize.TokenizerFormatException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
    }

    /** Reads {@code dir/speech-tokenizer.json}; a bad file is a {@link CheckpointException}. */
    public static SpeechUnitTokenizer readSpeechTokenizer(Path dir) throws IOException {
        Path file = dir.resolve(SPEECH_TOKENIZER_FILE);
        try {
            return SpeechUnitTokenizer.load(file);
        } catch (io.motdjl.tokenize.TokenizerFormatException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
    }

    /**
     * The tokenizers must fill the ranges of the joint vocabulary the config uses: the image codes
     * its image range, the speech units its speech range (a speech tokenizer beside a config
     * without speech is refused too).
     */
    private static void checkTokenizers(Layout layout, MoTConfig config) throws IOException {
        Path dir = layout.dir();
        JointVocabulary vocabulary;
        try {
            vocabulary = JointVocabulary.of(config);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(
                    dir.resolve(CONFIG_FILE)
                            + ": the checkpoint has "
                            + (layout.hasTokenizer() ? TOKENIZER_FILE : SPEECH_TOKENIZER_FILE)
                            + ", so its config must be over the joint vocabulary: "
                            + e.getMessage(),
                    e);
        }
        if (layout.hasTokenizer()) {
            PatchKMeansTokenizer tokenizer = readTokenizer(dir);
            if (tokenizer.codebookSize() != vocabulary.imageCodes()) {
                throw new CheckpointException(
                        dir.resolve(TOKENIZER_FILE)
                                + ": "
                                + tokenizer.codebookSize()
                                + " image codes make a joint vocabulary of "
                                + new JointVocabulary(tokenizer.codebookSize()).vocabSize()
                                + " tokens"
                                + (vocabulary.hasSpeech() ? " before speech" : "")
                                + ", but "
                                + CONFIG_FILE
                                + " has vocab_size "
                                + config.vocabSize()
                                + " with "
                                + vocabulary.imageCodes()
                                + " image codes");
            }
        }
        if (layout.hasSpeechTokenizer()) {
            SpeechUnitTokenizer speech = readSpeechTokenizer(dir);
            if (!vocabulary.hasSpeech() || speech.unitCount() != vocabulary.speechUnits()) {
                throw new CheckpointException(
                        dir.resolve(SPEECH_TOKENIZER_FILE)
                                + ": "
                                + speech.unitCount()
                                + " speech units, but "
                                + CONFIG_FILE
                                + (vocabulary.hasSpeech()
                                        ? " has " + vocabulary.speechUnits() + " speech units"
                                        : " has no speech range (modality_token_ranges with a"
                                                + " third range)"));
            }
        }
    }

    /**
     * The speech tokenizer saved beside a loaded model ({@code speech-tokenizer.json} in its model
     * directory), for translators that turn audio into speech units and back.
     *
     * @param model a model loaded from a checkpoint directory
     * @return the tokenizer, or empty when the checkpoint has none
     * @throws IOException if the file cannot be read
     */
    public static Optional<SpeechUnitTokenizer> speechTokenizer(Model model) throws IOException {
        Path dir = model.getModelPath();
        if (dir == null || !Files.isRegularFile(dir.resolve(SPEECH_TOKENIZER_FILE))) {
            return Optional.empty();
        }
        return Optional.of(readSpeechTokenizer(dir));
    }

    /**
     * The image tokenizer saved beside a loaded model ({@code tokenizer.json} in its model
     * directory), for translators that turn images into tokens and back.
     *
     * @param model a model loaded from a checkpoint directory
     * @return the tokenizer, or empty when the checkpoint has none
     * @throws IOException if the file cannot be read
     */
    public static Optional<PatchKMeansTokenizer> imageTokenizer(Model model) throws IOException {
        Path dir = model.getModelPath();
        if (dir == null || !Files.isRegularFile(dir.resolve(TOKENIZER_FILE))) {
            return Optional.empty();
        }
        return Optional.of(readTokenizer(dir));
    }

    private static String names(List<Path> files) {
        return files.stream().map(p -> p.getFileName().toString()).toList().toString();
    }
}
