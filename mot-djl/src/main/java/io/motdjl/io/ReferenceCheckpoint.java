package io.motdjl.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import io.motdjl.config.MoTConfig;
import io.motdjl.nn.MoTModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A checkpoint directory in the reference layout: {@code config.json} plus {@code
 * model.safetensors} whose tensor names follow {@link ReferenceNames}. Loading is all or nothing:
 * every tensor is checked (names, shapes, dtypes) before any parameter changes.
 */
public final class ReferenceCheckpoint {

    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";

    private static final Logger logger = LoggerFactory.getLogger(ReferenceCheckpoint.class);
    private static final Set<DataType> WEIGHT_TYPES =
            Set.of(DataType.FLOAT32, DataType.FLOAT64, DataType.FLOAT16);

    private ReferenceCheckpoint() {}

    /**
     * Builds a model from {@code dir/config.json} and loads {@code dir/model.safetensors} into it.
     *
     * @param dir the checkpoint directory
     * @param manager the manager that owns the model's parameters
     * @return the loaded model, initialised in float32
     * @throws IOException if a file cannot be read
     * @throws CheckpointException if the files are malformed or do not match each other
     */
    public static MoTModel load(Path dir, NDManager manager) throws IOException {
        Path configFile = dir.resolve(CONFIG_FILE);
        Path weightsFile = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(configFile)) {
            throw new CheckpointException(dir + ": no " + CONFIG_FILE + " in the checkpoint directory");
        }
        if (!Files.isRegularFile(weightsFile)) {
            throw new CheckpointException(dir + ": no " + WEIGHTS_FILE + " in the checkpoint directory");
        }
        MoTConfig config;
        try {
            config = MoTConfig.read(configFile);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(configFile + ": " + e.getMessage(), e);
        }
        MoTModel model = new MoTModel(config);
        initialize(model, manager, DataType.FLOAT32);
        loadWeights(model, weightsFile);
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
     * is present, known, correctly shaped and of a floating type.
     *
     * @param model the model (its parameters are initialised if needed)
     * @param weightsFile a safetensors file in the reference layout
     * @throws IOException if the file cannot be read
     * @throws CheckpointException naming the offending tensor
     */
    public static void loadWeights(MoTModel model, Path weightsFile) throws IOException {
        Map<String, Parameter> expected = ReferenceNames.of(model);
        NDManager paramManager = expected.get("output.weight").getArray().getManager();
        try (NDManager scratch = paramManager.newSubManager()) {
            Map<String, NDArray> tensors = SafetensorsFile.read(weightsFile, scratch);
            checkMatches(expected, tensors, weightsFile.toString(), model.config());
            for (Map.Entry<String, Parameter> e : expected.entrySet()) {
                replaceValue(e.getValue(), tensors.get(e.getKey()));
            }
        }
        logger.debug("loaded {} tensors from {}", expected.size(), weightsFile);
    }

    private static void checkMatches(
            Map<String, Parameter> expected,
            Map<String, NDArray> tensors,
            String source,
            MoTConfig config) {
        Set<String> unexpected = new TreeSet<>(tensors.keySet());
        unexpected.removeAll(expected.keySet());
        if (!unexpected.isEmpty()) {
            throw new CheckpointException(
                    source + ": unexpected tensor '" + unexpected.iterator().next()
                            + "' (" + unexpected.size() + " unexpected in all) for config "
                            + summary(config));
        }
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) {
            if (!tensors.containsKey(name)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new CheckpointException(
                    source + ": missing tensor '" + missing.get(0) + "' (" + missing.size()
                            + " missing in all) for config " + summary(config));
        }
        for (Map.Entry<String, Parameter> e : expected.entrySet()) {
            NDArray t = tensors.get(e.getKey());
            Shape want = e.getValue().getShape();
            if (!t.getShape().equals(want)) {
                throw new CheckpointException(
                        source + ": tensor '" + e.getKey() + "' has shape " + t.getShape()
                                + " but the config needs " + want);
            }
            if (!WEIGHT_TYPES.contains(t.getDataType())) {
                throw new CheckpointException(
                        source + ": tensor '" + e.getKey() + "' has type " + t.getDataType()
                                + "; weights must be float32, float64 or float16");
            }
        }
    }

    private static String summary(MoTConfig c) {
        return "(n_layers=" + c.nLayers() + ", n_modalities=" + c.nModalities() + ", norm_order="
                + c.normOrder().jsonName() + ", qk_norm=" + c.qkNorm() + ", untie=" + c.untie() + ")";
    }

    /** Replaces a parameter's array with a fresh one holding {@code source}'s values. */
    private static void replaceValue(Parameter param, NDArray source) {
        NDArray old = param.getArray();
        NDManager manager = old.getManager();
        DataType type = old.getDataType();
        Initializer original = param.getInitializer();
        NDArray converted = source.toType(type, false);
        param.close();
        param.setInitializer((m, shape, dataType) -> m.create(converted.toByteBuffer(), shape, dataType));
        try {
            param.initialize(manager, type);
        } finally {
            param.setInitializer(original);
        }
    }

    /**
     * Writes {@code dir/config.json} and {@code dir/model.safetensors} (float32) for an initialised
     * model.
     *
     * @param model the model
     * @param dir the directory (created if needed)
     * @throws IOException if writing fails
     */
    public static void save(MoTModel model, Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Parameter> params = ReferenceNames.of(model);
        NDManager paramManager = params.get("output.weight").getArray().getManager();
        try (NDManager scratch = paramManager.newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                NDArray copy = e.getValue().getArray().toType(DataType.FLOAT32, true);
                copy.attach(scratch);
                tensors.put(e.getKey(), copy);
            }
            SafetensorsFile.write(dir.resolve(WEIGHTS_FILE), tensors);
        }
        model.config().write(dir.resolve(CONFIG_FILE));
    }
}
