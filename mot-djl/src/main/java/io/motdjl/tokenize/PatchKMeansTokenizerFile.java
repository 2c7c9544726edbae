package io.motdjl.tokenize;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import io.motdjl.io.AtomicFiles;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON file of a {@link PatchKMeansTokenizer}. Its form:
 *
 * <pre>{@code
 * {"format": "mot-djl/patch-kmeans-image-tokenizer", "version": 1,
 *  "image_height": 28, "image_width": 28, "patch_size": 4, "codebook_size": 256,
 *  "codebook": [[0, 0, ... 16 values in 0..255], ... 256 rows]}
 * }</pre>
 *
 * <p>Reading is strict: every key required and known, no duplicates, integers only, every value in
 * range, the row count and row length matching the declared geometry.
 */
final class PatchKMeansTokenizerFile {

    static final String FORMAT = "mot-djl/patch-kmeans-image-tokenizer";
    static final int VERSION = 1;

    /** A 64 × 64 grid of 1-pixel patches with 2^16 codes is far below this. */
    private static final long MAX_FILE_BYTES = 64L << 20;

    private static final Set<String> KEYS =
            Set.of(
                    "format",
                    "version",
                    "image_height",
                    "image_width",
                    "patch_size",
                    "codebook_size",
                    "codebook");

    private PatchKMeansTokenizerFile() {}

    static void write(PatchKMeansTokenizer tokenizer, Path file) throws IOException {
        AtomicFiles.write(
                file,
                os -> {
                    Writer writer = new OutputStreamWriter(os, StandardCharsets.UTF_8);
                    writeJson(tokenizer, writer);
                    writer.flush();
                });
    }

    private static void writeJson(PatchKMeansTokenizer tokenizer, Writer out) throws IOException {
        PatchGrid grid = tokenizer.grid();
        JsonWriter json = new JsonWriter(out);
        json.setIndent(" ");
        json.beginObject();
        json.name("format").value(FORMAT);
        json.name("version").value(VERSION);
        json.name("image_height").value(grid.imageHeight());
        json.name("image_width").value(grid.imageWidth());
        json.name("patch_size").value(grid.patchSize());
        json.name("codebook_size").value(tokenizer.codebookSize());
        json.name("codebook").beginArray();
        // one entry per line keeps the file readable and diffable
        json.setIndent("");
        for (int c = 0; c < tokenizer.codebookSize(); c++) {
            json.beginArray();
            for (byte b : tokenizer.entry(c)) {
                json.value(Byte.toUnsignedInt(b));
            }
            json.endArray();
            out.write('\n');
        }
        json.endArray();
        json.endObject();
        json.flush();
        out.write('\n');
    }

    static PatchKMeansTokenizer read(Path file) throws IOException {
        String text = TokenizerJson.readText(file, MAX_FILE_BYTES, "a tokenizer file");
        return parse(new StringReader(text), file.toString());
    }

    /** Parses and validates a tokenizer file's text. */
    static PatchKMeansTokenizer parse(Reader text, String source) throws IOException {
        Map<String, Object> fields =
                TokenizerJson.readFields(text, source, KEYS, PatchKMeansTokenizerFile::readValue);
        return build(fields, source);
    }

    private static PatchKMeansTokenizer build(Map<String, Object> fields, String source)
            throws TokenizerFormatException {
        TokenizerJson.requireFormat(fields, FORMAT, VERSION, source);
        PatchGrid grid;
        try {
            grid =
                    new PatchGrid(
                            (int) fields.get("image_height"),
                            (int) fields.get("image_width"),
                            (int) fields.get("patch_size"));
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(source + ": " + e.getMessage(), e);
        }
        int size = (int) fields.get("codebook_size");
        int[][] rows = (int[][]) fields.get("codebook");
        if (size <= 0 || rows.length != size) {
            throw new TokenizerFormatException(
                    source
                            + ": codebook_size is "
                            + size
                            + " but the codebook has "
                            + rows.length
                            + " entries");
        }
        int dim = grid.patchDim();
        byte[] codebook = new byte[size * dim];
        for (int c = 0; c < size; c++) {
            if (rows[c].length != dim) {
                throw new TokenizerFormatException(
                        source
                                + ": codebook entry "
                                + c
                                + " has "
                                + rows[c].length
                                + " values, a "
                                + grid.patchSize()
                                + " x "
                                + grid.patchSize()
                                + " patch has "
                                + dim);
            }
            for (int j = 0; j < dim; j++) {
                int v = rows[c][j];
                if (v < 0 || v > 255) {
                    throw new TokenizerFormatException(
                            source
                                    + ": codebook entry "
                                    + c
                                    + " value "
                                    + j
                                    + " is "
                                    + v
                                    + ", pixel values lie in [0, 255]");
                }
                codebook[c * dim + j] = (byte) v;
            }
        }
        return new PatchKMeansTokenizer(grid, codebook);
    }

    private static Object readValue(JsonReader json, String source, String name)
            throws IOException {
        switch (name) {
            case "codebook":
                return readRows(json, source);
            case "format":
                return readString(json, source, name);
            default:
                return TokenizerJson.readInt(json, source, name);
        }
    }

    private static int[][] readRows(JsonReader json, String source) throws IOException {
        TokenizerJson.expect(json, JsonToken.BEGIN_ARRAY, source, "codebook", "a list of entries");
        List<int[]> rows = new ArrayList<>();
        json.beginArray();
        while (json.hasNext()) {
            TokenizerJson.expect(
                    json, JsonToken.BEGIN_ARRAY, source, "codebook entry " + rows.size(), "a list");
            List<Integer> values = new ArrayList<>();
            json.beginArray();
            while (json.hasNext()) {
                values.add(TokenizerJson.readInt(json, source, "codebook entry " + rows.size()));
            }
            json.endArray();
            rows.add(values.stream().mapToInt(Integer::intValue).toArray());
        }
        json.endArray();
        return rows.toArray(new int[0][]);
    }

    private static String readString(JsonReader json, String source, String name)
            throws IOException {
        TokenizerJson.expect(json, JsonToken.STRING, source, name, "a string");
        return json.nextString();
    }
}
