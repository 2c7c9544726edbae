package io.motdjl.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;

/**
 * Parses JSON the way the safetensors format requires it: strict RFC 8259 (Gson's default parser is
 * lenient — unquoted keys, comments, NaN), no duplicate keys (the last one would silently win),
 * numbers kept exact (Gson's {@code getAsLong} wraps values beyond 64 bits), bounded nesting.
 */
public final class StrictJson {

    /** A header needs three levels; anything deeper is not a safetensors header. */
    private static final int NESTING_LIMIT = 32;

    private StrictJson() {}

    /**
     * Parses {@code text}, which must hold exactly one JSON value (whitespace around it is fine).
     *
     * @throws IOException with a message saying what is malformed
     */
    public static JsonElement parse(String text) throws IOException {
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setStrictness(Strictness.STRICT);
        reader.setNestingLimit(NESTING_LIMIT);
        JsonElement value = read(reader);
        if (reader.peek() != JsonToken.END_DOCUMENT) {
            throw new IOException("unexpected content after the JSON value at " + reader.getPath());
        }
        return value;
    }

    private static JsonElement read(JsonReader reader) throws IOException {
        switch (reader.peek()) {
            case BEGIN_OBJECT:
                JsonObject object = new JsonObject();
                reader.beginObject();
                while (reader.hasNext()) {
                    String name = reader.nextName();
                    if (object.has(name)) {
                        throw new IOException(
                                "duplicate key \"" + name + "\" at " + reader.getPath());
                    }
                    object.add(name, read(reader));
                }
                reader.endObject();
                return object;
            case BEGIN_ARRAY:
                JsonArray array = new JsonArray();
                reader.beginArray();
                while (reader.hasNext()) {
                    array.add(read(reader));
                }
                reader.endArray();
                return array;
            case STRING:
                return new JsonPrimitive(reader.nextString());
            case NUMBER:
                return new JsonPrimitive(number(reader));
            case BOOLEAN:
                return new JsonPrimitive(reader.nextBoolean());
            case NULL:
                reader.nextNull();
                return JsonNull.INSTANCE;
            default:
                throw new IOException("malformed JSON at " + reader.getPath());
        }
    }

    /**
     * A number, exact. JSON allows any exponent, BigDecimal only an int's: beyond it (say {@code
     * 1e2147483648}) BigDecimal throws a NumberFormatException, which must not escape as a bare
     * "Exponent overflow".
     */
    private static BigDecimal number(JsonReader reader) throws IOException {
        String path = reader.getPath();
        String text = reader.nextString();
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new IOException(
                    "number "
                            + (text.length() > 40 ? text.substring(0, 40) + "..." : text)
                            + " at "
                            + path
                            + " is out of range",
                    e);
        }
    }
}
