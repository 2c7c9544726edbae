package io.motdjl.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors bytes by hand, so that tests can make files DJL's writer never would. */
final class SafetensorsBytes {

    private SafetensorsBytes() {}

    /** A file whose 8-byte length prefix is the true length of {@code header}. */
    static byte[] of(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return withLength(json.length, json, data);
    }

    /** A file with an arbitrary (possibly lying) length prefix. */
    static byte[] withLength(long headerLength, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length);
        b.order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).put(header).put(data);
        return b.array();
    }

    /** {@code header} padded with trailing spaces to exactly {@code length} bytes. */
    static byte[] padded(String header, int length, byte[] data) {
        StringBuilder s = new StringBuilder(header);
        while (s.length() < length) {
            s.append(' ');
        }
        return of(s.toString(), data);
    }

    /** One tensor entry of a header. */
    static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\""
                + name
                + "\":{\"dtype\":\""
                + dtype
                + "\",\"shape\":"
                + shape
                + ",\"data_offsets\":["
                + begin
                + ","
                + end
                + "]}";
    }

    /** Little-endian float32 bytes. */
    static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** Little-endian int64 bytes. */
    static byte[] longs(long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    /** Concatenation. */
    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    /** Writes {@code bytes} to {@code dir/name}. */
    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }
}
