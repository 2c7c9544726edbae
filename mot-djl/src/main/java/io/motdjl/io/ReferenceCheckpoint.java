package io.motdjl.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A checkpoint directory in the reference layout: {@code config.json} plus {@code
 * model.safetensors} whose tensor names follow {@link ReferenceNames}. Loading is all or nothing:
 * every tensor is checked (names, shapes, dtypes) from the file's header before any array is
 * decoded or any parameter changes.
 */
public final class ReferenceCheckpoint {

    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";

    private static final Logger logger = LoggerFactory.getLogger(ReferenceCheckpoint.class);
    private static final Set<String> WEIGHT_DTYPES = Set.of("F32", "F64", "F16");
    private static final int NAMES_SHOWN = 3;

    private ReferenceCheckpoint() {}

    /**
     * Builds a model from {@code dir/config.json} and loads {@code dir/model.safetensors} into it.
     * The weights are checked against the config before the model's parameters are allocated.
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
     * Builds a model from {@code dir/config.json} and loads {@code dir/model.safetensors} into it,
     * with a choice about non-finite weights.
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
        Path configFile = dir.resolve(CONFIG_FILE);
        Path weightsFile = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(configFile)) {
            throw new CheckpointException(
                    dir + ": no " + CONFIG_FILE + " in the checkpoint directory");
        }
        if (!Files.isRegularFile(weightsFile)) {
            throw new CheckpointException(
                    dir + ": no " + WEIGHTS_FILE + " in the checkpoint directory");
        }
        MoTConfig config;
        try {
            config = MoTConfig.read(configFile);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(configFile + ": " + e.getMessage(), e);
        }
        MoTModel model = new MoTModel(config);
        Map<String, ReferenceNames.Slot> expected = ReferenceNames.of(model);
        WeightsFile weights = WeightsFile.read(weightsFile);
        // check against the header first: a config that does not fit allocates nothing
        checkMatches(expected, weights, config);
        try {
            initialize(model, manager, DataType.FLOAT32);
            copyIn(expected, weights, finite);
        } catch (RuntimeException e) {
            for (Pair<String, Parameter> p : model.getParameters()) {
                p.getValue().close();
            }
            throw e;
        }
        logger.debug("loaded {} tensors from {}", expected.size(), weightsFile);
        return model;
    }

    /** Initialises a model's parameters so that weights can be copied into them. */
    public static void initialize(MoTModel model, NDManager manager, DataType type) {
        if (!model.isInitialized()) {
            model.initialize(manager, type, new Shape(1, 1), new Shape(1, 1));
        }
    }

    /**
     * Loads reference-named weights into an initialised model. Nothing changes unless every tensor
     * is present, known, correctly shaped and of a floating type; each parameter keeps its data
     * type, device, manager and whether it requires a gradient.
     *
     * @param model the model, initialised (see {@link #initialize})
     * @param weightsFile a safetensors file in the reference layout
     * @throws IOException if the file cannot be read
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
     * @param weightsFile a safetensors file in the reference layout
     * @param finite whether NaN or infinite weights are refused or loaded as they are
     * @throws IOException if the file cannot be read
     * @throws CheckpointException naming the offending tensor
     */
    public static void loadWeights(MoTModel model, Path weightsFile, FiniteValues finite)
            throws IOException {
        Map<String, ReferenceNames.Slot> expected = ReferenceNames.of(model);
        requireInitialized(expected, "load weights into");
        WeightsFile weights = WeightsFile.read(weightsFile);
        checkMatches(expected, weights, model.config());
        copyIn(expected, weights, finite);
        logger.debug("loaded {} tensors from {}", expected.size(), weightsFile);
    }

    /** A weights file read and validated, not yet decoded. */
    private record WeightsFile(byte[] bytes, SafetensorsHeader header, String source) {

        static WeightsFile read(Path file) throws IOException {
            byte[] bytes = SafetensorsFile.readBytes(file);
            String source = file.toString();
            return new WeightsFile(bytes, SafetensorsHeader.parse(bytes, source), source);
        }
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
            Map<String, ReferenceNames.Slot> expected, WeightsFile weights, MoTConfig config) {
        Map<String, SafetensorsHeader.Entry> entries = weights.header().entries();
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
                        weights.source()
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
                        weights.source()
                                + ": tensor '"
                                + e.getKey()
                                + "' has dtype "
                                + t.dtype()
                                + "; weights must be F32, F64 or F16");
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
                + ")";
    }

    /**
     * Decodes the checked tensors and swaps them in. A parameter that holds several reference
     * tensors (stacked Q/K/V, W1/W3, QK-norm scales) gets them joined along its first axis. Every
     * new value is made before the first parameter changes, so a failure while decoding or
     * converting leaves the model as it was.
     */
    private static void copyIn(
            Map<String, ReferenceNames.Slot> expected, WeightsFile weights, FiniteValues finite) {
        NDManager paramManager =
                expected.values().iterator().next().parameter().getArray().getManager();
        try (NDManager scratch = paramManager.newSubManager()) {
            Map<String, NDArray> tensors =
                    SafetensorsFile.decode(
                            weights.bytes(), weights.header(), weights.source(), scratch);
            Map<Parameter, NDList> parts = new LinkedHashMap<>();
            for (Map.Entry<String, ReferenceNames.Slot> e : expected.entrySet()) {
                ReferenceNames.Slot slot = e.getValue();
                finite.check(tensors.get(e.getKey()), e.getKey(), weights.source());
                Shape rows = new Shape(slot.rows()).addAll(slot.parameter().getShape().slice(1));
                // slots are listed in row order within each parameter
                parts.computeIfAbsent(slot.parameter(), k -> new NDList())
                        .add(
                                tensors.get(e.getKey())
                                        .toType(slot.parameter().getArray().getDataType(), false)
                                        .reshape(rows));
            }
            Map<Parameter, NDArray> values = new LinkedHashMap<>();
            try {
                for (Map.Entry<Parameter, NDList> e : parts.entrySet()) {
                    NDList list = e.getValue();
                    NDArray joined = list.size() == 1 ? list.head() : NDArrays.concat(list, 0);
                    values.put(e.getKey(), newValue(e.getKey(), joined));
                }
            } catch (RuntimeException e) {
                values.values().forEach(NDArray::close);
                throw e;
            }
            values.forEach(ReferenceCheckpoint::replaceValue);
        }
    }

    /**
     * A new array with {@code source}'s values in the parameter's data type, on its device, owned
     * by its manager. Always a copy made by the engine: decoded arrays may borrow Java memory that
     * goes away with the scratch manager. ({@code toType(type, true)} is not enough: DJL's PyTorch
     * engine returns an alias when the type and device already match; {@code duplicate} clones.)
     */
    private static NDArray newValue(Parameter param, NDArray source) {
        NDArray old = param.getArray();
        NDArray value =
                source.toDevice(old.getDevice(), false)
                        .toType(old.getDataType(), false)
                        .duplicate();
        value.attach(old.getManager());
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
     * model. Both files are written to temporary files first and then renamed into place, so a
     * failure leaves any previous checkpoint in the directory untouched.
     *
     * @param model the model
     * @param dir the directory (created if needed)
     * @throws IOException if writing fails
     * @throws IllegalStateException if the model is not initialised
     */
    public static void save(MoTModel model, Path dir) throws IOException {
        Map<String, ReferenceNames.Slot> params = ReferenceNames.of(model);
        requireInitialized(params, "save");
        Path weightsFile = dir.resolve(WEIGHTS_FILE);
        Path configFile = dir.resolve(CONFIG_FILE);
        NDManager paramManager =
                params.values().iterator().next().parameter().getArray().getManager();
        Path weightsTmp = null;
        Path configTmp = null;
        try (NDManager scratch = paramManager.newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, ReferenceNames.Slot> e : params.entrySet()) {
                NDArray part = e.getValue().read(scratch);
                tensors.put(e.getKey(), asFloat32(part, scratch));
            }
            SafetensorsFile.checkWritable(tensors, weightsFile.toString());
            byte[] config = (model.config().toJson() + "\n").getBytes(StandardCharsets.UTF_8);
            weightsTmp =
                    AtomicFiles.prepare(weightsFile, os -> SafetensorsFile.encode(tensors, os));
            configTmp = AtomicFiles.prepare(configFile, os -> os.write(config));
            AtomicFiles.commit(weightsTmp, weightsFile);
            AtomicFiles.commit(configTmp, configFile);
        } finally {
            deleteIfPresent(weightsTmp);
            deleteIfPresent(configTmp);
        }
    }

    /** The array itself when it is float32 already, else a converted copy owned by scratch. */
    private static NDArray asFloat32(NDArray array, NDManager scratch) {
        if (array.getDataType() == DataType.FLOAT32) {
            return array;
        }
        NDArray copy = array.toType(DataType.FLOAT32, true);
        copy.attach(scratch);
        return copy;
    }

    private static void deleteIfPresent(Path file) throws IOException {
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }
}
