package io.motdjl.zoo;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.initializer.Initializer;

import io.motdjl.config.MoTConfig;
import io.motdjl.io.CheckpointException;
import io.motdjl.io.FiniteValues;
import io.motdjl.io.ReferenceNames;
import io.motdjl.nn.MoTModel;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads the parameters of a {@link MoTModel} saved by DJL's {@code Model.save} ({@code
 * <name>-<epoch>.params}).
 *
 * <p>DJL's own reader hands every tensor record to the engine as it comes: a BF16 or INT16 record
 * aborts the JVM, a wrong shape or length is trusted. So the whole file is first walked in Java,
 * block by block in the model's own order, checking every field — header, block versions, the saved
 * config against {@code config.json}, each parameter's name, data type (F32, F64 or F16), shape
 * (against the config's), byte order and length, and that nothing follows the last tensor. Only
 * then does DJL decode it, into a scratch manager; the values are copied into libtorch-owned arrays
 * of the caller's manager, and the model is returned only when every parameter is loaded.
 */
final class DjlParamsFile {

    /** BaseModel's parameter file version. */
    private static final int MODEL_VERSION = 1;

    /** Parameter record version ({@code Parameter.VERSION}). */
    private static final byte PARAMETER_VERSION = 1;

    /** NDArray encodings DJL 0.36 writes and reads. */
    private static final int MAX_ARRAY_VERSION = 3;

    private static final Set<DataType> WEIGHT_TYPES =
            Set.of(DataType.FLOAT32, DataType.FLOAT64, DataType.FLOAT16);

    private static final int MAX_INPUTS = 16;
    private static final int MAX_PROPERTIES = 4096;
    private static final int MAX_DIMENSIONS = 8;

    private DjlParamsFile() {}

    /**
     * Builds a model for {@code config} and loads {@code file} into it.
     *
     * @param file a DJL parameter file
     * @param config the checkpoint's config
     * @param manager the manager that will own the parameters
     * @return the loaded model
     * @throws IOException if the file cannot be read
     * @throws CheckpointException naming the tensor or field that is wrong
     */
    static MoTModel load(Path file, MoTConfig config, NDManager manager) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 64) {
            throw new CheckpointException(
                    file + ": " + size + " bytes; files over 2 GiB are not supported");
        }
        byte[] bytes = Files.readAllBytes(file);
        MoTModel model = new MoTModel(config);
        Map<Parameter, String> names = new IdentityHashMap<>();
        // a stacked parameter (Q/K/V, W1/W3) holds several reference tensors: name it by all
        ReferenceNames.of(model)
                .forEach(
                        (name, slot) ->
                                names.merge(slot.parameter(), name, (a, b) -> a + " + " + b));
        Map<Parameter, Shape> shapes = new IdentityHashMap<>();
        for (Parameter p : names.keySet()) {
            shapes.put(p, p.getShape());
        }
        int blockStart = new Validator(file, bytes, config, names, shapes).validate(model);

        boolean loaded = false;
        try (NDManager scratch = manager.newSubManager()) {
            try (DataInputStream in =
                    new DataInputStream(
                            new ByteArrayInputStream(
                                    bytes, blockStart, bytes.length - blockStart))) {
                model.loadParameters(scratch, in);
            } catch (MalformedModelException | RuntimeException e) {
                // the walk above accepted the file, so this is not expected
                throw new CheckpointException(
                        file + ": DJL could not load the parameters (" + e.getMessage() + ")", e);
            }
            Map<Parameter, NDArray> values = new LinkedHashMap<>();
            try {
                for (Parameter p : names.keySet()) {
                    // the same refusal of NaN and infinity as the safetensors path
                    FiniteValues.REQUIRE.check(p.getArray(), names.get(p), file.toString());
                    NDArray value = p.getArray().duplicate();
                    value.attach(manager);
                    values.put(p, value);
                }
            } catch (RuntimeException e) {
                values.values().forEach(NDArray::close);
                throw e;
            }
            values.forEach(DjlParamsFile::replaceValue);
            loaded = true;
        } finally {
            if (!loaded) {
                for (Parameter p : names.keySet()) {
                    p.close();
                }
            }
        }
        return model;
    }

    /** Swaps a parameter's (scratch) array for {@code value}, owned by {@code value}'s manager. */
    private static void replaceValue(Parameter param, NDArray value) {
        Initializer original = param.getInitializer();
        param.close();
        param.setInitializer((m, shape, dataType) -> value);
        try {
            param.initialize(value.getManager(), value.getDataType());
        } finally {
            param.setInitializer(original);
        }
    }

    /** Walks the file in Java; see the class comment. */
    private static final class Validator {

        private final Path file;
        private final byte[] bytes;
        private final MoTConfig config;
        private final Map<Parameter, String> names;
        private final Map<Parameter, Shape> shapes;
        private final DataInputStream in;
        private String where = "the header";

        Validator(
                Path file,
                byte[] bytes,
                MoTConfig config,
                Map<Parameter, String> names,
                Map<Parameter, Shape> shapes) {
            this.file = file;
            this.bytes = bytes;
            this.config = config;
            this.names = names;
            this.shapes = shapes;
            this.in = new DataInputStream(new ByteArrayInputStream(bytes));
        }

        /** Checks the whole file; returns the offset where the block data starts. */
        int validate(MoTModel model) {
            try {
                int start = header();
                block(model, true);
                where = "the end of the file";
                if (in.read() != -1) {
                    throw fail(
                            (in.available() + 1)
                                    + " unexpected bytes after the last tensor — the"
                                    + " file is corrupt");
                }
                return start;
            } catch (EOFException e) {
                throw new CheckpointException(
                        file
                                + ": the file ends early ("
                                + bytes.length
                                + " bytes, inside "
                                + where
                                + ") — it is truncated");
            } catch (IOException e) {
                throw fail("unreadable (" + e.getMessage() + ")");
            }
        }

        private int header() throws IOException {
            byte[] magic = new byte[4];
            in.readFully(magic);
            if (!"DJL@".equals(new String(magic, StandardCharsets.US_ASCII))) {
                throw fail("not a DJL parameter file (it does not start with 'DJL@')");
            }
            int version = in.readInt();
            if (version != MODEL_VERSION) {
                throw fail("DJL parameter file version " + version + ", expected " + MODEL_VERSION);
            }
            in.readUTF(); // model name
            dataType(in.readUTF(), "the model data type");
            int inputs = count(in.readInt(), MAX_INPUTS, "inputs");
            for (int i = 0; i < inputs; i++) {
                in.readUTF();
                shape();
            }
            int properties = count(in.readInt(), MAX_PROPERTIES, "properties");
            for (int i = 0; i < properties; i++) {
                in.readUTF();
                in.readUTF();
            }
            return bytes.length - in.available();
        }

        private void block(Block block, boolean root) throws IOException {
            where = "block " + block.getClass().getSimpleName();
            in.readByte(); // the block's version: the block itself checks it when DJL loads
            if (block instanceof Linear) {
                // DJL's Linear writes its sizes and input shape instead of the input-shape list
                in.readLong(); // units
                in.readLong(); // input features
                shape();
            } else {
                int inputShapes = count(in.readInt(), MAX_INPUTS, "input shapes");
                for (int i = 0; i < inputShapes; i++) {
                    shape();
                }
            }
            if (root) {
                String json = in.readUTF();
                MoTConfig saved;
                try {
                    saved = MoTConfig.fromJson(json);
                } catch (IllegalArgumentException e) {
                    throw fail("the saved config is invalid (" + e.getMessage() + ")");
                }
                if (!saved.equals(config)) {
                    throw fail(
                            "the parameters were saved for a model of another config than"
                                    + " config.json describes (saved vs config.json): "
                                    + String.join("; ", saved.differencesFrom(config)));
                }
            }
            for (Parameter p : block.getDirectParameters().values()) {
                parameter(p);
            }
            for (Block child : block.getChildren().values()) {
                block(child, false);
            }
        }

        private void parameter(Parameter p) throws IOException {
            String name = names.getOrDefault(p, p.getName());
            where = "tensor '" + name + "'";
            char magic = in.readChar();
            if (magic == 'N') {
                throw fail("was saved uninitialised: the file has no value for it");
            }
            if (magic != 'P') {
                throw fail("has no parameter record (found " + (int) magic + ")");
            }
            byte version = in.readByte();
            if (version != PARAMETER_VERSION) {
                throw fail(
                        "parameter record version " + version + ", expected " + PARAMETER_VERSION);
            }
            String savedName = in.readUTF();
            if (!savedName.equals(p.getName())) {
                throw fail(
                        "the file has parameter '"
                                + savedName
                                + "' where the model has '"
                                + p.getName()
                                + "' — the weights do not match config.json");
            }
            if (!"NDAR".equals(in.readUTF())) {
                throw fail("the array record is malformed");
            }
            int arrayVersion = in.readInt();
            if (arrayVersion < 1 || arrayVersion > MAX_ARRAY_VERSION) {
                throw fail("array encoding version " + arrayVersion + " is not supported");
            }
            if (arrayVersion > 1 && in.readByte() == 1) {
                in.readUTF();
            }
            in.readUTF(); // sparse format
            DataType type = dataType(in.readUTF(), "the data type");
            if (!WEIGHT_TYPES.contains(type)) {
                throw fail(
                        "has data type " + type + "; weights must be float32, float64 or float16");
            }
            Shape shape = shape();
            Shape want = shapes.get(p);
            if (!shape.equals(want)) {
                throw fail("has shape " + shape + " but config.json needs " + want);
            }
            if (arrayVersion > 2) {
                byte order = in.readByte();
                if (order == '>') {
                    throw fail("is stored big-endian, which this reader does not support");
                }
            }
            long expected = shape.size() * type.getNumOfBytes();
            int length = in.readInt();
            if (length != expected) {
                throw fail(
                        "holds "
                                + length
                                + " bytes but shape "
                                + shape
                                + " of "
                                + type
                                + " needs "
                                + expected);
            }
            if (in.skipBytes(length) != length) {
                throw new EOFException();
            }
        }

        private Shape shape() throws IOException {
            int dims = count(in.readInt(), MAX_DIMENSIONS, "dimensions");
            long[] values = new long[dims];
            for (int i = 0; i < dims; i++) {
                values[i] = in.readLong();
                if (values[i] < 0 || values[i] > Integer.MAX_VALUE) {
                    throw fail("a shape has dimension " + values[i]);
                }
            }
            int layout = count(in.readInt(), MAX_DIMENSIONS, "layout entries");
            for (int i = 0; i < layout; i++) {
                in.readChar();
            }
            return new Shape(values);
        }

        private DataType dataType(String name, String what) {
            try {
                return DataType.valueOf(name);
            } catch (IllegalArgumentException e) {
                throw fail(what + " '" + name + "' is not a DJL data type");
            }
        }

        private int count(int value, int max, String what) {
            if (value < 0 || value > max) {
                throw fail(
                        value
                                + " "
                                + what
                                + " (at most "
                                + max
                                + " expected) — the file is corrupt");
            }
            return value;
        }

        private CheckpointException fail(String problem) {
            if (where.startsWith("tensor ")) {
                return new CheckpointException(file + ": " + where + " " + problem);
            }
            return new CheckpointException(file + ": " + problem + " (in " + where + ")");
        }
    }
}
