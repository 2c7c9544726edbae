package io.motdjl.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.ZooModel;

import io.motdjl.io.CheckpointException;
import io.motdjl.nn.MoTModel;
import io.motdjl.speech.SpeechUnitTokenizer;
import io.motdjl.tokenize.JointVocabulary;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code speech-tokenizer.json} in a checkpoint directory: written, verified, loaded, checked. */
class SpeechCheckpointTest {

    @TempDir Path tmp;

    @Test
    void speechTokenizerIsSavedBesideTheWeightsAndLoadsBack() throws Exception {
        Path dir = tmp.resolve("speech");
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = TinySpeech.write(dir, manager);
            assertEquals(3, model.config().nModalities());
            assertEquals(TinySpeech.VOCABULARY, JointVocabulary.of(model.config()));

            MoTCheckpoint.Layout layout = MoTCheckpoint.inspect(dir);
            assertTrue(layout.hasTokenizer());
            assertTrue(layout.hasSpeechTokenizer());
            assertTrue(
                    layout.requiredFiles().contains(MoTCheckpoint.SPEECH_TOKENIZER_FILE),
                    layout.requiredFiles().toString());

            MoTModel loaded =
                    MoTCheckpoint.load(dir, manager, null, MoTCheckpoint.Verification.REQUIRED);
            assertEquals(model.config(), loaded.config());
            assertEquals(
                    TinySpeech.speechTokenizer(TinySpeech.UNITS),
                    MoTCheckpoint.readSpeechTokenizer(dir));
            assertEquals(
                    TinySpeech.imageTokenizer(TinySpeech.CODES), MoTCheckpoint.readTokenizer(dir));
        }
        // and beside a model loaded through DJL's Criteria
        try (ZooModel<NDList, NDList> model =
                MoTModelZoo.checkpointCriteria(NDList.class, NDList.class)
                        .optModelPath(dir)
                        .build()
                        .loadModel()) {
            SpeechUnitTokenizer speech = MoTCheckpoint.speechTokenizer(model).orElseThrow();
            assertEquals(TinySpeech.speechTokenizer(TinySpeech.UNITS), speech);
            assertEquals(
                    TinySpeech.imageTokenizer(TinySpeech.CODES),
                    MoTCheckpoint.imageTokenizer(model).orElseThrow());
        }
    }

    @Test
    void aCheckpointWithoutSpeechHasNoSpeechTokenizer() throws Exception {
        Path dir = tmp.resolve("no-speech");
        try (NDManager manager = NDManager.newBaseManager()) {
            // a speech config may be saved without the tokenizer: tokens need no audio
            MoTCheckpointWriter.of(Tiny.model(TinySpeech.config(), manager)).write(dir);
        }
        assertFalse(MoTCheckpoint.inspect(dir).hasSpeechTokenizer());
        assertFalse(
                MoTCheckpoint.inspect(dir)
                        .requiredFiles()
                        .contains(MoTCheckpoint.SPEECH_TOKENIZER_FILE));
        try (ZooModel<NDList, NDList> model =
                MoTModelZoo.checkpointCriteria(NDList.class, NDList.class)
                        .optModelPath(dir)
                        .build()
                        .loadModel()) {
            assertTrue(MoTCheckpoint.speechTokenizer(model).isEmpty());
        }
    }

    @Test
    void checksumsCoverTheSpeechTokenizer() throws Exception {
        Path dir = tmp.resolve("speech");
        Map<String, String> digests;
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTModel model = Tiny.model(TinySpeech.config(), manager);
            digests =
                    MoTCheckpointWriter.of(model)
                            .imageTokenizer(TinySpeech.imageTokenizer(TinySpeech.CODES))
                            .speechTokenizer(TinySpeech.speechTokenizer(TinySpeech.UNITS))
                            .write(dir);
        }
        Path file = dir.resolve(MoTCheckpoint.SPEECH_TOKENIZER_FILE);
        assertEquals(Checksums.sha256(file), digests.get(MoTCheckpoint.SPEECH_TOKENIZER_FILE));
        Path manifest = dir.resolve(MoTCheckpoint.CHECKSUMS_FILE);
        assertTrue(
                Checksums.readManifest(manifest).containsKey(MoTCheckpoint.SPEECH_TOKENIZER_FILE));
        String listed = Files.readString(manifest, StandardCharsets.UTF_8);
        assertTrue(listed.contains("  speech-tokenizer.json\n"), listed);

        try (NDManager manager = NDManager.newBaseManager()) {
            // another valid tokenizer of the same size: only the checksum tells
            byte[] original = Files.readAllBytes(file);
            SpeechUnitTokenizer other = TinySpeech.speechTokenizer(TinySpeech.UNITS);
            float[] centroids = other.centroids();
            centroids[3] += 0.5f;
            new SpeechUnitTokenizer(other.frontEnd(), centroids).save(file);
            ChecksumException e =
                    assertThrows(ChecksumException.class, () -> MoTCheckpoint.load(dir, manager));
            assertTrue(
                    e.getMessage().contains(MoTCheckpoint.SPEECH_TOKENIZER_FILE), e.getMessage());
            assertThrows(
                    ChecksumException.class,
                    () ->
                            MoTCheckpoint.verify(
                                    MoTCheckpoint.inspect(dir),
                                    null,
                                    MoTCheckpoint.Verification.REQUIRED));

            // a manifest that leaves the file out cannot vouch for it
            Files.write(file, original);
            MoTCheckpoint.load(dir, manager);
            String without =
                    listed.lines()
                            .filter(line -> !line.endsWith(MoTCheckpoint.SPEECH_TOKENIZER_FILE))
                            .map(line -> line + "\n")
                            .collect(Collectors.joining());
            Files.writeString(manifest, without, StandardCharsets.UTF_8);
            e = assertThrows(ChecksumException.class, () -> MoTCheckpoint.load(dir, manager));
            assertTrue(
                    e.getMessage().contains("speech-tokenizer.json is not covered"),
                    e.getMessage());
        }
    }

    @Test
    void speechUnitsMustFillTheConfigsSpeechRange() throws Exception {
        Path dir = tmp.resolve("seven-units");
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTCheckpointWriter.of(Tiny.model(TinySpeech.config(), manager))
                    .imageTokenizer(TinySpeech.imageTokenizer(TinySpeech.CODES))
                    .speechTokenizer(TinySpeech.speechTokenizer(7))
                    .write(dir);
            CheckpointException e =
                    assertThrows(CheckpointException.class, () -> MoTCheckpoint.load(dir, manager));
            assertMentions(
                    e,
                    dir.resolve(MoTCheckpoint.SPEECH_TOKENIZER_FILE).toString(),
                    "7 speech units",
                    "config.json has 6 speech units");
        }
    }

    @Test
    void aSpeechTokenizerBesideAConfigWithoutSpeechIsRefused() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Path dir = tmp.resolve("two-modalities");
            MoTCheckpointWriter.of(Tiny.model(TinySpeech.twoModalityConfig(), manager))
                    .imageTokenizer(TinySpeech.imageTokenizer(TinySpeech.CODES))
                    .speechTokenizer(TinySpeech.speechTokenizer(TinySpeech.UNITS))
                    .write(dir);
            CheckpointException e =
                    assertThrows(CheckpointException.class, () -> MoTCheckpoint.load(dir, manager));
            assertMentions(
                    e,
                    dir.resolve(MoTCheckpoint.SPEECH_TOKENIZER_FILE).toString(),
                    "6 speech units",
                    "has no speech range");

            // beside a config that is not over the joint vocabulary at all
            Path tiny = tmp.resolve("tiny");
            MoTCheckpointWriter.of(Tiny.model(Tiny.config(), manager))
                    .speechTokenizer(TinySpeech.speechTokenizer(TinySpeech.UNITS))
                    .write(tiny);
            e = assertThrows(CheckpointException.class, () -> MoTCheckpoint.load(tiny, manager));
            assertMentions(
                    e,
                    tiny.resolve(MoTCheckpoint.CONFIG_FILE).toString(),
                    "the checkpoint has speech-tokenizer.json",
                    "vocab_size 37");
        }
    }

    @Test
    void imageCodesMustFillTheImageRangeOfASpeechConfig() throws Exception {
        Path dir = tmp.resolve("four-codes");
        try (NDManager manager = NDManager.newBaseManager()) {
            MoTCheckpointWriter.of(Tiny.model(TinySpeech.config(), manager))
                    .imageTokenizer(TinySpeech.imageTokenizer(4))
                    .speechTokenizer(TinySpeech.speechTokenizer(TinySpeech.UNITS))
                    .write(dir);
            CheckpointException e =
                    assertThrows(CheckpointException.class, () -> MoTCheckpoint.load(dir, manager));
            assertMentions(
                    e,
                    dir.resolve(MoTCheckpoint.TOKENIZER_FILE).toString(),
                    "4 image codes",
                    "before speech",
                    "vocab_size 274 with 5 image codes");
        }
    }

    private static void assertMentions(Throwable e, String... parts) {
        for (String part : List.of(parts)) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
    }
}
