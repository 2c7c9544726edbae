package io.motdjl.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;

import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTModel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A checkpoint directory in the reference layout: {@code config.json} plus the weights, whose
 * tensor names follow {@link ReferenceNames}, either in one {@code model.safetensors} or sharded
 * the way Hugging Face shards them ({@code model.safetensors.index.json} mapping each tensor to one
 * of several safetensors files in the same directory). Weights may be F32, F64, F16 or BF16 (BF16
 * is widened to float32 in Java; no BF16 array ever reaches DJL). Loading is all or nothing: every
 * tensor is checked (names, shapes, dtypes) from the file headers before any array is read or any
 * parameter changes, and the tensors are then read window by window straight into the parameters,
 * so that files over 2 GiB load and loading needs little memory beyond the model's own.
 */
public final class ReferenceCheckpoint {

    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";

    /** The index of a sharded checkpoint (tensor name to shard file). */
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private static final Logger logger = LoggerFactory.getLogger(ReferenceCheckpoint.class);
    private static final Set<String> WEIGHT_DTYPES = Set.of("F32", "F64", "F16", "BF16");
    private static final int NAMES_SHOWN = 3;

    private ReferenceCheckpoint() {}

    /**
     * Builds a model from {@code dir/config.json} and loads its weights ({@code model.safetensors}
     * or a sharded checkpoint's {@code model.safetensors.index.json}) into it. The weights are
     * checked against the config before the model's parameters are allocated.
     *
     * @param dir the checkpoint directory
     * @param manager the manager that owns the model's parameters
     * @return the loaded model, in float32
     * @throws IOException if a file cannot be read
     * @throws CheckpointException if the files are missing, malformed or do not match each other
     */
    public static MoTModel load(Path dir, NDManager manager) throws IOException {
        return load(dir, manager, FiniteValues.REQUIRE);
    }

    /**
     * Builds a model from {@code dir/config.json} and loads its weights into it, with a choice
     * about non-finite weights.
     *
     * @param dir the checkpoint directory
     * @param manager the manager that owns the model's parameters
     * @param finite whether NaN or infinite weights are refused (the default) or loaded as they are
     * @return the loaded model, in float32
     * @throws IOException if a file cannot be read
     * @throws CheckpointException if the files are missing, malformed, do not match each other, or
     *     hold non-finite weights under {@link FiniteValues#REQUIRE}
     */
    public static MoTModel load(Path dir, NDManager manager, FiniteValues finite)
            throws IOException {
        return load(dir, manager, finite, TensorReader.DEFAULT_WINDOW_BYTES);
    }

    /** {@link #load(Path, NDManager, FiniteValues)} with a read window of its own (for tests). */
    static MoTModel load(Path dir, NDManager manager, FiniteValues finite, int windowBytes)
            throws IOException {
        Path configFile = dir.resolve(CONFIG_FILE);
        if (!CheckpointFiles.isPresent(configFile)) {
            throw new CheckpointException(
                    dir + ": no " + CONFIG_FILE + " in the checkpoint directory");
        }
        Path weightsFile = weightsOf(dir);
        MoTConfig config;
        try {
            config = MoTConfig.read(configFile);
        } catch (IllegalArgumentException e) {
            // most of MoTConfig.read's messages name the file already; the path is said once
            String message = e.getMessage();
            throw new CheckpointException(
                    message.contains(configFile.toString()) ? message : configFile + ": " + message,
                    e);
        }
        MoTModel model = new MoTModel(config);
        Map<String, ReferenceNames.Slot> expected = ReferenceNames.of(model);
        try (CheckpointWeights weights = CheckpointWeights.open(weightsFile, windowBytes)) {
            // check against the headers first: a config that does not fit allocates nothing
            checkMatches(expected, weights, config);
            initializeFrom(model, manager, expected, weights, finite);
        }
        logger.debug("loaded {} tensors from {}", expected.size(), weightsFile);
        return model;
    }

    /**
     * The file that describes a checkpoint directory's weights: {@code model.safetensors}, or the
     * index of a sharded checkpoint.
     *
     * @param dir the checkpoint directory
     * @return {@code dir/model.safetensors} or {@code dir/model.safetensors.index.json}
     * @throws IOException if the file system cannot be asked what the files are
     * @throws CheckpointException if the directory has neither, or both, or either name is
     *     something other than a regular file (a directory, a symlink loop...)
     */
    public static Path weightsOf(Path dir) throws IOException {
        Path single = dir.resolve(WEIGHTS_FILE);
        Path index = dir.resolve(INDEX_FILE);
        boolean hasSingle = CheckpointFiles.isPresent(single);
        boolean hasIndex = CheckpointFiles.isPresent(index);
        if (hasSingle && hasIndex) {
            throw new CheckpointException(
                    dir
                            + ": both "
                            + WEIGHTS_FILE
                            + " and "
                            + INDEX_FILE
                            + "; a checkpoint is either one weights file or shards with an"
                            + " index — remove the one that is stale");
        }
        if (!hasSingle && !hasIndex) {
            throw new CheckpointException(
                    dir
                            + ": no "
                            + WEIGHTS_FILE
                            + " (or "
                            + INDEX_FILE
                            + " with its shards) in the checkpoint directory");
        }
        return hasIndex ? index : single;
    }

    /**
     * Every weights file loading a checkpoint directory reads: {@code model.safetensors}, or the
     * index followed by the shards it names (for checksums, copies, listings). Only the index is
     * read; the shards are named, not opened.
     *
     * @param dir the checkpoint directory
     * @return the files, index first
     * @throws IOException if the index cannot be read
     * @throws CheckpointException as {@link #weightsOf} does, or if the index is malformed
     */
    public static List<Path> weightFiles(Path dir) throws IOException {
        Path weights = weightsOf(dir);
        if (!SafetensorsIndex.isIndex(weights)) {
            return List.of(weights);
        }
        List<Path> files = new ArrayList<>();
        files.add(weights);
        for (String shard : SafetensorsIndex.read(weights).shards()) {
            files.add(dir.resolve(shard));
        }
        return files;
    }

    /** Initialises a model's parameters so that weights can be copied into them. */
    public static void initialize(MoTModel model, NDManager manager, DataType type) {
        if (!model.isInitialized()) {
            model.initialize(manager, type, new Shape(1, 1), new Shape(1, 1));
        }
    }

    /**
     * Loads reference-named weights into an initialised model. Nothing changes unless every tensor
     * is present, known, correctly shaped and of a floating type, and every value has been read;
     * each parameter keeps its data type, device, manager and whether it requires a gradient. The
     * new values are all read before the first parameter changes, so this needs memory for the
     * model's parameters twice.
     *
     * @param model the model, initialised (see {@link #initialize})
     * @param weightsFile a safetensors file in the reference layout, or the {@code *.index.json} of
     *     a sharded one
     * @throws IOException if a file cannot be read
     * @throws CheckpointException naming the offending tensor
     * @throws IllegalStateException if the model is not initialised
     */
    public static void loadWeights(MoTModel model, Path weightsFile) throws IOException {
        loadWeights(model, weightsFile, FiniteValues.REQUIRE);
    }

    /**
     * Like {@link #loadWeights(MoTModel, Path)}, with a choice about non-finite weights.
     *
     * @param model the model, initialised
     * @param weightsFile a safetensors file in the reference layout, or a sharded one's index
     * @param finite whether NaN or infinite weights are refused or loaded as they are
     * @throws IOException if a file cannot be read
     * @throws CheckpointException naming the offending tensor
     */
    public static void loadWeights(MoTModel model, Path weightsFile, FiniteValues finite)
            throws IOException {
        Map<String, ReferenceNames.Slot> expected = ReferenceNames.of(model);
        requireInitialized(expected, "load weights into");
        try (CheckpointWeights weights =
                CheckpointWeights.open(weightsFile, TensorReader.DEFAULT_WINDOW_BYTES)) {
            checkMatches(expected, weights, model.config());
            Map<Parameter, NDArray> values = new LinkedHashMap<>();
            try {
                for (Map.Entry<Parameter, List<ReferenceNames.Slot>> e :
                        byParameter(expected).entrySet()) {
                    NDArray old = e.getKey().getArray();
                    NDManager owner = old.getManager();
                    try (NDManager device = owner.newSubManager(old.getDevice())) {
                        NDArray value =
                                filled(
                                        device,
                                        old.getShape(),
                                        old.getDataType(),
                                        e.getValue(),
                                        weights,
                                        finite);
                        value.attach(owner);
                        values.put(e.getKey(), value);
                    }
                }
            } catch (IOException | RuntimeException e) {
                values.values().forEach(NDArray::close);
                throw e;
            }
            values.forEach(ReferenceCheckpoint::replaceValue);
        }
        logger.debug("loaded {} tensors from {}", expected.size(), weightsFile);
    }

    private static void requireInitialized(Map<String, ReferenceNames.Slot> params, String action) {
        for (Map.Entry<String, ReferenceNames.Slot> e : params.entrySet()) {
            if (!e.getValue().parameter().isInitialized()) {
                throw new IllegalStateException(
                        "cannot "
                                + action
                                + " a model whose parameter '"
                                + e.getKey()
                                + "' is not initialised; call ReferenceCheckpoint.initialize"
                                + " first");
            }
        }
    }

    private static void checkMatches(
            Map<String, ReferenceNames.Slot> expected,
            CheckpointWeights weights,
            MoTConfig config) {
        Map<String, SafetensorsHeader.Entry> entries = weights.entries();
        Set<String> unexpected = new TreeSet<>(entries.keySet());
        unexpected.removeAll(expected.keySet());
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) {
            if (!entries.containsKey(name)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            List<String> problems = new ArrayList<>();
            if (!missing.isEmpty()) {
                problems.add(describe("missing", missing));
            }
            if (!unexpected.isEmpty()) {
                problems.add(describe("unexpected", new ArrayList<>(unexpected)));
            }
            throw new CheckpointException(
                    weights.source()
                            + ": "
                            + String.join("; ", problems)
                            + " — the weights do not match config "
                            + summary(config));
        }
        for (Map.Entry<String, ReferenceNames.Slot> e : expected.entrySet()) {
            SafetensorsHeader.Entry t = entries.get(e.getKey());
            Shape want = e.getValue().shape();
            if (!t.shape().equals(want)) {
                throw new CheckpointException(
                        weights.fileOf(e.getKey())
                                + ": tensor '"
                                + e.getKey()
                                + "' has shape "
                                + t.shape()
                                + " but config "
                                + summary(config)
                                + " needs "
                                + want);
            }
            if (!WEIGHT_DTYPES.contains(t.dtype())) {
                throw new CheckpointException(
                        weights.fileOf(e.getKey())
                                + ": tensor '"
                                + e.getKey()
                                + "' has dtype "
                                + t.dtype()
                                + "; weights must be F32, F64, F16 or BF16");
            }
        }
    }

    private static String describe(String kind, List<String> names) {
        StringBuilder s = new StringBuilder();
        s.append(kind).append(names.size() == 1 ? " tensor " : " tensors ");
        for (int i = 0; i < Math.min(NAMES_SHOWN, names.size()); i++) {
            s.append(i == 0 ? "" : ", ").append('\'').append(names.get(i)).append('\'');
        }
        if (names.size() > NAMES_SHOWN) {
            s.append(" and ").append(names.size() - NAMES_SHOWN).append(" more");
        }
        return s.toString();
    }

    private static String summary(MoTConfig c) {
        return "(n_layers="
                + c.nLayers()
                + ", n_modalities="
                + c.nModalities()
                + ", norm_order="
                + c.normOrder().jsonName()
                + ", qk_norm="
                + c.qkNorm()
                + ", dim="
                + c.dim()
                + ", vocab_size="
                + c.vocabSize()
                + ", untie="
                + c.untie()
                + (c.hasDefaultTowers() ? "" : ", towers=" + Arrays.toString(c.towers()))
                + ")";
    }

    /** The slots of each parameter, in row order (a stacked parameter holds several). */
    private static Map<Parameter, List<ReferenceNames.Slot>> byParameter(
            Map<String, ReferenceNames.Slot> expected) {
        Map<Parameter, List<ReferenceNames.Slot>> slots = new LinkedHashMap<>();
        for (ReferenceNames.Slot slot : expected.values()) {
            slots.computeIfAbsent(slot.parameter(), k -> new ArrayList<>()).add(slot);
        }
        return slots;
    }

    /**
     * Initialises a new model with the checkpoint's values: each parameter's initializer reads its
     * tensors straight into the parameter's array, so no random values are drawn and no second copy
     * of the model is made. On failure every parameter allocated so far is closed.
     */
    private static void initializeFrom(
            MoTModel model,
            NDManager manager,
            Map<String, ReferenceNames.Slot> expected,
            CheckpointWeights weights,
            FiniteValues finite)
            throws IOException {
        Map<Parameter, List<ReferenceNames.Slot>> slots = byParameter(expected);
        Map<Parameter, Initializer> originals = new LinkedHashMap<>();
        for (Map.Entry<Parameter, List<ReferenceNames.Slot>> e : slots.entrySet()) {
            Parameter param = e.getKey();
            originals.put(param, param.getInitializer());
            param.setInitializer(
                    (m, shape, type) -> {
                        try {
                            return filled(m, shape, type, e.getValue(), weights, finite);
                        } catch (IOException io) {
                            throw new UncheckedIOException(io);
                        }
                    });
        }
        try {
            initialize(model, manager, DataType.FLOAT32);
        } catch (RuntimeException e) {
            for (Pair<String, Parameter> p : model.getParameters()) {
                p.getValue().close();
            }
            if (e instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw e;
        } finally {
            originals.forEach(Parameter::setInitializer);
        }
    }

    /**
     * A new array of {@code shape} and {@code type} owned by {@code manager}, holding the
     * parameter's tensors ({@code slots}, in row order) read from the checkpoint. Non-finite values
     * are counted window by window and refused per tensor.
     */
    private static NDArray filled(
            NDManager manager,
            Shape shape,
            DataType type,
            List<ReferenceNames.Slot> slots,
            CheckpointWeights weights,
            FiniteValues finite)
            throws IOException {
        long total = 0;
        for (ReferenceNames.Slot slot : slots) {
            total += slot.shape().size();
        }
        if (total != shape.size()) {
            throw new IllegalStateException(
                    "parameter of shape "
                            + shape
                            + " does not match its reference tensors "
                            + slots.stream().map(ReferenceNames.Slot::name).toList());
        }
        long rowElements = shape.dimension() == 0 ? 1 : shape.size() / shape.get(0);
        NDArray value = manager.create(shape, type);
        try (NDManager scratch = manager.newSubManager()) {
            NDArray flat = value.reshape(-1);
            flat.attach(scratch);
            for (ReferenceNames.Slot slot : slots) {
                long nonFinite =
                        weights.copyInto(slot.name(), flat, slot.rowOffset() * rowElements, finite);
                finite.require(
                        nonFinite, slot.shape().size(), slot.name(), weights.fileOf(slot.name()));
            }
        } catch (IOException | RuntimeException e) {
            value.close();
            throw e;
        }
        return value;
    }

    /** Swaps a parameter's array for {@code value}; cannot fail half way. */
    private static void replaceValue(Parameter param, NDArray value) {
        NDManager manager = param.getArray().getManager();
        Initializer original = param.getInitializer();
        param.close();
        // Parameter has no setter for an initialised array; initialize() also restores the name
        // and the requires-gradient flag the parameter was built with
        param.setInitializer((m, shape, dataType) -> value);
        try {
            param.initialize(manager, value.getDataType());
        } finally {
            param.setInitializer(original);
        }
    }

    /**
     * Writes {@code dir/config.json} and {@code dir/model.safetensors} (float32) for an initialised
     * model, as {@link #save(MoTModel, Path, SaveOptions)} does with {@link SaveOptions#DEFAULT}.
     *
     * @param model the model
     * @param dir the directory (created if needed)
     * @throws IOException if writing fails
     * @throws IllegalStateException if the model is not initialised
     */
    public static void save(MoTModel model, Path dir) throws IOException {
        save(model, dir, SaveOptions.DEFAULT);
    }

    /**
     * Writes {@code dir/config.json} and the weights of an initialised model, in the options'
     * weight type, as one {@code model.safetensors} or, when they exceed the shard limit, as shards
     * with {@code model.safetensors.index.json}. Every file is first written to a temporary file
     * (tensor by tensor, never the whole file in memory) and renamed into place only when all are
     * written, so a failure leaves any previous checkpoint in the directory untouched; weights
     * files of the other layout (a previous single file, or shards the new save does not use) are
     * deleted afterwards, so the directory never ends up holding both.
     *
     * @param model the model
     * @param dir the directory (created if needed)
     * @param options weight type and shard limit
     * @throws IOException if writing fails
     * @throws IllegalStateException if the model is not initialised
     */
    public static void save(MoTModel model, Path dir, SaveOptions options) throws IOException {
        Map<String, ReferenceNames.Slot> params = ReferenceNames.of(model);
        requireInitialized(params, "save");
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        for (Map.Entry<String, ReferenceNames.Slot> e : params.entrySet()) {
            ReferenceNames.Slot slot = e.getValue();
            tensors.add(
                    new SafetensorsWriter.Tensor(
                            e.getKey(),
                            slot.shape(),
                            slot.parameter().getArray().getDataType(),
                            slot::read));
        }
        List<List<SafetensorsWriter.Tensor>> shards = shards(tensors, options);
        Map<Path, SafetensorsWriter> files = new LinkedHashMap<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        long totalBytes = 0;
        for (int i = 0; i < shards.size(); i++) {
            String name = shards.size() == 1 ? WEIGHTS_FILE : shardName(i + 1, shards.size());
            Path file = dir.resolve(name);
            SafetensorsWriter writer =
                    SafetensorsWriter.plan(shards.get(i), options.weightType(), file.toString());
            files.put(file, writer);
            totalBytes += writer.dataBytes();
            shards.get(i).forEach(t -> weightMap.put(t.name(), name));
        }
        Set<String> written = new HashSet<>();
        files.keySet().forEach(f -> written.add(f.getFileName().toString()));
        List<Path> stale = staleWeights(dir, written);
        byte[] config = (model.config().toJson() + "\n").getBytes(StandardCharsets.UTF_8);
        Map<Path, Path> prepared = new LinkedHashMap<>();
        try {
            for (Map.Entry<Path, SafetensorsWriter> f : files.entrySet()) {
                prepared.put(AtomicFiles.prepare(f.getKey(), f.getValue()::writeTo), f.getKey());
            }
            if (shards.size() > 1) {
                byte[] index = SafetensorsIndex.json(weightMap, totalBytes);
                Path indexFile = dir.resolve(INDEX_FILE);
                prepared.put(AtomicFiles.prepare(indexFile, os -> os.write(index)), indexFile);
            }
            Path configFile = dir.resolve(CONFIG_FILE);
            prepared.put(AtomicFiles.prepare(configFile, os -> os.write(config)), configFile);
            for (Map.Entry<Path, Path> p : prepared.entrySet()) {
                AtomicFiles.commit(p.getKey(), p.getValue());
            }
        } finally {
            for (Path tmp : prepared.keySet()) {
                Files.deleteIfExists(tmp);
            }
        }
        for (Path file : stale) {
            Files.deleteIfExists(file);
        }
        logger.debug(
                "saved {} tensors to {} in {} file(s) as {}",
                tensors.size(),
                dir,
                shards.size(),
                options.weightType());
    }

    /**
     * Splits the tensors, in order, into shards of at most {@code maxShardBytes} stored bytes each
     * (a larger tensor alone in its shard).
     */
    private static List<List<SafetensorsWriter.Tensor>> shards(
            List<SafetensorsWriter.Tensor> tensors, SaveOptions options) {
        List<List<SafetensorsWriter.Tensor>> shards = new ArrayList<>();
        List<SafetensorsWriter.Tensor> current = new ArrayList<>();
        long currentBytes = 0;
        for (SafetensorsWriter.Tensor t : tensors) {
            DataType stored = SafetensorsWriter.storedType(t.type(), options.weightType());
            long bytes = t.shape().size() * stored.getNumOfBytes();
            if (!current.isEmpty() && bytes > options.maxShardBytes() - currentBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(t);
            currentBytes += bytes;
        }
        shards.add(current);
        return shards;
    }

    /** Hugging Face's shard names: {@code model-00001-of-00003.safetensors}. */
    static String shardName(int number, int count) {
        return String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", number, count);
    }

    /**
     * Weights files in {@code dir} that a save writing the files named {@code written} leaves
     * stale: a single {@code model.safetensors} replaced by shards, or an index replaced by a
     * single file, and the old index's shards that are not written again.
     */
    private static List<Path> staleWeights(Path dir, Set<String> written) throws IOException {
        boolean single = written.contains(WEIGHTS_FILE);
        List<Path> stale = new ArrayList<>();
        Path index = dir.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            if (single) {
                stale.add(index);
            }
            try {
                for (String shard : SafetensorsIndex.read(index).shards()) {
                    if (!written.contains(shard)) {
                        stale.add(dir.resolve(shard));
                    }
                }
            } catch (CheckpointException e) {
                logger.debug("{}: old index unreadable, its shards are left ({})", dir, e);
            }
        }
        if (!single) {
            stale.add(dir.resolve(WEIGHTS_FILE));
        }
        return stale;
    }
}
