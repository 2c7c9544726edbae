package io.motdjl.tokenize;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;

import java.io.EOFException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The strict JSON reading shared by the tokenizer files (image codebooks, speech units): one flat
 * object of known keys, each read by the file's own value reader, with a format name and a version.
 * Every problem is a {@link TokenizerFormatException} naming the source.
 */
public final class TokenizerJson {

    /** Reads the value of one key of a tokenizer file. */
    @FunctionalInterface
    public interface ValueReader {
        /**
         * Reads the value at the reader's position.
         *
         * @param json the reader
         * @param source the file, for messages
         * @param name the key
         * @return the value
         * @throws IOException if the value is malformed
         */
        Object read(JsonReader json, String source, String name) throws IOException;
    }

    private TokenizerJson() {}

    /**
     * Reads a file's text, refusing one larger than {@code maxBytes} before reading it.
     *
     * @param what what the file should be, for the message (e.g. "a tokenizer file")
     */
    public static String readText(Path file, long maxBytes, String what) throws IOException {
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new TokenizerFormatException(
                    file
                            + ": "
                            + size
                            + " bytes is too large for "
                            + what
                            + " (limit "
                            + maxBytes
                            + ")");
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /**
     * Reads one object whose keys all lie in {@code keys}, each at most once, with nothing after
     * it, and checks that every key is there.
     *
     * @return the values by key, in file order
     */
    public static Map<String, Object> readFields(
            Reader text, String source, Set<String> keys, ValueReader values) throws IOException {
        JsonReader json = new JsonReader(text);
        json.setStrictness(Strictness.STRICT);
        json.setNestingLimit(4);
        Map<String, Object> fields = new LinkedHashMap<>();
        try {
            json.beginObject();
            while (json.hasNext()) {
                String name = json.nextName();
                if (!keys.contains(name)) {
                    throw new TokenizerFormatException(
                            source + ": unknown key \"" + name + "\"; expected " + keys);
                }
                if (fields.containsKey(name)) {
                    throw new TokenizerFormatException(source + ": duplicate key \"" + name + "\"");
                }
                fields.put(name, values.read(json, source, name));
            }
            json.endObject();
            if (json.peek() != JsonToken.END_DOCUMENT) {
                throw new TokenizerFormatException(
                        source + ": unexpected content after the object");
            }
        } catch (MalformedJsonException | EOFException | IllegalStateException e) {
            throw new TokenizerFormatException(
                    source + ": not valid JSON (" + e.getMessage() + ")", e);
        }
        Set<String> missing = new HashSet<>(keys);
        missing.removeAll(fields.keySet());
        if (!missing.isEmpty()) {
            throw new TokenizerFormatException(source + ": missing key(s) " + missing);
        }
        return fields;
    }

    /** Refuses a file whose {@code format} or {@code version} is not the one this reader knows. */
    public static void requireFormat(
            Map<String, Object> fields, String format, int version, String source)
            throws TokenizerFormatException {
        if (!format.equals(fields.get("format"))) {
            throw new TokenizerFormatException(
                    source
                            + ": format is \""
                            + fields.get("format")
                            + "\", expected \""
                            + format
                            + "\"");
        }
        if ((int) fields.get("version") != version) {
            throw new TokenizerFormatException(
                    source
                            + ": version "
                            + fields.get("version")
                            + " is not supported (this reader knows version "
                            + version
                            + ")");
        }
    }

    /** Reads a JSON integer, naming the key when it is not one. */
    public static int readInt(JsonReader json, String source, String name) throws IOException {
        expect(json, JsonToken.NUMBER, source, name, "an integer");
        String text = json.nextString();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new TokenizerFormatException(
                    source + ": \"" + name + "\" must be an integer, got " + text, e);
        }
    }

    /** Refuses a value that is not the expected kind of JSON token. */
    public static void expect(
            JsonReader json, JsonToken token, String source, String name, String what)
            throws IOException {
        JsonToken actual = json.peek();
        if (actual != token) {
            throw new TokenizerFormatException(
                    source + ": \"" + name + "\" must be " + what + ", got " + actual);
        }
    }
}
