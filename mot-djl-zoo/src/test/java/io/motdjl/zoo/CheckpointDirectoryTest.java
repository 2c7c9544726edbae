package io.motdjl.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;

import io.motdjl.config.MoTConfig;
import io.motdjl.io.ReferenceCheckpoint;
import io.motdjl.nn.MoTInputs;
import io.motdjl.nn.MoTModel;
import io.motdjl.tokenize.PatchGrid;
import io.motdjl.tokenize.PatchKMeansTokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The saver and the checkpoint directory loader, in both weight formats. */
class CheckpointDirectoryTest {

    @TempDir Path tmp;

    @ParameterizedTest
    @EnumSource(WeightsFormat.class)
    void savedCheckpointLoadsWithIdenticalOutputs(WeightsFormat format) throws Exception {
        Path dir = tmp.resolve("ckpt");
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = Tiny.model(Tiny.config(), manager);
            MoTInputs inputs = Tiny.inputs(manager);
            float[] want = Tiny.logits(model, manager, inputs).toFloatArray();
            Map<String, String> digests = MoTCheckpointWriter.of(model).format(format).write(dir);

            MoTCheckpoint.Layout layout = MoTCheckpoint.inspect(dir);
            assertEquals(format, layout.format());
            assertTrue(layout.hasManifest());
            assertTrue(digests.containsKey(MoTCheckpoint.CONFIG_FILE));
            assertTrue(digests.containsKey(layout.weights().getFileName().toString()));
            assertTrue(digests.containsKey(MoTCheckpoint.SERVING_PROPERTIES));

            try (NDManager other = NDManager.newBaseManager()) {
                MoTModel loaded =
                        MoTCheckpoint.load(dir, other, null, MoTCheckpoint.Verification.REQUIRED);
                Tiny.forceGarbageCollection();
                assertEquals(model.config(), loaded.config());
                float[] got = Tiny.logits(loaded, other, Tiny.inputs(other)).toFloatArray();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 0f, "logit " + i);
                }
            }
        }
    }

    @Test
    void djlParamsCheckpointAlsoLoadsWithDjlsOwnModelLoad() throws Exception {
        Path dir = tmp.resolve("params");
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = Tiny.model(Tiny.config(), manager);
            MoTCheckpointWriter.of(model).format(WeightsFormat.DJL_PARAMS).write(dir);
            assertTrue(Files.isRegularFile(dir.resolve("mot-0000.params")));
            float[] want = Tiny.logits(model, manager, Tiny.inputs(manager)).toFloatArray();
            try (Model djl = Model.newInstance("mot")) {
                MoTModel block = new MoTModel(MoTCheckpoint.readConfig(dir));
                djl.setBlock(block);
                djl.load(dir, "mot");
                float[] got = Tiny.logits(block, manager, Tiny.inputs(manager)).toFloatArray();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 0f, "logit " + i);
                }
            }
        }
    }

    @Test
    void manifestIsInSha256sumFormatAndCoversEveryFile() throws Exception {
        Path dir = tmp.resolve("ckpt");
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = Tiny.model(Tiny.config(), manager);
            MoTCheckpointWriter.of(model)
                    .imageTokenizer(tokenizer(37 - 20))
                    .modelCard(card())
                    .write(dir);
        }
        List<String> lines = Files.readAllLines(dir.resolve(MoTCheckpoint.CHECKSUMS_FILE));
        Set<String> files;
        try (Stream<Path> list = Files.list(dir)) {
            files =
                    list.map(p -> p.getFileName().toString())
                            .filter(n -> !n.equals(MoTCheckpoint.CHECKSUMS_FILE))
                            .collect(Collectors.toSet());
        }
        assertEquals(
                Set.of(
                        "config.json",
                        "model.safetensors",
                        "tokenizer.json",
                        "model-card.json",
                        "README.md",
                        "serving.properties"),
                files);
        assertEquals(files.size(), lines.size());
        for (String line : lines) {
            String[] parts = line.split("  ", 2);
            assertEquals(64, parts[0].length(), line);
            assertEquals(Checksums.sha256(dir.resolve(parts[1])), parts[0], line);
        }
        String serving = Files.readString(dir.resolve(MoTCheckpoint.SERVING_PROPERTIES));
        assertTrue(serving.contains("blockFactory=io.motdjl.zoo.MoTBlockFactory"), serving);
        assertTrue(serving.contains("option.hasParameter=false"), serving);
        String readme = Files.readString(dir.resolve(MoTCheckpoint.README_FILE));
        assertTrue(
                readme.contains("# Tiny test model") && readme.contains("| text | 1.2346 |"),
                readme);
    }

    @Test
    void tokenizerIsSavedBesideTheWeightsAndChecked() throws Exception {
        Path dir = tmp.resolve("ckpt");
        PatchKMeansTokenizer tokenizer = tokenizer(17);
        try (NDManager manager = NDManager.newBaseManager()) {
            // a joint vocabulary of 261 + 17 tokens: the config must say so
            MoTConfig config =
                    MoTConfig.builder()
                            .vocabSize(261 + 17)
                            .dim(16)
                            .nLayers(1)
                            .nHeads(2)
                            .ffnHiddenDim(16)
                            .nModalities(2)
                            .maxSeqLen(8)
                            .build();
            MoTModel model = Tiny.model(config, manager);
            MoTCheckpointWriter.of(model).imageTokenizer(tokenizer).write(dir);
            MoTCheckpoint.load(dir, manager);
            assertEquals(tokenizer, MoTCheckpoint.readTokenizer(dir));

            // the tiny config's vocabulary (37) does not fit 17 image codes
            Path other = tmp.resolve("mismatch");
            MoTCheckpointWriter.of(Tiny.model(Tiny.config(), manager))
                    .imageTokenizer(tokenizer)
                    .write(other);
            var e =
                    assertThrows(
                            io.motdjl.io.CheckpointException.class,
                            () -> MoTCheckpoint.load(other, manager));
            assertTrue(
                    e.getMessage().contains("tokenizer.json")
                            && e.getMessage().contains("vocab_size 37"),
                    e.getMessage());
        }
    }

    @Test
    void writingReplacesACheckpointButNothingElse() throws Exception {
        Path dir = tmp.resolve("ckpt");
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = Tiny.model(Tiny.config(), manager);
            MoTCheckpointWriter.of(model).format(WeightsFormat.DJL_PARAMS).write(dir);
            MoTCheckpointWriter.of(model).write(dir);
            assertEquals(WeightsFormat.SAFETENSORS, MoTCheckpoint.inspect(dir).format());
            assertFalse(Files.exists(dir.resolve("mot-0000.params")), "the old checkpoint is gone");

            Path notes = tmp.resolve("notes");
            Files.createDirectories(notes);
            Files.writeString(notes.resolve("todo.txt"), "keep me");
            var e =
                    assertThrows(
                            java.io.IOException.class,
                            () -> MoTCheckpointWriter.of(model).write(notes));
            assertTrue(e.getMessage().contains("not a checkpoint"), e.getMessage());
            assertEquals("keep me", Files.readString(notes.resolve("todo.txt")));
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(
                    Set.of("ckpt", "notes"),
                    left.map(p -> p.getFileName().toString()).collect(Collectors.toSet()),
                    "no staging directories are left behind");
        }
    }

    @Test
    void bareReferenceCheckpointLoadsUnverifiedUnlessChecksumsAreRequired() throws Exception {
        Path dir = tmp.resolve("bare");
        try (NDManager manager = NDManager.newBaseManager()) {
            ReferenceCheckpoint.save(Tiny.model(Tiny.config(), manager), dir);
            MoTModel loaded = MoTCheckpoint.load(dir, manager);
            assertEquals(Tiny.config(), loaded.config());
            ChecksumException e =
                    assertThrows(
                            ChecksumException.class,
                            () ->
                                    MoTCheckpoint.load(
                                            dir,
                                            manager,
                                            null,
                                            MoTCheckpoint.Verification.REQUIRED));
            assertTrue(e.getMessage().contains("no checksums.sha256"), e.getMessage());
        }
    }

    @Test
    void modelCardRoundTripsThroughJson() {
        ModelCard card = card();
        ModelCard back = ModelCard.fromJson(card.toJson());
        assertEquals(card.name(), back.name());
        assertEquals(card.heldOutLoss(), back.heldOutLoss());
        assertEquals(12.0, back.training().get("steps"));
        assertEquals(card.command(), back.command());
    }

    static ModelCard card() {
        return new ModelCard(
                "tiny-test",
                "Tiny test model",
                "for tests",
                Map.of("parameters", 1234),
                Map.of("images", "none"),
                Map.of("steps", 12),
                Map.of("text", 1.23456, "image", 2.5),
                "bin/mot zoo train --out x",
                "io.motdjl.examples.zoo.TrainZooModels");
    }

    static PatchKMeansTokenizer tokenizer(int codes) {
        PatchGrid grid = new PatchGrid(28, 28, 4);
        byte[] codebook = new byte[codes * grid.patchDim()];
        for (int i = 0; i < codebook.length; i++) {
            codebook[i] = (byte) (i * 7);
        }
        return new PatchKMeansTokenizer(grid, codebook);
    }
}
