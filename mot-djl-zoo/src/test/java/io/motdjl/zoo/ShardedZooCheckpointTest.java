package io.motdjl.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import io.motdjl.io.CheckpointException;
import io.motdjl.io.ReferenceCheckpoint;
import io.motdjl.io.SafetensorsHeader;
import io.motdjl.io.SaveOptions;
import io.motdjl.nn.MoTModel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Sharded ({@code model.safetensors.index.json} + shards) and BF16 checkpoint directories through
 * the zoo: written by {@link MoTCheckpointWriter}, inspected, verified shard by shard and loaded by
 * {@link MoTCheckpoint}.
 */
class ShardedZooCheckpointTest {

    /** Small enough that the tiny model's weights take several shards. */
    private static final long SHARD_BYTES = 4096;

    private static final SaveOptions SHARDED = SaveOptions.DEFAULT.withMaxShardBytes(SHARD_BYTES);

    @TempDir Path tmp;
    private NDManager manager;
    private MoTModel model;

    @BeforeEach
    void makeModel() {
        manager = NDManager.newBaseManager();
        model = Tiny.model(Tiny.config(), manager);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void aShardedCheckpointLoadsLikeTheUnshardedOne() throws Exception {
        Path single = tmp.resolve("single");
        Path sharded = tmp.resolve("sharded");
        MoTCheckpointWriter.of(model).write(single);
        MoTCheckpointWriter.of(model).saveOptions(SHARDED).write(sharded);

        MoTCheckpoint.Layout layout = MoTCheckpoint.inspect(sharded);
        assertEquals(WeightsFormat.SAFETENSORS, layout.format());
        assertTrue(layout.isSharded());
        assertEquals(sharded.resolve(MoTCheckpoint.INDEX_FILE), layout.weights());
        assertEquals(ReferenceCheckpoint.weightFiles(sharded), layout.weightFiles());
        assertTrue(layout.tensorFiles().size() >= 3, layout.tensorFiles()::toString);
        assertFalse(Files.exists(sharded.resolve(MoTCheckpoint.SAFETENSORS_FILE)));
        // the manifest covers the index and every shard, and loading requires all of them
        var manifest = Checksums.readManifest(sharded.resolve(MoTCheckpoint.CHECKSUMS_FILE));
        for (Path file : layout.weightFiles()) {
            String name = file.getFileName().toString();
            assertTrue(layout.requiredFiles().contains(name), name);
            assertTrue(manifest.containsKey(name), name);
        }

        try (NDManager a = NDManager.newBaseManager();
                NDManager b = NDManager.newBaseManager()) {
            MoTModel one = MoTCheckpoint.load(single, a, null, MoTCheckpoint.Verification.REQUIRED);
            MoTModel many =
                    MoTCheckpoint.load(sharded, b, null, MoTCheckpoint.Verification.REQUIRED);
            float[] want = Tiny.logits(one, a, Tiny.inputs(a)).toFloatArray();
            float[] got = Tiny.logits(many, b, Tiny.inputs(b)).toFloatArray();
            assertEquals(want.length, got.length);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 0f, "logit " + i);
            }
        }
    }

    @Test
    void aTamperedShardIsRefusedByItsChecksumNamingIt() throws Exception {
        Path dir = tmp.resolve("sharded");
        MoTCheckpointWriter.of(model).saveOptions(SHARDED).write(dir);
        List<Path> shards = MoTCheckpoint.inspect(dir).tensorFiles();
        Path tampered = shards.get(shards.size() / 2);
        Tiny.flipByteNearEnd(tampered);

        int before = manager.getManagedArrays().size();
        ChecksumException e =
                assertThrows(ChecksumException.class, () -> MoTCheckpoint.load(dir, manager));
        assertTrue(e.getMessage().startsWith(tampered + ": sha256 "), e::getMessage);
        assertTrue(e.getMessage().contains("does not match"), e::getMessage);
        assertEquals(before, manager.getManagedArrays().size(), "nothing allocated");
    }

    @Test
    void aShardTheManifestDoesNotListIsNotCovered() throws Exception {
        Path dir = tmp.resolve("sharded");
        MoTCheckpointWriter.of(model).saveOptions(SHARDED).write(dir);
        String shard = MoTCheckpoint.inspect(dir).tensorFiles().get(1).getFileName().toString();
        Path manifest = dir.resolve(MoTCheckpoint.CHECKSUMS_FILE);
        String kept =
                Files.readAllLines(manifest).stream()
                        .filter(line -> !line.endsWith("  " + shard))
                        .collect(Collectors.joining("\n", "", "\n"));
        Files.writeString(manifest, kept);

        ChecksumException e =
                assertThrows(ChecksumException.class, () -> MoTCheckpoint.load(dir, manager));
        assertTrue(e.getMessage().contains(shard + " is not covered by"), e::getMessage);
    }

    @Test
    void aMissingShardIsNamed() throws Exception {
        Path dir = tmp.resolve("sharded");
        MoTCheckpointWriter.of(model).saveOptions(SHARDED).write(dir);
        Path shard = MoTCheckpoint.inspect(dir).tensorFiles().get(0);
        Files.delete(shard);

        CheckpointException e =
                assertThrows(CheckpointException.class, () -> MoTCheckpoint.inspect(dir));
        assertTrue(e.getMessage().startsWith(shard + ": missing"), e::getMessage);
        assertTrue(e.getMessage().contains(MoTCheckpoint.INDEX_FILE), e::getMessage);
    }

    @Test
    void aDamagedIndexFailsItsChecksumRatherThanReadingAsMalformed() throws Exception {
        Path dir = tmp.resolve("sharded");
        MoTCheckpointWriter.of(model).saveOptions(SHARDED).write(dir);
        Path index = dir.resolve(MoTCheckpoint.INDEX_FILE);
        Tiny.truncate(index, Files.size(index) / 2);

        ChecksumException e =
                assertThrows(ChecksumException.class, () -> MoTCheckpoint.load(dir, manager));
        assertTrue(e.getMessage().startsWith(index + ": sha256 "), e::getMessage);

        // without a manifest the same index is reported as what it is: malformed
        Files.delete(dir.resolve(MoTCheckpoint.CHECKSUMS_FILE));
        CheckpointException malformed =
                assertThrows(CheckpointException.class, () -> MoTCheckpoint.load(dir, manager));
        assertFalse(malformed instanceof ChecksumException, malformed::getMessage);
        assertTrue(malformed.getMessage().contains(index.toString()), malformed::getMessage);
    }

    @Test
    void theConfigPreflightCountsTheValuesOfEveryShard() throws Exception {
        Path dir = tmp.resolve("sharded");
        MoTCheckpointWriter.of(model).saveOptions(SHARDED).write(dir);
        int shards = MoTCheckpoint.inspect(dir).tensorFiles().size();
        long values =
                model.getParameters().stream().mapToLong(p -> p.getValue().getArray().size()).sum();
        // the edited config is not in the manifest; the preflight comes after the checksums
        Files.delete(dir.resolve(MoTCheckpoint.CHECKSUMS_FILE));
        Files.writeString(
                dir.resolve(MoTCheckpoint.CONFIG_FILE),
                Tiny.config().toBuilder().nLayers(40).build().toJson() + "\n");

        CheckpointException e =
                assertThrows(CheckpointException.class, () -> MoTCheckpoint.load(dir, manager));
        String message = e.getMessage();
        assertTrue(message.contains("more than twice the"), message);
        assertTrue(
                message.contains(String.format(Locale.ROOT, "%,d values", values)),
                () -> values + " values in: " + message);
        assertTrue(
                message.contains(
                        "the " + shards + " shards of " + MoTCheckpoint.INDEX_FILE + " hold"),
                message);
    }

    @Test
    void aBf16CheckpointLoadsThroughTheZoo() throws Exception {
        Path dir = tmp.resolve("bf16");
        MoTCheckpointWriter.of(model)
                .saveOptions(SaveOptions.DEFAULT.withWeightType(DataType.BFLOAT16))
                .write(dir);
        SafetensorsHeader header =
                SafetensorsHeader.read(dir.resolve(MoTCheckpoint.SAFETENSORS_FILE));
        header.entries().values().forEach(t -> assertEquals("BF16", t.dtype(), t.name()));
        assertBf16LoadCloseToFloat32(dir);

        // bfloat16 and sharded together
        Path both = tmp.resolve("bf16-sharded");
        MoTCheckpointWriter.of(model)
                .saveOptions(new SaveOptions(DataType.BFLOAT16, SHARD_BYTES / 2))
                .write(both);
        assertTrue(MoTCheckpoint.inspect(both).isSharded());
        assertBf16LoadCloseToFloat32(both);
    }

    @Test
    void djlParametersTakeNoSaveOptions() {
        MoTCheckpointWriter writer =
                MoTCheckpointWriter.of(model).format(WeightsFormat.DJL_PARAMS).saveOptions(SHARDED);
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> writer.write(tmp.resolve("x")));
        assertTrue(e.getMessage().contains("apply to safetensors weights"), e::getMessage);
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    /**
     * Loads a bfloat16 checkpoint (checksums required) and compares its logits with the float32
     * model's: close (bfloat16 keeps 8 significant bits) but not equal (the weights were rounded).
     */
    private void assertBf16LoadCloseToFloat32(Path dir) throws Exception {
        NDArray want = Tiny.logits(model, manager, Tiny.inputs(manager));
        try (NDManager other = NDManager.newBaseManager()) {
            MoTModel loaded =
                    MoTCheckpoint.load(dir, other, null, MoTCheckpoint.Verification.REQUIRED);
            for (Pair<String, Parameter> p : loaded.getParameters()) {
                assertEquals(DataType.FLOAT32, p.getValue().getArray().getDataType(), p.getKey());
            }
            NDArray got = Tiny.logits(loaded, other, Tiny.inputs(other));
            double scale = want.abs().max().getFloat();
            double diff = Tiny.maxAbsDiff(want, got.toDevice(want.getDevice(), false));
            assertTrue(diff > 0, "bfloat16 weights differ from float32 ones");
            assertTrue(diff < 0.05 * scale, () -> "max |diff| " + diff + " of " + scale);
        }
    }
}
