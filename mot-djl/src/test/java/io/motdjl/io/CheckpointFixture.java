package io.motdjl.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.motdjl.GoldenCase;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.nn.MoTOutputs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Golden checkpoints, and variants of them written to a temporary directory. */
final class CheckpointFixture {

    private CheckpointFixture() {}

    /** The golden case's weights, read into {@code manager}. */
    static Map<String, NDArray> weights(String name, NDManager manager) throws IOException {
        Path file = GoldenCase.dir(name).resolve(ReferenceCheckpoint.WEIGHTS_FILE);
        return SafetensorsFile.read(file, manager);
    }

    /** The golden case's config.json as a mutable JSON object. */
    static JsonObject config(String name) throws IOException {
        Path file = GoldenCase.dir(name).resolve(ReferenceCheckpoint.CONFIG_FILE);
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    /** The golden config with one key changed. */
    static JsonObject config(String name, Consumer<JsonObject> change) throws IOException {
        JsonObject config = config(name);
        change.accept(config);
        return config;
    }

    /** Writes a checkpoint directory {@code root/sub} with the given config and weights. */
    static Path write(Path root, String sub, JsonElement config, Map<String, NDArray> weights)
            throws IOException {
        Path dir = Files.createDirectories(root.resolve(sub));
        Files.writeString(dir.resolve(ReferenceCheckpoint.CONFIG_FILE), config.toString());
        SafetensorsFile.write(dir.resolve(ReferenceCheckpoint.WEIGHTS_FILE), weights);
        return dir;
    }

    /** The golden weights with some tensors changed, in the same order. */
    static Map<String, NDArray> edited(
            Map<String, NDArray> weights, Consumer<Map<String, NDArray>> edit) {
        Map<String, NDArray> copy = new LinkedHashMap<>(weights);
        edit.accept(copy);
        return copy;
    }

    /** The model's logits on the golden case's input. */
    static NDArray logits(MoTModel model, String name, NDManager manager) throws IOException {
        Map<String, NDArray> input = GoldenCase.input(name, manager);
        MoTInputs in = MoTInputs.of(input.get("tokens"), input.get("modalities"));
        if (input.containsKey("image_span_ids")) {
            in = in.withImageSpanIds(input.get("image_span_ids"));
        }
        NDList out = model.forward(new ParameterStore(manager, false), in.toNDList(), false);
        return MoTOutputs.of(out).logits();
    }

    /** Largest absolute difference. */
    static float maxAbsDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }
}
