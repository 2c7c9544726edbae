package io.motdjl.examples.speech;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.motdjl.speech.LogMelSpectrogram;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

class SpokenCaptionsFileTest {

    private static final LogMelSpectrogram.Options FRONT_END = LogMelSpectrogram.Options.defaults();
    private static final float FLOOR = (float) StrictMath.log(LogMelSpectrogram.LOG_FLOOR);

    @TempDir Path dir;

    /** Three utterances with random frames, one frame at the floor. */
    private static SpokenCaptions corpus(List<float[][]> frames) {
        SpokenCaptions.Builder builder =
                new SpokenCaptions.Builder(
                        FRONT_END, LogMelQuantization.CORPUS, 7, Map.of("generator", "a test"));
        builder.add(
                new UtteranceSpec(
                        "flite_slt_t1_c7_d0",
                        "a photo of a sneaker",
                        7,
                        Engine.FLITE,
                        "slt",
                        1,
                        0,
                        new Prosody.Flite(1.05, OptionalInt.of(170)),
                        Split.TRAIN),
                16_000,
                frames.get(0));
        builder.add(
                new UtteranceSpec(
                        "flite_rms_t5_c1_d4",
                        "a close-up of a pair of trousers",
                        1,
                        Engine.FLITE,
                        "rms",
                        5,
                        4,
                        new Prosody.Flite(0.85, OptionalInt.empty()),
                        Split.HELDOUT_UTTERANCE),
                20_000,
                frames.get(1));
        builder.add(
                new UtteranceSpec(
                        "espeak_en-us-nyc+m7_t0_c9_d2",
                        "an ankle boot",
                        9,
                        Engine.ESPEAK_NG,
                        "en-us-nyc+m7",
                        0,
                        2,
                        new Prosody.Espeak(45, 160),
                        Split.HELDOUT_VOICE),
                12_000,
                frames.get(2));
        return builder.build();
    }

    private static List<float[][]> randomFrames() {
        Random random = new Random(3);
        List<float[][]> all = new java.util.ArrayList<>();
        for (int frames : new int[] {26, 32, 19}) {
            float[][] u = new float[frames][80];
            for (float[] f : u) {
                for (int m = 0; m < 80; m++) {
                    f[m] = (float) (-11.5 + 19.5 * random.nextDouble());
                }
            }
            all.add(u);
        }
        Arrays.fill(all.get(0)[0], FLOOR);
        return all;
    }

    private Path written(SpokenCaptions corpus) throws IOException {
        Path file = dir.resolve("corpus.bin.gz");
        corpus.write(file);
        return file;
    }

    @Test
    void roundTripKeepsMetadataAndFramesWithinHalfAStep() throws IOException {
        List<float[][]> frames = randomFrames();
        SpokenCaptions original = corpus(frames);
        SpokenCaptions read = SpokenCaptions.read(written(original));
        assertEquals(original.utterances(), read.utterances());
        assertEquals(FRONT_END, read.frontEnd());
        assertEquals(LogMelQuantization.CORPUS, read.quantization());
        assertEquals(7, read.seed());
        assertEquals(Map.of("generator", "a test"), read.provenance());
        assertEquals(77, read.totalFrames());
        assertEquals(List.of(read.utterances().get(2)), read.utterances(Split.HELDOUT_VOICE));
        double maxError = LogMelQuantization.CORPUS.maxError();
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(original.quantizedFrames(i), read.quantizedFrames(i));
            float[][] decoded = read.frames(i);
            for (int t = 0; t < decoded.length; t++) {
                for (int m = 0; m < 80; m++) {
                    assertEquals(frames.get(i)[t][m], decoded[t][m], maxError + 1e-6);
                }
            }
        }
        // digital silence decodes to exactly the front end's floor
        assertArrayEquals(frames.get(0)[0], read.frames(0)[0]);
        assertEquals(1.25, read.seconds(read.utterances().get(1)));
    }

    @Test
    void writingIsDeterministic() throws IOException {
        byte[] first = Files.readAllBytes(written(corpus(randomFrames())));
        byte[] second = Files.readAllBytes(written(corpus(randomFrames())));
        assertArrayEquals(first, second);
    }

    @Test
    void quantizationStatesItsStepAndError() {
        LogMelQuantization q = LogMelQuantization.CORPUS;
        assertEquals(-11.512925, q.min(), 1e-6);
        assertEquals(8.0, q.max());
        assertEquals(0.0765213, q.step(), 1e-7);
        assertEquals(0.0382606, q.maxError(), 1e-7);
        assertEquals(0, Byte.toUnsignedInt(q.encode(-30f))); // clipped
        assertEquals(255, Byte.toUnsignedInt(q.encode(9f))); // clipped
        assertTrue(q.clips(9f));
        assertEquals(8.0f, q.decode((byte) 255));
    }

    /** The decompressed payload of a corpus file. */
    private static byte[] payload(Path file) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    private static byte[] gzip(byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(payload);
        }
        return bytes.toByteArray();
    }

    private static String refused(byte[] fileBytes) {
        SpokenCaptionsFormatException e =
                assertThrows(
                        SpokenCaptionsFormatException.class,
                        () ->
                                SpokenCaptionsFile.read(
                                        new ByteArrayInputStream(fileBytes), "corpus.bin.gz"));
        assertTrue(e.getMessage().startsWith("corpus.bin.gz: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void corruptFilesAreRefused() throws IOException {
        Path file = written(corpus(randomFrames()));
        byte[] payload = payload(file);

        byte[] flipped = payload.clone();
        flipped[flipped.length - 100] ^= 1; // a frame byte
        assertTrue(refused(gzip(flipped)).contains("SHA-256 mismatch"));

        byte[] truncated = Arrays.copyOf(payload, payload.length - 40);
        assertTrue(refused(gzip(truncated)).contains("truncated"));

        byte[] compressed = Files.readAllBytes(file);
        assertTrue(refused(Arrays.copyOf(compressed, compressed.length / 2)).contains("truncated"));

        byte[] trailing = Arrays.copyOf(payload, payload.length + 1);
        assertTrue(refused(gzip(trailing)).contains("after the SHA-256"));

        assertTrue(refused("not a corpus".getBytes(StandardCharsets.UTF_8)).contains("gzip"));

        byte[] otherMagic = payload.clone();
        otherMagic[0] = 'X';
        assertTrue(refused(gzip(otherMagic)).contains("not a spoken-caption corpus"));
    }

    /** A file whose header is {@code json}, with a valid digest. */
    private static byte[] withHeader(String json, byte[] frames) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SpokenCaptionsFile.write(json.getBytes(StandardCharsets.UTF_8), frames, bytes);
        return bytes.toByteArray();
    }

    @Test
    void wrongVersionsAndHeadersAreRefused() throws IOException {
        SpokenCaptions corpus = corpus(randomFrames());
        String json = SpokenCaptionsFile.headerJson(corpus);
        byte[] frames = corpus.allQuantizedFrames();
        // the unaltered header reads
        assertEquals(
                corpus.utterances(),
                SpokenCaptionsFile.read(new ByteArrayInputStream(withHeader(json, frames)), "x")
                        .utterances());

        assertTrue(
                refused(withHeader(json.replace("\"version\":1", "\"version\":2"), frames))
                        .contains("version 2 is not supported"));
        assertTrue(
                refused(withHeader(json.replace("mot-djl/spoken", "other/spoken"), frames))
                        .contains("format is \"other/spoken-captions\""));
        assertTrue(
                refused(withHeader(json.replace("\"seed\":7", "\"seed\":7,\"x\":1"), frames))
                        .contains("unknown key \"x\""));
        assertTrue(
                refused(withHeader(json.replace("\"frames\":26", "\"frames\":25"), frames))
                        .contains("frame bytes"));
        assertTrue(
                refused(
                                withHeader(
                                        json.replace("\"split\":\"train\"", "\"split\":\"dev\""),
                                        frames))
                        .contains("unknown split \"dev\""));
        assertTrue(
                refused(withHeader(json.replace("\"label\":7", "\"label\":10"), frames))
                        .contains("utterance 0"));
        assertTrue(
                refused(withHeader(json.replace("\"pitch\":45", "\"pitch\":4.5"), frames))
                        .contains("not a 32-bit integer"));
        assertTrue(refused(withHeader(json + "}", frames)).contains("not valid JSON"));
        assertTrue(
                refused(withHeader(json.replace("\"levels\":256", "\"levels\":512"), frames))
                        .contains("quantization"));
    }

    @Test
    void neverReplacesADirectory() throws IOException {
        Path target = dir.resolve("a-directory");
        Files.createDirectory(target);
        assertThrows(FileSystemException.class, () -> corpus(randomFrames()).write(target));
        assertTrue(Files.isDirectory(target));
    }
}
