package io.motdjl.zoo;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.motdjl.io.AtomicFiles;
import io.motdjl.io.CheckpointException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Publishes checkpoint directories into a model repository in DJL's layout, the form the zoo's
 * bundled models take (and that DJL's own {@code LocalRepository} reads):
 *
 * <pre>
 *   ROOT/model/undefined/io/motdjl/mot/ARTIFACT_ID/metadata.json
 *   ROOT/model/undefined/io/motdjl/mot/ARTIFACT_ID/VERSION/NAME/config.json, model.safetensors, ...
 * </pre>
 *
 * {@code metadata.json} is DJL's repository metadata ({@code ai.djl.repository.Metadata}): the
 * family's group and artifact id, and per artifact its version, name, filter properties, DJL
 * loading arguments and files. Each file entry holds DJL's {@code uri}, {@code name}, {@code size}
 * and {@code sha1Hash}, plus a {@code sha256}, which the zoo verifies on every load.
 */
public final class ZooRepositoryWriter {

    /** DJL's repository metadata version. */
    static final String METADATA_VERSION = "0.2";

    private static final Gson GSON =
            new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /**
     * One artifact to publish.
     *
     * @param groupId the zoo's group id, e.g. {@value MoTModelZoo#GROUP_ID}
     * @param artifactId the artifact family, e.g. {@value MoTModelZoo#CHAMELEON_FMNIST}
     * @param version the artifact's version
     * @param name the artifact's name, unique within the family and version
     * @param properties what {@code Criteria.optFilter} selects by
     * @param familyName a title for the family (kept if the metadata exists)
     * @param familyDescription a paragraph about the family (kept if the metadata exists)
     */
    public record ArtifactSpec(
            String groupId,
            String artifactId,
            String version,
            String name,
            Map<String, String> properties,
            String familyName,
            String familyDescription) {

        /**
         * Requires a group id and plain names for the artifact id, version and name, and copies the
         * properties sorted by key.
         */
        public ArtifactSpec {
            Objects.requireNonNull(groupId, "groupId");
            Checksums.requirePlainName(artifactId, "artifact id");
            Checksums.requirePlainName(version, "version");
            Checksums.requirePlainName(name, "artifact name");
            properties = new TreeMap<>(properties);
        }
    }

    private ZooRepositoryWriter() {}

    /** The directory of an artifact family's {@code metadata.json} under a repository root. */
    public static Path familyDirectory(Path root, String groupId, String artifactId) {
        return root.resolve("model")
                .resolve(MoTModelZoo.APPLICATION.getPath())
                .resolve(groupId.replace('.', '/'))
                .resolve(artifactId);
    }

    /**
     * Copies a checkpoint directory into the repository as an artifact and records it (replacing an
     * artifact of the same version and name) in the family's {@code metadata.json}. A checkpoint
     * with a {@code checksums.sha256} is verified before anything is copied.
     *
     * @param root the repository root
     * @param spec what to publish it as
     * @param checkpointDir a checkpoint directory (see {@link MoTCheckpoint})
     * @return the artifact's directory in the repository
     * @throws IOException if reading or writing fails
     * @throws CheckpointException if the checkpoint is invalid or fails its checksums
     */
    public static Path publish(Path root, ArtifactSpec spec, Path checkpointDir)
            throws IOException {
        MoTCheckpoint.Layout layout = MoTCheckpoint.inspect(checkpointDir);
        MoTCheckpoint.verify(layout, null, MoTCheckpoint.Verification.REQUIRED);
        Path family = familyDirectory(root, spec.groupId(), spec.artifactId());
        Path target = family.resolve(spec.version()).resolve(spec.name());
        MoTCheckpointWriter.deleteTree(target);
        Files.createDirectories(target);
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(checkpointDir)) {
            list.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .forEach(files::add);
        }
        JsonObject items = new JsonObject();
        for (Path file : files) {
            String fileName = file.getFileName().toString();
            Path copy = target.resolve(fileName);
            Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
            JsonObject item = new JsonObject();
            item.addProperty("uri", spec.version() + "/" + spec.name() + "/" + fileName);
            item.addProperty("name", fileName);
            item.addProperty("size", Files.size(copy));
            item.addProperty("sha1Hash", Checksums.sha1(copy));
            item.addProperty("sha256", Checksums.sha256(copy));
            items.add(fileName, item);
        }
        writeMetadata(family, spec, artifactEntry(spec, items));
        return target;
    }

    private static JsonObject artifactEntry(ArtifactSpec spec, JsonObject items) {
        JsonObject artifact = new JsonObject();
        artifact.addProperty("version", spec.version());
        artifact.addProperty("snapshot", false);
        artifact.addProperty("name", spec.name());
        JsonObject properties = new JsonObject();
        spec.properties().forEach(properties::addProperty);
        artifact.add("properties", properties);
        // what DJL's own BaseModelLoader needs to load the artifact (the zoo's loader needs none)
        JsonObject arguments = new JsonObject();
        arguments.addProperty("blockFactory", MoTBlockFactory.class.getName());
        arguments.addProperty("translatorFactory", MoTTranslatorFactory.class.getName());
        artifact.add("arguments", arguments);
        JsonObject options = new JsonObject();
        options.addProperty("hasParameter", "false");
        artifact.add("options", options);
        artifact.add("files", items);
        return artifact;
    }

    private static void writeMetadata(Path family, ArtifactSpec spec, JsonObject entry)
            throws IOException {
        Path file = family.resolve("metadata.json");
        JsonObject metadata;
        if (Files.isRegularFile(file)) {
            JsonElement existing =
                    JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            metadata = existing.getAsJsonObject();
            if (!spec.groupId().equals(metadata.get("groupId").getAsString())
                    || !spec.artifactId().equals(metadata.get("artifactId").getAsString())) {
                throw new CheckpointException(
                        file
                                + " describes another artifact family ("
                                + metadata.get("groupId")
                                + "/"
                                + metadata.get("artifactId")
                                + ")");
            }
        } else {
            metadata = new JsonObject();
            metadata.addProperty("metadataVersion", METADATA_VERSION);
            metadata.addProperty("resourceType", "model");
            metadata.addProperty("application", MoTModelZoo.APPLICATION.getPath());
            metadata.addProperty("groupId", spec.groupId());
            metadata.addProperty("artifactId", spec.artifactId());
            metadata.addProperty(
                    "name", Objects.requireNonNullElse(spec.familyName(), spec.artifactId()));
            metadata.addProperty(
                    "description", Objects.requireNonNullElse(spec.familyDescription(), ""));
            metadata.addProperty("website", "https://arxiv.org/abs/2411.04996");
            metadata.add("artifacts", new JsonArray());
        }
        // an artifact of the same version and name is replaced in place; a new one goes last (with
        // no filter, DJL picks the first artifact of a family)
        List<JsonObject> artifacts = new ArrayList<>();
        boolean replaced = false;
        for (JsonElement e : metadata.getAsJsonArray("artifacts")) {
            JsonObject a = e.getAsJsonObject();
            boolean same =
                    spec.version().equals(a.get("version").getAsString())
                            && spec.name().equals(a.get("name").getAsString());
            artifacts.add(same ? entry : a);
            replaced |= same;
        }
        if (!replaced) {
            artifacts.add(entry);
        }
        JsonArray array = new JsonArray();
        artifacts.forEach(array::add);
        metadata.add("artifacts", array);
        Files.createDirectories(family);
        byte[] json = (GSON.toJson(metadata) + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, os -> os.write(json));
    }
}
