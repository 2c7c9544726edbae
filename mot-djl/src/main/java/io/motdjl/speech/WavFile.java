package io.motdjl.speech;

import io.motdjl.io.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads and writes the one audio format this package uses: RIFF/WAVE files of 16-bit signed
 * little-endian PCM, mono, at a sample rate the caller names. Samples are floats, {@code s / 32768}
 * for a 16-bit value {@code s}, so they lie in {@code [-1, 1)}.
 *
 * <p>Reading is strict and says what it found and what it expected: anything but RIFF/WAVE, a
 * format other than PCM (µ-law, A-law, IEEE float, ADPCM, or WAVE_FORMAT_EXTENSIBLE with such a
 * subformat), other bit depths or channel counts, another sample rate (resample first), a truncated
 * chunk, or a file without samples. Chunks other than {@code fmt } and {@code data} ({@code LIST},
 * {@code fact}, ...) are skipped. Writing produces the canonical 44-byte header and goes through
 * {@link AtomicFiles}: a complete new file or the old one, never a replaced directory or other
 * non-regular file.
 */
public final class WavFile {

    /** The format tag of integer PCM. */
    static final int FORMAT_PCM = 1;

    /** The format tag whose real format is the first two bytes of a subformat GUID. */
    static final int FORMAT_EXTENSIBLE = 0xFFFE;

    /** Bytes of the canonical header that {@link #toBytes} writes. */
    static final int HEADER_BYTES = 44;

    private static final int BYTES_PER_SAMPLE = 2;

    /** The RIFF size field counts 36 header bytes besides the data and must fit 32 bits. */
    private static final long MAX_DATA_BYTES = 0xFFFF_FFFFL - (HEADER_BYTES - 8);

    private WavFile() {}

    /**
     * Reads the samples of a 16-bit mono PCM WAV file.
     *
     * @param file the WAV file
     * @param expectedSampleRate the sample rate the caller works at, e.g. 16000
     * @return the samples, {@code s / 32768} each
     * @throws WavFormatException if the file is not 16-bit mono PCM WAV at that rate, is truncated
     *     or holds no samples
     * @throws IOException if reading fails
     */
    public static float[] read(Path file, int expectedSampleRate) throws IOException {
        checkSampleRate(expectedSampleRate);
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) {
            throw new WavFormatException(
                    file + ": " + size + " bytes is too large to read at once (limit 2 GiB)");
        }
        return parse(Files.readAllBytes(file), file.toString(), expectedSampleRate);
    }

    /**
     * Reads the samples of WAV bytes, as {@link #read(Path, int)} does.
     *
     * @param bytes a whole WAV file
     * @param source names the bytes in messages (a path or URL)
     * @param expectedSampleRate the sample rate the caller works at
     * @return the samples
     * @throws WavFormatException if the bytes are not what {@link #read(Path, int)} accepts
     */
    public static float[] parse(byte[] bytes, String source, int expectedSampleRate)
            throws WavFormatException {
        checkSampleRate(expectedSampleRate);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 12) {
            throw new WavFormatException(
                    source
                            + ": "
                            + bytes.length
                            + " bytes is too short for a RIFF/WAVE header (12 bytes)");
        }
        String riff = fourCc(bytes, 0);
        if (!riff.equals("RIFF")) {
            String why =
                    switch (riff) {
                        case "RIFX" -> " (big-endian RIFF)";
                        case "RF64" -> " (64-bit RF64)";
                        default -> "";
                    };
            throw new WavFormatException(
                    source
                            + ": starts with \""
                            + riff
                            + "\""
                            + why
                            + "; expected a RIFF/WAVE file starting with \"RIFF\"");
        }
        String form = fourCc(bytes, 8);
        if (!form.equals("WAVE")) {
            throw new WavFormatException(
                    source + ": a RIFF file of form \"" + form + "\"; expected \"WAVE\"");
        }
        Format format = null;
        int dataOffset = -1;
        long dataBytes = -1;
        int pos = 12;
        while (pos + 8 <= bytes.length) {
            String id = fourCc(bytes, pos);
            long size = Integer.toUnsignedLong(buffer.getInt(pos + 4));
            int body = pos + 8;
            long available = bytes.length - body;
            if (size > available) {
                throw new WavFormatException(
                        source
                                + ": the \""
                                + id
                                + "\" chunk declares "
                                + size
                                + " bytes but only "
                                + available
                                + " follow; the file is truncated");
            }
            if (id.equals("fmt ")) {
                format = Format.parse(buffer, body, (int) size, source);
            } else if (id.equals("data")) {
                dataOffset = body;
                dataBytes = size;
            }
            // chunks are padded to an even length
            long next = body + size + (size & 1);
            if (next > bytes.length) {
                break; // a missing final pad byte is harmless
            }
            pos = (int) next;
        }
        if (format == null) {
            throw new WavFormatException(
                    source + ": no \"fmt \" chunk; expected one describing 16-bit mono PCM");
        }
        format.check(source, expectedSampleRate);
        if (dataOffset < 0) {
            throw new WavFormatException(source + ": no \"data\" chunk; expected the samples");
        }
        if (dataBytes == 0) {
            throw new WavFormatException(
                    source + ": no samples (the data chunk is empty); expected at least one");
        }
        if (dataBytes % BYTES_PER_SAMPLE != 0) {
            throw new WavFormatException(
                    source
                            + ": the data chunk has "
                            + dataBytes
                            + " bytes, not a whole number of 2-byte samples; the file is"
                            + " truncated");
        }
        float[] samples = new float[(int) (dataBytes / BYTES_PER_SAMPLE)];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = buffer.getShort(dataOffset + BYTES_PER_SAMPLE * i) / 32768f;
        }
        return samples;
    }

    /**
     * Writes {@code samples} as a 16-bit mono PCM WAV file, atomically (a temporary file beside it,
     * renamed over it). Each sample becomes {@code round(x · 32768)} clipped to {@code [-32768,
     * 32767]}, so samples read by {@link #read(Path, int)} are written back bit-exactly.
     *
     * @param file the destination; an existing regular file there is replaced
     * @param samples the audio, nominally in {@code [-1, 1]}, all finite
     * @param sampleRate samples per second
     * @throws java.nio.file.FileSystemException if {@code file} is a directory or other non-regular
     *     file
     * @throws IOException if writing fails; {@code file} is then as it was
     */
    public static void write(Path file, float[] samples, int sampleRate) throws IOException {
        byte[] bytes = toBytes(samples, sampleRate);
        AtomicFiles.write(file, os -> os.write(bytes));
    }

    /**
     * The bytes of the WAV file {@link #write(Path, float[], int)} writes.
     *
     * @param samples the audio, nominally in {@code [-1, 1]}, all finite
     * @param sampleRate samples per second
     * @return a 44-byte header and the samples
     */
    public static byte[] toBytes(float[] samples, int sampleRate) {
        Objects.requireNonNull(samples, "samples");
        checkSampleRate(sampleRate);
        long dataBytes = (long) samples.length * BYTES_PER_SAMPLE;
        if (dataBytes > MAX_DATA_BYTES || dataBytes + HEADER_BYTES > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    samples.length + " samples are too many for one WAV file");
        }
        ByteBuffer buffer =
                ByteBuffer.allocate((int) (HEADER_BYTES + dataBytes))
                        .order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(ascii("RIFF")).putInt((int) (dataBytes + HEADER_BYTES - 8)).put(ascii("WAVE"));
        buffer.put(ascii("fmt ")).putInt(16);
        buffer.putShort((short) FORMAT_PCM).putShort((short) 1);
        buffer.putInt(sampleRate).putInt((int) ((long) sampleRate * BYTES_PER_SAMPLE));
        buffer.putShort((short) BYTES_PER_SAMPLE).putShort((short) 16);
        buffer.put(ascii("data")).putInt((int) dataBytes);
        for (int i = 0; i < samples.length; i++) {
            float x = samples[i];
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException(
                        "sample " + i + " is " + x + "; expected a finite value in [-1, 1]");
            }
            int s = Math.round(x * 32768f);
            buffer.putShort((short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, s)));
        }
        return buffer.array();
    }

    private static void checkSampleRate(int sampleRate) {
        // the byte rate, twice the sample rate, is a 32-bit field
        if (sampleRate <= 0 || sampleRate > Integer.MAX_VALUE / BYTES_PER_SAMPLE) {
            throw new IllegalArgumentException(
                    "sample rate must be positive (and fit the WAV header), got " + sampleRate);
        }
    }

    private static String fourCc(byte[] bytes, int offset) {
        StringBuilder s = new StringBuilder(4);
        for (int i = offset; i < offset + 4; i++) {
            int c = Byte.toUnsignedInt(bytes[i]);
            // an unprintable identifier is shown as escapes, not as raw control characters
            s.append(
                    c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return s.toString();
    }

    private static byte[] ascii(String fourCc) {
        return fourCc.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The fields of a {@code fmt } chunk that matter here.
     *
     * @param tag the format tag (for WAVE_FORMAT_EXTENSIBLE, the subformat's)
     * @param extensible whether the tag came from an extensible header's subformat
     * @param channels number of channels
     * @param sampleRate samples per second per channel
     * @param blockAlign bytes per sample frame
     * @param bitsPerSample bits of one sample
     */
    private record Format(
            int tag,
            boolean extensible,
            int channels,
            long sampleRate,
            int blockAlign,
            int bitsPerSample) {

        static Format parse(ByteBuffer buffer, int offset, int size, String source)
                throws WavFormatException {
            if (size < 16) {
                throw new WavFormatException(
                        source
                                + ": the \"fmt \" chunk has "
                                + size
                                + " bytes; expected at least 16");
            }
            int tag = Short.toUnsignedInt(buffer.getShort(offset));
            boolean extensible = tag == FORMAT_EXTENSIBLE;
            if (extensible) {
                if (size < 40) {
                    throw new WavFormatException(
                            source
                                    + ": WAVE_FORMAT_EXTENSIBLE needs a 40-byte \"fmt \" chunk,"
                                    + " got "
                                    + size
                                    + " bytes");
                }
                // the subformat GUID starts with the format tag it stands for
                tag = Short.toUnsignedInt(buffer.getShort(offset + 24));
            }
            return new Format(
                    tag,
                    extensible,
                    Short.toUnsignedInt(buffer.getShort(offset + 2)),
                    Integer.toUnsignedLong(buffer.getInt(offset + 4)),
                    Short.toUnsignedInt(buffer.getShort(offset + 12)),
                    Short.toUnsignedInt(buffer.getShort(offset + 14)));
        }

        void check(String source, int expectedSampleRate) throws WavFormatException {
            if (tag != FORMAT_PCM) {
                throw new WavFormatException(
                        source
                                + ": "
                                + (extensible
                                        ? "WAVE_FORMAT_EXTENSIBLE with subformat "
                                        : "format ")
                                + tag
                                + " ("
                                + formatName(tag)
                                + ") is not supported; expected "
                                + FORMAT_PCM
                                + " (integer PCM)");
            }
            if (bitsPerSample != 16) {
                throw new WavFormatException(
                        source + ": " + bitsPerSample + " bits per sample; expected 16-bit PCM");
            }
            if (channels != 1) {
                throw new WavFormatException(
                        source + ": " + channels + " channels; expected mono (1 channel)");
            }
            if (blockAlign != BYTES_PER_SAMPLE) {
                throw new WavFormatException(
                        source
                                + ": block align "
                                + blockAlign
                                + "; expected "
                                + BYTES_PER_SAMPLE
                                + " for 16-bit mono");
            }
            if (sampleRate != expectedSampleRate) {
                throw new WavFormatException(
                        source
                                + ": sample rate "
                                + sampleRate
                                + " Hz; expected "
                                + expectedSampleRate
                                + " Hz (resample the audio first)");
            }
        }

        private static String formatName(int tag) {
            return switch (tag) {
                case 0 -> "unknown";
                case 2 -> "Microsoft ADPCM";
                case 3 -> "IEEE float";
                case 6 -> "A-law";
                case 7 -> "mu-law";
                case 0x11 -> "IMA ADPCM";
                case 0x55 -> "MPEG layer 3";
                default -> "not integer PCM";
            };
        }
    }
}
