package io.motdjl.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The index of a sharded safetensors checkpoint, Hugging Face's {@code
 * model.safetensors.index.json}: {@code {"metadata": {...}, "weight_map": {tensor name: shard file
 * name}}}. Reading checks the JSON strictly (no duplicate keys, no other top-level keys, string
 * shard names) and that every shard name is a plain {@code .safetensors} file name in the index's
 * own directory — no path separators, no {@code ..}, nothing hidden — so that an index can never
 * point outside its directory. The metadata is free-form and not interpreted.
 *
 * @param file the index file
 * @param weightMap tensor name to shard file name, in the file's order
 */
record SafetensorsIndex(Path file, Map<String, String> weightMap) {

    /** The suffix that marks a file as an index rather than a safetensors file. */
    static final String SUFFIX = ".index.json";

    private static final String METADATA = "metadata";
    private static final String WEIGHT_MAP = "weight_map";
    private static final String SHARD_SUFFIX = ".safetensors";

    /** Largest index read: an index lists names, a few MiB even for the largest models. */
    private static final long MAX_BYTES = 64L << 20;

    /** Whether {@code file}'s name marks it as an index. */
    static boolean isIndex(Path file) {
        Path name = file.getFileName();
        return name != null && name.toString().endsWith(SUFFIX);
    }

    /**
     * Reads and validates an index (not yet its shards).
     *
     * @throws IOException if the file cannot be read
     * @throws CheckpointException saying what is malformed
     */
    static SafetensorsIndex read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new CheckpointException(
                    file + ": " + size + " bytes, too large for a safetensors index");
        }
        JsonElement root;
        try {
            root = StrictJson.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(
                    file + ": not a valid JSON index (" + e.getMessage() + ")", e);
        }
        if (!root.isJsonObject()) {
            throw new CheckpointException(file + ": the index is not a JSON object");
        }
        JsonObject object = root.getAsJsonObject();
        for (String key : object.keySet()) {
            if (!METADATA.equals(key) && !WEIGHT_MAP.equals(key)) {
                throw new CheckpointException(
                        file
                                + ": unknown key \""
                                + key
                                + "\"; an index holds only \""
                                + METADATA
                                + "\" and \""
                                + WEIGHT_MAP
                                + "\"");
            }
        }
        JsonElement metadata = object.get(METADATA);
        if (metadata != null && !metadata.isJsonObject()) {
            throw new CheckpointException(file + ": \"" + METADATA + "\" is not an object");
        }
        JsonElement map = object.get(WEIGHT_MAP);
        if (map == null || !map.isJsonObject()) {
            throw new CheckpointException(
                    file + ": no \"" + WEIGHT_MAP + "\" object (tensor name to shard file)");
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : map.getAsJsonObject().entrySet()) {
            JsonElement shard = e.getValue();
            if (!shard.isJsonPrimitive() || !shard.getAsJsonPrimitive().isString()) {
                throw new CheckpointException(
                        file + ": tensor '" + e.getKey() + "' maps to " + shard + ", not a name");
            }
            weightMap.put(e.getKey(), checkShardName(shard.getAsString(), e.getKey(), file));
        }
        return new SafetensorsIndex(file, Collections.unmodifiableMap(weightMap));
    }

    private static String checkShardName(String shard, String tensor, Path file) {
        boolean plain =
                !shard.isEmpty()
                        && !shard.startsWith(".")
                        && shard.indexOf('/') < 0
                        && shard.indexOf('\\') < 0
                        && shard.indexOf(':') < 0
                        && shard.indexOf('\0') < 0;
        if (!plain || !shard.endsWith(SHARD_SUFFIX)) {
            throw new CheckpointException(
                    file
                            + ": tensor '"
                            + tensor
                            + "' maps to shard \""
                            + shard
                            + "\"; a shard must be a plain *"
                            + SHARD_SUFFIX
                            + " file name in the index's directory (no path, not hidden)");
        }
        return shard;
    }

    /** The shard file names, in order of first mention. */
    List<String> shards() {
        return new ArrayList<>(new LinkedHashSet<>(weightMap.values()));
    }

    /** The directory the shards are in. */
    Path dir() {
        Path parent = file.toAbsolutePath().getParent();
        return parent;
    }

    /**
     * The JSON of an index: {@code metadata.total_size} (bytes of tensor data, as Hugging Face
     * writes it) and the weight map.
     */
    static byte[] json(Map<String, String> weightMap, long totalSize) {
        JsonObject root = new JsonObject();
        JsonObject metadata = new JsonObject();
        metadata.addProperty("total_size", totalSize);
        root.add(METADATA, metadata);
        JsonObject map = new JsonObject();
        weightMap.forEach(map::addProperty);
        root.add(WEIGHT_MAP, map);
        return (root + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
