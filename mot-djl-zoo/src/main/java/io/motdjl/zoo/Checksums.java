package io.motdjl.zoo;

import io.motdjl.io.AtomicFiles;
import io.motdjl.io.CheckpointException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * SHA-256 digests of the files of a checkpoint directory.
 *
 * <p>A checkpoint directory written by {@link MoTCheckpointWriter} carries a manifest, {@value
 * MoTCheckpoint#CHECKSUMS_FILE}, in the format of GNU {@code sha256sum} (so {@code sha256sum -c
 * checksums.sha256} checks it too): one line per file, {@code <64 lowercase hex digits><two
 * spaces><file name>}, sorted by name, covering every other file of the directory. Artifacts of a
 * model repository also record each file's size and digest in their {@code metadata.json} (see
 * {@link ZooRepositoryWriter}); those values take precedence when a model is loaded through the
 * zoo.
 */
public final class Checksums {

    /** The digest algorithm. */
    public static final String ALGORITHM = "SHA-256";

    /** Largest manifest read: a few lines per checkpoint are expected. */
    private static final long MAX_MANIFEST_BYTES = 1 << 20;

    private static final Pattern LINE = Pattern.compile("([0-9a-f]{64}) [ *](.+)");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    /**
     * An expected file: its digest and, when known, its size.
     *
     * @param sha256 64 lowercase hex digits
     * @param size the size in bytes, or -1 when unknown
     * @param source where the expectation comes from, for messages (e.g. the manifest's path)
     */
    public record Expected(String sha256, long size, String source) {

        /** Checks that the digest is 64 lowercase hex digits and that a source is given. */
        public Expected {
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(source, "source");
            if (!HEX.matcher(sha256).matches()) {
                throw new CheckpointException(
                        source
                                + ": '"
                                + sha256
                                + "' is not a SHA-256 digest (64 lowercase hex"
                                + " digits)");
            }
        }
    }

    private Checksums() {}

    /**
     * The SHA-256 digest of a file, as 64 lowercase hex digits.
     *
     * @param file the file
     * @return the digest
     * @throws IOException if the file cannot be read
     */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The SHA-256 digest of bytes, as 64 lowercase hex digits. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    /** The SHA-1 digest of a file (DJL's {@code sha1Hash} in repository metadata). */
    static String sha1(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every Java platform has SHA-1", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(ALGORITHM);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every Java platform has SHA-256", e);
        }
    }

    /**
     * Digests of every regular file directly in {@code dir} except the manifest itself, by name.
     *
     * @param dir a checkpoint directory
     * @return file name to digest, sorted by name
     * @throws IOException if a file cannot be read
     */
    public static Map<String, String> compute(Path dir) throws IOException {
        Map<String, String> digests = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (Files.isRegularFile(file)
                        && !name.equals(MoTCheckpoint.CHECKSUMS_FILE)
                        && !name.startsWith(".")) {
                    digests.put(name, sha256(file));
                }
            }
        }
        return digests;
    }

    /**
     * Writes a manifest of every file of {@code dir} to {@code dir/checksums.sha256}.
     *
     * @param dir a checkpoint directory
     * @return the digests written, by file name
     * @throws IOException if writing fails
     */
    public static Map<String, String> writeManifest(Path dir) throws IOException {
        Map<String, String> digests = compute(dir);
        StringBuilder text = new StringBuilder();
        digests.forEach((name, hex) -> text.append(hex).append("  ").append(name).append('\n'));
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(dir.resolve(MoTCheckpoint.CHECKSUMS_FILE), os -> os.write(bytes));
        return digests;
    }

    /**
     * Reads a manifest strictly: every line a digest and a plain file name in this directory, no
     * name twice.
     *
     * @param manifest the manifest file
     * @return file name to expectation, in file order
     * @throws IOException if the file cannot be read
     * @throws CheckpointException if it is malformed
     */
    public static Map<String, Expected> readManifest(Path manifest) throws IOException {
        long size = Files.size(manifest);
        if (size > MAX_MANIFEST_BYTES) {
            throw new CheckpointException(
                    manifest + ": " + size + " bytes is too large for a checksum manifest");
        }
        String source = manifest.toString();
        Map<String, Expected> expected = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new CheckpointException(
                        source
                                + ": line "
                                + (i + 1)
                                + " is not '<sha256 hex>  <file name>': "
                                + abbreviate(line));
            }
            String name = m.group(2);
            requirePlainName(name, source + ": line " + (i + 1));
            if (expected.put(name, new Expected(m.group(1), -1, source)) != null) {
                throw new CheckpointException(source + ": file '" + name + "' is listed twice");
            }
        }
        return Collections.unmodifiableMap(expected);
    }

    /**
     * Checks that each expected file of {@code dir} exists with the expected size (when known) and
     * digest. The first file that differs is reported.
     *
     * @param dir the checkpoint directory
     * @param expected file name to expectation
     * @throws IOException if a file cannot be read
     * @throws ChecksumException naming the first file that is missing or differs
     */
    public static void verify(Path dir, Map<String, Expected> expected) throws IOException {
        for (Map.Entry<String, Expected> e : expected.entrySet()) {
            verifyFile(dir, e.getKey(), e.getValue());
        }
    }

    /** Checks one file; see {@link #verify}. */
    static void verifyFile(Path dir, String name, Expected want) throws IOException {
        requirePlainName(name, want.source());
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new ChecksumException(
                    file
                            + ": missing — "
                            + want.source()
                            + " lists it with sha256 "
                            + want.sha256());
        }
        long size = Files.size(file);
        if (want.size() >= 0 && size != want.size()) {
            throw new ChecksumException(
                    file
                            + ": "
                            + size
                            + " bytes, but "
                            + want.source()
                            + " records "
                            + want.size()
                            + " bytes — the file is "
                            + (size < want.size() ? "truncated" : "corrupt (longer than written)"));
        }
        String actual = sha256(file);
        if (!actual.equals(want.sha256())) {
            throw new ChecksumException(
                    file
                            + ": sha256 "
                            + actual
                            + " does not match "
                            + want.sha256()
                            + " recorded in "
                            + want.source()
                            + " — the file ("
                            + size
                            + " bytes) is corrupt, truncated or was modified after it"
                            + " was written");
        }
    }

    /** A file name without directories, so that a manifest cannot point outside its directory. */
    static void requirePlainName(String name, String where) {
        if (name.isEmpty()
                || name.equals(".")
                || name.equals("..")
                || name.contains("/")
                || name.contains("\\")
                || name.indexOf('\0') >= 0) {
            throw new CheckpointException(
                    where
                            + ": '"
                            + name
                            + "' is not a plain file name in the checkpoint"
                            + " directory");
        }
    }

    private static String abbreviate(String line) {
        return line.length() <= 80 ? line : line.substring(0, 77) + "...";
    }

    /** Names in {@code required} that {@code expected} does not cover, in order. */
    static List<String> uncovered(Map<String, Expected> expected, List<String> required) {
        List<String> missing = new ArrayList<>();
        for (String name : required) {
            if (!expected.containsKey(name)) {
                missing.add(name);
            }
        }
        return missing;
    }
}
