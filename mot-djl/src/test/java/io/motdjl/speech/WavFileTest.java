package io.motdjl.speech;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

class WavFileTest {

    @TempDir Path dir;

    @Test
    void roundTripIsBitExact() throws IOException {
        Random random = new Random(7);
        short[] pcm = new short[4001];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) random.nextInt(65536);
        }
        pcm[0] = Short.MIN_VALUE;
        pcm[1] = Short.MAX_VALUE;
        Path file = dir.resolve("a.wav");
        Files.write(file, wav(fmt(1, 1, 16000, 2, 16), chunk("data", le(pcm))));
        float[] samples = WavFile.read(file, 16000);
        assertEquals(pcm.length, samples.length);
        for (int i = 0; i < pcm.length; i++) {
            assertEquals(pcm[i] / 32768f, samples[i]);
        }
        Path copy = dir.resolve("sub/b.wav");
        WavFile.write(copy, samples, 16000);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(copy));
        assertEquals(WavFile.HEADER_BYTES + 2 * pcm.length, Files.size(copy));
        // and again over the existing file
        WavFile.write(copy, WavFile.read(copy, 16000), 16000);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(copy));
    }

    @Test
    void writingClipsToSixteenBitsAndRefusesNonFiniteSamples() throws IOException {
        byte[] bytes = WavFile.toBytes(new float[] {2f, -2f, 0.5f, 1f}, 16000);
        float[] back = WavFile.parse(bytes, "clipped", 16000);
        assertArrayEquals(new float[] {32767 / 32768f, -1f, 0.5f, 32767 / 32768f}, back);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> WavFile.toBytes(new float[] {0, Float.NaN}, 16000));
        assertEquals("sample 1 is NaN; expected a finite value in [-1, 1]", e.getMessage());
    }

    @Test
    void unknownChunksAreSkipped() throws IOException {
        byte[] bytes =
                wav(
                        chunk("LIST", list()),
                        fmt(1, 1, 16000, 2, 16),
                        chunk("fact", new byte[] {4, 0, 0, 0}),
                        chunk("data", le(new short[] {100, -100})),
                        chunk("id3 ", new byte[3]));
        assertArrayEquals(
                new float[] {100 / 32768f, -100 / 32768f}, WavFile.parse(bytes, "x.wav", 16000));
    }

    @Test
    void extensibleWithAPcmSubformatIsRead() throws IOException {
        byte[] bytes = wav(extensible(1, 16000, 16, 1), chunk("data", le(new short[] {1, 2, 3})));
        assertEquals(3, WavFile.parse(bytes, "x.wav", 16000).length);
    }

    @Test
    void eachBadFileIsRefusedWithItsReason() {
        byte[] data = chunk("data", le(new short[] {1, 2, 3, 4}));
        byte[] pcm = fmt(1, 1, 16000, 2, 16);
        refused(
                "x.wav: starts with \"RIFX\" (big-endian RIFF); expected a RIFF/WAVE file"
                        + " starting with \"RIFF\"",
                replace(wav(pcm, data), 0, "RIFX"));
        refused(
                "x.wav: starts with \"ID3\\x03\"; expected a RIFF/WAVE file starting with"
                        + " \"RIFF\"",
                replace(wav(pcm, data), 0, "ID3\3"));
        refused(
                "x.wav: a RIFF file of form \"AVI \"; expected \"WAVE\"",
                replace(wav(pcm, data), 8, "AVI "));
        refused("x.wav: 4 bytes is too short for a RIFF/WAVE header (12 bytes)", new byte[4]);
        refused(
                "x.wav: format 7 (mu-law) is not supported; expected 1 (integer PCM)",
                wav(fmt(7, 1, 16000, 1, 8), data));
        refused(
                "x.wav: format 3 (IEEE float) is not supported; expected 1 (integer PCM)",
                wav(fmt(3, 1, 16000, 4, 32), data));
        refused(
                "x.wav: WAVE_FORMAT_EXTENSIBLE with subformat 3 (IEEE float) is not supported;"
                        + " expected 1 (integer PCM)",
                wav(extensible(3, 16000, 32, 1), data));
        refused("x.wav: 8 bits per sample; expected 16-bit PCM", wav(fmt(1, 1, 16000, 1, 8), data));
        refused(
                "x.wav: 24 bits per sample; expected 16-bit PCM",
                wav(fmt(1, 1, 16000, 3, 24), data));
        refused("x.wav: 2 channels; expected mono (1 channel)", wav(fmt(1, 2, 16000, 4, 16), data));
        refused(
                "x.wav: sample rate 22050 Hz; expected 16000 Hz (resample the audio first)",
                wav(fmt(1, 1, 22050, 2, 16), data));
        byte[] whole = wav(pcm, data);
        refused(
                "x.wav: the \"data\" chunk declares 8 bytes but only 5 follow; the file is"
                        + " truncated",
                Arrays.copyOf(whole, whole.length - 3));
        refused(
                "x.wav: no samples (the data chunk is empty); expected at least one",
                wav(pcm, chunk("data", new byte[0])));
        refused(
                "x.wav: the data chunk has 3 bytes, not a whole number of 2-byte samples; the"
                        + " file is truncated",
                wav(pcm, chunk("data", new byte[3])));
        refused("x.wav: no \"data\" chunk; expected the samples", wav(pcm));
        refused("x.wav: no \"fmt \" chunk; expected one describing 16-bit mono PCM", wav(data));
        refused(
                "x.wav: the \"fmt \" chunk has 14 bytes; expected at least 16",
                wav(chunk("fmt ", new byte[14]), data));
    }

    @Test
    void refusesToReplaceADirectory() throws IOException {
        Path target = dir.resolve("out.wav");
        Files.createDirectory(target);
        Files.writeString(target.resolve("keep.txt"), "x");
        FileSystemException e =
                assertThrows(
                        FileSystemException.class,
                        () -> WavFile.write(target, new float[] {0.1f}, 16000));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
        assertTrue(Files.isDirectory(target));
        assertTrue(Files.exists(target.resolve("keep.txt")));
    }

    @Test
    void readingARealFileNamesItInTheMessage() throws IOException {
        Path file = dir.resolve("stereo.wav");
        Files.write(file, wav(fmt(1, 2, 16000, 4, 16), chunk("data", new byte[8])));
        WavFormatException e =
                assertThrows(WavFormatException.class, () -> WavFile.read(file, 16000));
        assertEquals(file + ": 2 channels; expected mono (1 channel)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WavFile.read(file, 0));
    }

    // ------------------------------------------------------------------ crafting WAV bytes

    private static void refused(String message, byte[] bytes) {
        WavFormatException e =
                assertThrows(WavFormatException.class, () -> WavFile.parse(bytes, "x.wav", 16000));
        assertEquals(message, e.getMessage());
    }

    static byte[] wav(byte[]... chunks) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("WAVE".getBytes(StandardCharsets.US_ASCII));
        for (byte[] c : chunks) {
            body.writeBytes(c);
        }
        return chunk("RIFF", body.toByteArray());
    }

    static byte[] fmt(int tag, int channels, int rate, int blockAlign, int bits) {
        return chunk(
                "fmt ",
                ByteBuffer.allocate(16)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putShort((short) tag)
                        .putShort((short) channels)
                        .putInt(rate)
                        .putInt(rate * blockAlign)
                        .putShort((short) blockAlign)
                        .putShort((short) bits)
                        .array());
    }

    /** A 40-byte WAVE_FORMAT_EXTENSIBLE fmt chunk whose subformat GUID stands for {@code tag}. */
    private static byte[] extensible(int tag, int rate, int bits, int channels) {
        int blockAlign = channels * bits / 8;
        ByteBuffer b =
                ByteBuffer.allocate(40)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putShort((short) 0xFFFE)
                        .putShort((short) channels)
                        .putInt(rate)
                        .putInt(rate * blockAlign)
                        .putShort((short) blockAlign)
                        .putShort((short) bits)
                        .putShort((short) 22)
                        .putShort((short) bits)
                        .putInt(4)
                        .putShort((short) tag)
                        .put(
                                new byte[] {
                                    0,
                                    0,
                                    0,
                                    0,
                                    0x10,
                                    0,
                                    (byte) 0x80,
                                    0,
                                    0,
                                    (byte) 0xAA,
                                    0,
                                    0x38,
                                    (byte) 0x9B,
                                    0x71
                                });
        return chunk("fmt ", b.array());
    }

    /** A chunk with its header and, for an odd size, the pad byte. */
    static byte[] chunk(String id, byte[] body) {
        ByteBuffer b =
                ByteBuffer.allocate(8 + body.length + (body.length & 1))
                        .order(ByteOrder.LITTLE_ENDIAN);
        b.put(id.getBytes(StandardCharsets.US_ASCII)).putInt(body.length).put(body);
        return b.array();
    }

    static byte[] le(short[] samples) {
        ByteBuffer b = ByteBuffer.allocate(2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : samples) {
            b.putShort(s);
        }
        return b.array();
    }

    /** A LIST/INFO chunk body with one 3-byte (odd, so padded) software entry. */
    private static byte[] list() {
        return ByteBuffer.allocate(15)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put("INFOISFT".getBytes(StandardCharsets.US_ASCII))
                .putInt(3)
                .put(new byte[] {'a', 'b', 0})
                .array();
    }

    private static byte[] replace(byte[] bytes, int offset, String fourCc) {
        byte[] copy = bytes.clone();
        byte[] id = fourCc.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(id, 0, copy, offset, 4);
        return copy;
    }
}
