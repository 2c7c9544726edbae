package io.motdjl.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import io.motdjl.config.MoTConfig;
import io.motdjl.io.CheckpointException;
import io.motdjl.nn.MoTModel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Truncated, tampered and mismatched files: each load fails with a message that names the file (and
 * the tensor, for weights that do not fit the config), and leaves no array behind.
 */
class FaultsTest {

    @TempDir Path tmp;

    private Path write(WeightsFormat format) throws Exception {
        Path dir = tmp.resolve("ckpt-" + format);
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTCheckpointWriter.of(Tiny.model(Tiny.config(), manager)).format(format).write(dir);
        }
        return dir;
    }

    /** Loads {@code dir}, expecting a failure; checks nothing was left in the manager. */
    private static <T extends Throwable> T loadFails(Class<T> type, Path dir) {
        try (NDManager manager = NDManager.newBaseManager()) {
            T e = assertThrows(type, () -> MoTCheckpoint.load(dir, manager));
            assertEquals(
                    0, manager.getManagedArrays().size(), "arrays left behind by a failed load");
            return e;
        }
    }

    private static void assertMentions(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(WeightsFormat.class)
    void truncatedWeightsFailTheirChecksum(WeightsFormat format) throws Exception {
        Path dir = write(format);
        Path weights = MoTCheckpoint.inspect(dir).weights();
        Tiny.truncate(weights, Files.size(weights) - 100);
        ChecksumException e = loadFails(ChecksumException.class, dir);
        assertMentions(e, weights.toString(), "does not match", "checksums.sha256");
    }

    @ParameterizedTest
    @EnumSource(WeightsFormat.class)
    void tamperedWeightsFailTheirChecksum(WeightsFormat format) throws Exception {
        Path dir = write(format);
        Path weights = MoTCheckpoint.inspect(dir).weights();
        Tiny.flipByteNearEnd(weights);
        ChecksumException e = loadFails(ChecksumException.class, dir);
        assertMentions(e, weights.toString(), "sha256", "corrupt, truncated or was modified");
    }

    @Test
    void tamperedConfigFailsItsChecksum() throws Exception {
        Path dir = write(WeightsFormat.SAFETENSORS);
        Path config = dir.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"dim\": 16", "\"dim\": 32"));
        assertMentions(loadFails(ChecksumException.class, dir), config.toString(), "sha256");
    }

    @Test
    void missingListedFileIsNamed() throws Exception {
        Path dir = write(WeightsFormat.SAFETENSORS);
        Files.delete(dir.resolve("serving.properties"));
        assertMentions(loadFails(ChecksumException.class, dir), "serving.properties", "missing");
    }

    @Test
    void weightsNotCoveredByTheManifestAreRefused() throws Exception {
        Path dir = write(WeightsFormat.SAFETENSORS);
        Path manifest = dir.resolve(MoTCheckpoint.CHECKSUMS_FILE);
        String kept =
                Files.readAllLines(manifest).stream()
                        .filter(l -> !l.endsWith("model.safetensors"))
                        .reduce("", (a, b) -> a + b + "\n");
        Files.writeString(manifest, kept);
        assertMentions(loadFails(ChecksumException.class, dir), "model.safetensors is not covered");
    }

    @Test
    void malformedManifestIsRefused() throws Exception {
        Path dir = write(WeightsFormat.SAFETENSORS);
        Files.writeString(dir.resolve(MoTCheckpoint.CHECKSUMS_FILE), "abc  config.json\n");
        assertMentions(loadFails(CheckpointException.class, dir), "checksums.sha256", "line 1");
        Files.writeString(
                dir.resolve(MoTCheckpoint.CHECKSUMS_FILE), "0".repeat(64) + "  ../outside.json\n");
        assertMentions(loadFails(CheckpointException.class, dir), "not a plain file name");
    }

    @ParameterizedTest
    @EnumSource(WeightsFormat.class)
    void truncatedWeightsWithoutManifestAreCaughtByTheFormatCheck(WeightsFormat format)
            throws Exception {
        Path dir = write(format);
        Files.delete(dir.resolve(MoTCheckpoint.CHECKSUMS_FILE));
        Path weights = MoTCheckpoint.inspect(dir).weights();
        Tiny.truncate(weights, Files.size(weights) - 100);
        CheckpointException e = loadFails(CheckpointException.class, dir);
        assertMentions(e, weights.toString(), "truncated");
    }

    @Test
    void djlParamsTruncatedMidTensorNameTheTensor() throws Exception {
        Path dir = write(WeightsFormat.DJL_PARAMS);
        Files.delete(dir.resolve(MoTCheckpoint.CHECKSUMS_FILE));
        Path weights = MoTCheckpoint.inspect(dir).weights();
        Tiny.truncate(weights, 2000);
        assertMentions(loadFails(CheckpointException.class, dir), "ends early", "inside tensor '");
    }

    /** A config that does not fit the weights: each format names the first tensor that differs. */
    @ParameterizedTest
    @EnumSource(WeightsFormat.class)
    void configWeightsMismatchNamesTheTensor(WeightsFormat format) throws Exception {
        Path dir = write(format);
        MoTConfig other = Tiny.config().toBuilder().ffnHiddenDim(32).build();
        Files.writeString(dir.resolve("config.json"), other.toJson() + "\n");
        Checksums.writeManifest(dir); // a consistent but mismatched checkpoint
        CheckpointException e = loadFails(CheckpointException.class, dir);
        if (format == WeightsFormat.SAFETENSORS) {
            assertMentions(
                    e,
                    "tensor 'layers.0.feed_forward.local_experts.0.w1.weight' has shape (24, 16)",
                    "needs (32, 16)");
        } else {
            assertMentions(
                    e,
                    "saved for a model of another config than config.json",
                    "ffn_hidden_dim: 24 vs 32");
        }
    }

    @Test
    void nonFiniteWeightsAreRefusedInBothFormats() throws Exception {
        for (WeightsFormat format : WeightsFormat.values()) {
            Path dir = tmp.resolve("nan-" + format);
            try (NDManager manager = NDManager.newBaseManager()) {
                MoTModel model = Tiny.model(Tiny.config(), manager);
                NDArray norm = model.trunk().norm().tower(1).weight().getArray();
                float[] values = norm.toFloatArray();
                values[3] = Float.NaN;
                norm.set(values);
                MoTCheckpointWriter.of(model).format(format).write(dir);
            }
            assertMentions(
                    loadFails(CheckpointException.class, dir),
                    "tensor 'norm.1.weight' holds 1 NaN or infinite value(s)");
        }
    }

    @Test
    void djlParamsWithAWrongTensorShapeNameTheTensor() throws Exception {
        // same config text, different shapes: save a 32-wide FFN under a 24-wide config name
        Path dir = tmp.resolve("shapes");
        MoTConfig wide = Tiny.config().toBuilder().ffnHiddenDim(32).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = Tiny.model(wide, manager);
            MoTCheckpointWriter.of(model).format(WeightsFormat.DJL_PARAMS).write(dir);
        }
        // patch the config JSON stored inside the params file to the narrow config's, same length
        Path params = dir.resolve("mot-0000.params");
        byte[] bytes = Files.readAllBytes(params);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        String patched = text.replace("\"ffn_hidden_dim\":32", "\"ffn_hidden_dim\":24");
        Files.write(params, patched.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        Files.writeString(dir.resolve("config.json"), Tiny.config().toJson() + "\n");
        Files.delete(dir.resolve(MoTCheckpoint.CHECKSUMS_FILE));
        assertTrue(!patched.equals(text), "the params file holds the config as compact JSON");
        assertMentions(
                loadFails(CheckpointException.class, dir),
                // W1 and W3 are one stacked parameter: both names, the stacked shapes
                "tensor 'layers.0.feed_forward.local_experts.0.w1.weight"
                        + " + layers.0.feed_forward.local_experts.0.w3.weight' has shape (64, 16)",
                "config.json needs (48, 16)");
    }

    @Test
    void wrongDataTypesInADjlParamsFileAreRefusedBeforeTheEngineSeesThem() throws Exception {
        Path dir = write(WeightsFormat.DJL_PARAMS);
        Files.delete(dir.resolve(MoTCheckpoint.CHECKSUMS_FILE));
        Path params = dir.resolve("mot-0000.params");
        byte[] original = Files.readAllBytes(params);
        // BF16 would abort the JVM inside libtorch; it must be refused in Java
        Files.write(params, replaceDataType(original, "BFLOAT16"));
        assertMentions(
                loadFails(CheckpointException.class, dir),
                "tensor 'tok_embeddings.weight' has data type bfloat16");
        Files.write(params, replaceDataType(original, "INT16"));
        assertMentions(
                loadFails(CheckpointException.class, dir),
                "tensor 'tok_embeddings.weight' has data type int16");
        // a weight type whose byte length does not fit the shape
        Files.write(params, replaceDataType(original, "FLOAT16"));
        assertMentions(
                loadFails(CheckpointException.class, dir),
                "tensor 'tok_embeddings.weight' holds",
                "needs");
    }

    /** The params file with the data type of the embedding's array record replaced. */
    private static byte[] replaceDataType(byte[] bytes, String type) {
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        // the first parameter record is the token embedding's (the model's first block)
        int at = text.indexOf("\0\7FLOAT32", text.indexOf("\0\6weight"));
        assertTrue(at > 0, "no FLOAT32 record after the first parameter name");
        String replaced =
                text.substring(0, at) + "\0" + (char) type.length() + type + text.substring(at + 9);
        return replaced.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Test
    void pickledWeightsAreNeverRead() throws Exception {
        Path dir = tmp.resolve("pickle");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), Tiny.config().toJson());
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2, 'c', 'o', 's'});
        CheckpointException e = loadFails(CheckpointException.class, dir);
        assertMentions(e, "pytorch_model.bin", "never read", "safetensors");
    }

    @Test
    void invalidConfigIsNamed() throws Exception {
        Path dir = write(WeightsFormat.SAFETENSORS);
        Files.writeString(dir.resolve("config.json"), "{\"dim\": 16}");
        Files.delete(dir.resolve(MoTCheckpoint.CHECKSUMS_FILE));
        assertMentions(loadFails(CheckpointException.class, dir), "config.json");
    }

    @Test
    void failedLoadLeavesTheOwnersManagerEmpty() throws Exception {
        // the weights stage fails after the model's parameters were allocated
        Path dir = write(WeightsFormat.SAFETENSORS);
        MoTConfig other = Tiny.config().toBuilder().ffnHiddenDim(32).build();
        Files.writeString(dir.resolve("config.json"), other.toJson() + "\n");
        Files.delete(dir.resolve(MoTCheckpoint.CHECKSUMS_FILE));
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.zeros(new ai.djl.ndarray.types.Shape(3), DataType.FLOAT32); // the caller's own
            assertThrows(CheckpointException.class, () -> MoTCheckpoint.load(dir, manager));
            assertEquals(1, manager.getManagedArrays().size());
        }
    }
}
