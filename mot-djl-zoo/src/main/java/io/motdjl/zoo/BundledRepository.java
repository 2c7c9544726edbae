package io.motdjl.zoo;

import ai.djl.repository.AbstractRepository;
import ai.djl.repository.Artifact;
import ai.djl.repository.MRL;
import ai.djl.repository.Metadata;
import ai.djl.repository.Version;
import ai.djl.repository.VersionRange;
import ai.djl.util.JsonUtils;
import ai.djl.util.Progress;
import ai.djl.util.Utils;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.motdjl.io.CheckpointException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A DJL {@link ai.djl.repository.Repository} whose artifacts are resources on the class path, laid
 * out as a DJL model repository: {@code model/<application>/<group id as path>/<artifact
 * id>/metadata.json} describing each artifact's files, which lie under {@code <version>/<name>/}
 * beside it.
 *
 * <p>When the resources are plain files (a {@code classes} directory), artifacts are used where
 * they are. When they are inside a jar, DJL's own {@code prepare} copies an artifact into DJL's
 * cache directory ({@code ~/.djl.ai/cache/repo/...} or {@code DJL_CACHE_DIR}) on first use,
 * checking each file's {@code sha1Hash} as it does for downloads.
 *
 * <p>Besides DJL's fields, each file entry of the metadata records its {@code sha256}; {@link
 * #expectedChecksums} hands those (with the sizes) to the loader, which verifies them every time
 * the artifact is loaded.
 */
final class BundledRepository extends AbstractRepository {

    private static final Logger logger = LoggerFactory.getLogger(BundledRepository.class);

    private static final String METADATA = "metadata.json";

    private final ClassLoader loader;
    private final String base;
    private final Path cacheDir;
    private final List<MRL> resources = new ArrayList<>();

    /** Per metadata location: artifact key to file name to expectation. */
    private final Map<URI, Map<String, Map<String, Checksums.Expected>>> checksums =
            new ConcurrentHashMap<>();

    /** Per metadata location: the directory holding it when it is a plain file, else absent. */
    private final Map<URI, Path> localDirs = new ConcurrentHashMap<>();

    /**
     * A repository over {@code loader}'s resources under {@code base}.
     *
     * @param name a name for messages
     * @param loader where the resources are
     * @param base the resource folder of the repository, ending with {@code /}
     * @param cacheDir where artifacts inside jars are extracted; null for DJL's cache directory
     */
    BundledRepository(String name, ClassLoader loader, String base, Path cacheDir) {
        super(name, URI.create("classpath:/" + base));
        this.loader = loader;
        this.base = base.endsWith("/") ? base : base + "/";
        this.cacheDir = cacheDir;
    }

    /** Registers an artifact family this repository holds. */
    MRL add(MRL mrl) {
        resources.add(mrl);
        return mrl;
    }

    @Override
    public boolean isRemote() {
        return false;
    }

    @Override
    public Metadata locate(MRL mrl) throws IOException {
        URI uri = mrl.toURI();
        String resource = base + uri.getPath() + METADATA;
        URL url = loader.getResource(resource);
        if (url == null) {
            return null;
        }
        String json;
        try (InputStream in = url.openStream()) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Metadata metadata;
        try {
            metadata = JsonUtils.GSON.fromJson(json, Metadata.class);
            checksums.put(uri, readChecksums(JsonParser.parseString(json), resource));
        } catch (CheckpointException e) {
            throw e;
        } catch (RuntimeException e) {
            // malformed JSON, or fields of the wrong kind
            throw new CheckpointException(
                    resource + ": invalid repository metadata (" + e + ")", e);
        }
        if (metadata == null || metadata.getArtifacts() == null) {
            throw new CheckpointException(resource + ": repository metadata without artifacts");
        }
        metadata.init(arguments);
        metadata.setRepositoryUri(uri);
        if ("file".equals(url.getProtocol())) {
            try {
                localDirs.put(uri, Paths.get(url.toURI()).getParent());
            } catch (URISyntaxException e) {
                throw new IOException("bad resource URL " + url, e);
            }
        }
        return metadata;
    }

    /** The {@code sha256} and {@code size} of every file entry, by artifact and file name. */
    private static Map<String, Map<String, Checksums.Expected>> readChecksums(
            JsonElement root, String resource) {
        Map<String, Map<String, Checksums.Expected>> all = new LinkedHashMap<>();
        String source = "the artifact metadata " + resource;
        for (JsonElement a : root.getAsJsonObject().getAsJsonArray("artifacts")) {
            JsonObject artifact = a.getAsJsonObject();
            String key = key(string(artifact, "version"), string(artifact, "name"));
            Map<String, Checksums.Expected> files = new LinkedHashMap<>();
            JsonObject items = artifact.getAsJsonObject("files");
            if (items != null) {
                for (Map.Entry<String, JsonElement> e : items.entrySet()) {
                    JsonObject item = e.getValue().getAsJsonObject();
                    String fileName = string(item, "name");
                    String sha256 = string(item, "sha256");
                    if (fileName == null || sha256 == null) {
                        throw new CheckpointException(
                                resource
                                        + ": file entry '"
                                        + e.getKey()
                                        + "' of artifact "
                                        + key
                                        + " has no name or no sha256");
                    }
                    long size = item.has("size") ? item.get("size").getAsLong() : -1;
                    files.put(fileName, new Checksums.Expected(sha256, size, source));
                }
            }
            all.put(key, Collections.unmodifiableMap(files));
        }
        return all;
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private static String key(String version, String name) {
        return version + "/" + name;
    }

    /**
     * The expected size and SHA-256 of every file of {@code artifact}, from its metadata.
     *
     * @throws CheckpointException if the metadata records none
     */
    Map<String, Checksums.Expected> expectedChecksums(Artifact artifact) {
        Map<String, Map<String, Checksums.Expected>> byArtifact =
                checksums.get(artifact.getMetadata().getRepositoryUri());
        Map<String, Checksums.Expected> files =
                byArtifact == null
                        ? null
                        : byArtifact.get(key(artifact.getVersion(), artifact.getName()));
        if (files == null || files.isEmpty()) {
            throw new CheckpointException(
                    "artifact " + artifact + " has no sha256 checksums in its metadata");
        }
        return files;
    }

    @Override
    public Artifact resolve(MRL mrl, Map<String, String> filter) throws IOException {
        Metadata metadata = locate(mrl);
        if (metadata == null) {
            return null;
        }
        List<Artifact> artifacts = metadata.search(VersionRange.parse(mrl.getVersion()), filter);
        return artifacts.stream()
                .max(Comparator.comparing(a -> new Version(a.getVersion())))
                .orElse(null);
    }

    /** Whether the artifact is used from a copy in the cache (the resources are in a jar). */
    boolean isExtracted(Artifact artifact) {
        return !localDirs.containsKey(artifact.getMetadata().getRepositoryUri());
    }

    @Override
    public Path getResourceDirectory(Artifact artifact) throws IOException {
        Path local = localDirs.get(artifact.getMetadata().getRepositoryUri());
        if (local != null) {
            return local.resolve(relative(artifact));
        }
        return getCacheDirectory().resolve(artifact.getResourceUri().getPath());
    }

    /** {@code <version>/<name>/} below the artifact family's metadata. */
    private static String relative(Artifact artifact) {
        String path = "";
        if (artifact.getVersion() != null) {
            path += artifact.getVersion() + "/";
        }
        if (artifact.getName() != null && !artifact.getName().isEmpty()) {
            path += artifact.getName() + "/";
        }
        return path;
    }

    @Override
    public Path getCacheDirectory() throws IOException {
        Path dir = cacheDir != null ? cacheDir : Utils.getCacheDir().resolve("cache/repo");
        Files.createDirectories(dir);
        return dir;
    }

    @Override
    public void prepare(Artifact artifact, Progress progress) throws IOException {
        if (isExtracted(artifact)) {
            super.prepare(artifact, progress);
        }
    }

    /** Deletes an extracted copy and extracts it again (after it failed verification). */
    void reextract(Artifact artifact, Progress progress) throws IOException {
        if (!isExtracted(artifact)) {
            return;
        }
        Path dir = getResourceDirectory(artifact);
        logger.warn("re-extracting {} into {}: the cached copy failed verification", artifact, dir);
        MoTCheckpointWriter.deleteTree(dir);
        super.prepare(artifact, progress);
    }

    /** Copies one file of an artifact out of the class path (DJL checks its sha1Hash). */
    @Override
    protected void download(Path tmp, URI baseUri, Artifact.Item item, Progress progress)
            throws IOException {
        String resource = base + baseUri.getPath() + item.getUri();
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(
                        "bundled file " + resource + " is missing from the class path");
            }
            save(in, tmp, item, progress);
        }
    }

    @Override
    public List<MRL> getResources() {
        return Collections.unmodifiableList(resources);
    }

    /**
     * Opens a file of an artifact straight from the class path (nothing is extracted).
     *
     * @return the stream, or null when the artifact has no such file
     */
    InputStream openResource(Artifact artifact, String fileName) {
        String resource = base + artifact.getResourceUri().getPath() + fileName;
        return loader.getResourceAsStream(resource);
    }
}
