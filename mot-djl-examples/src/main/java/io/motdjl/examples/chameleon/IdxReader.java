package io.motdjl.examples.chameleon;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads unsigned-byte IDX files, the format of MNIST and Fashion-MNIST: a big-endian header (magic
 * number {@code 0x0000_08_nd}, then one 32-bit size per dimension) followed by the bytes. Gzip
 * compression is recognised from its magic bytes, so {@code .gz} and raw files read alike.
 */
public final class IdxReader {

    /** Magic number of a 3-d unsigned-byte file: images {@code (count, rows, cols)}. */
    public static final int IMAGES_MAGIC = 0x0000_0803;

    /** Magic number of a 1-d unsigned-byte file: labels {@code (count)}. */
    public static final int LABELS_MAGIC = 0x0000_0801;

    /** Largest image side accepted; guards against absurd headers before any allocation. */
    static final int MAX_SIDE = 4096;

    private static final int GZIP_MAGIC_0 = 0x1f;
    private static final int GZIP_MAGIC_1 = 0x8b;

    private IdxReader() {}

    /**
     * Unsigned-byte images read from an IDX file.
     *
     * @param count number of images
     * @param rows image height
     * @param cols image width
     * @param pixels {@code count * rows * cols} bytes, image after image, row-major
     */
    public record Images(int count, int rows, int cols, byte[] pixels) {}

    /**
     * Reads an images file ({@value #IMAGES_MAGIC}, 3 dimensions). Does not close {@code in}.
     *
     * @param in the file's bytes, raw or gzip
     * @param source a name for messages (the file name)
     * @return the images
     * @throws IdxFormatException if the content is not a complete, well-formed images file
     * @throws IOException if reading fails
     */
    public static Images readImages(InputStream in, String source) throws IOException {
        InputStream body = decompressed(in, source);
        int magic = readHeaderInt(body, source, "magic number");
        checkMagic(magic, IMAGES_MAGIC, "images", source);
        int count = readHeaderInt(body, source, "image count");
        int rows = readHeaderInt(body, source, "row count");
        int cols = readHeaderInt(body, source, "column count");
        if (count < 0 || rows <= 0 || cols <= 0 || rows > MAX_SIDE || cols > MAX_SIDE) {
            throw new IdxFormatException(
                    source
                            + ": invalid image dimensions "
                            + count
                            + " x "
                            + rows
                            + " x "
                            + cols
                            + "; expected count >= 0 and 1 <= rows, cols <= "
                            + MAX_SIDE);
        }
        long total = (long) count * rows * cols;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IdxFormatException(
                    source
                            + ": "
                            + count
                            + " images of "
                            + rows
                            + " x "
                            + cols
                            + " do not fit in one array (over 2 GiB)");
        }
        byte[] pixels = readBody(body, (int) total, source, "pixel");
        return new Images(count, rows, cols, pixels);
    }

    /**
     * Reads a labels file ({@value #LABELS_MAGIC}, 1 dimension). Does not close {@code in}.
     *
     * @param in the file's bytes, raw or gzip
     * @param source a name for messages (the file name)
     * @return one unsigned byte per label
     * @throws IdxFormatException if the content is not a complete, well-formed labels file
     * @throws IOException if reading fails
     */
    public static byte[] readLabels(InputStream in, String source) throws IOException {
        InputStream body = decompressed(in, source);
        int magic = readHeaderInt(body, source, "magic number");
        checkMagic(magic, LABELS_MAGIC, "labels", source);
        int count = readHeaderInt(body, source, "label count");
        if (count < 0) {
            throw new IdxFormatException(source + ": negative label count " + count);
        }
        return readBody(body, count, source, "label");
    }

    /** The stream itself, or a gunzipping view of it when it starts with gzip's magic bytes. */
    private static InputStream decompressed(InputStream in, String source) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        if (b0 != GZIP_MAGIC_0 || b1 != GZIP_MAGIC_1) {
            return buffered;
        }
        try {
            return new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16);
        } catch (EOFException e) {
            throw new IdxFormatException(source + ": truncated gzip header", e);
        } catch (ZipException e) {
            throw new IdxFormatException(
                    source + ": corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static void checkMagic(int magic, int expected, String what, String source)
            throws IdxFormatException {
        if (magic != expected) {
            throw new IdxFormatException(
                    String.format(
                            "%s: magic number %d (0x%08x) is not that of an IDX %s file,"
                                    + " expected %d (0x%08x)",
                            source, magic, magic, what, expected, expected));
        }
    }

    private static int readHeaderInt(InputStream in, String source, String field)
            throws IOException {
        byte[] bytes = readFully(in, 4, source);
        if (bytes.length < 4) {
            throw new IdxFormatException(
                    source + ": truncated header, the file ends before the " + field);
        }
        return ByteBuffer.wrap(bytes).getInt();
    }

    /**
     * Reads exactly {@code length} bytes and checks that nothing follows. {@link
     * InputStream#readNBytes(int)} grows its buffer as data arrives, so a header that promises more
     * than the file holds fails without allocating the promised size first.
     */
    private static byte[] readBody(InputStream in, int length, String source, String what)
            throws IOException {
        byte[] bytes = readFully(in, length, source);
        if (bytes.length < length) {
            throw new IdxFormatException(
                    source
                            + ": truncated, the header promises "
                            + length
                            + " "
                            + what
                            + " bytes but the file holds "
                            + bytes.length);
        }
        int next;
        try {
            next = in.read();
        } catch (EOFException | ZipException e) {
            throw new IdxFormatException(source + ": corrupt or truncated gzip trailer", e);
        }
        if (next != -1) {
            throw new IdxFormatException(
                    source
                            + ": unexpected data after the "
                            + length
                            + " "
                            + what
                            + " bytes"
                            + " the header declares");
        }
        return bytes;
    }

    private static byte[] readFully(InputStream in, int length, String source) throws IOException {
        try {
            return in.readNBytes(length);
        } catch (EOFException e) {
            throw new IdxFormatException(source + ": truncated gzip stream", e);
        } catch (ZipException e) {
            throw new IdxFormatException(
                    source + ": corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }
}
