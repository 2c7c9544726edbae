package io.motdjl.speech;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import io.motdjl.io.AtomicFiles;
import io.motdjl.tokenize.TokenizerFormatException;
import io.motdjl.tokenize.TokenizerJson;

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
 * The JSON file of a {@link SpeechUnitTokenizer}. Its form:
 *
 * <pre>{@code
 * {"format": "mot-djl/speech-unit-tokenizer", "version": 1,
 *  "sample_rate": 16000, "n_fft": 1024, "hop": 640, "mels": 80,
 *  "fmin_hz": 0.0, "fmax_hz": 8000.0, "mel_scale": "slaney", "log_floor": 1.0E-5,
 *  "units": 256,
 *  "centroids": [[-11.512925, ... 80 log-mel values], ... 256 rows]}
 * }</pre>
 *
 * <p>Centroid values are written with {@link Float#toString(float)}, which reads back to the same
 * bits. {@code mel_scale} and {@code log_floor} record how the front end computes features; this
 * reader knows only Slaney's scale and the floor {@link LogMelSpectrogram#LOG_FLOOR}, and refuses
 * other values rather than tokenize with features the centroids were not learned on.
 *
 * <p>Reading is strict: every key required and known, no duplicates, integers where integers
 * belong, finite numbers, every value in range, the row count and row length matching {@code units}
 * and {@code mels}.
 */
final class SpeechUnitTokenizerFile {

    static final String FORMAT = "mot-djl/speech-unit-tokenizer";
    static final int VERSION = 1;
    static final String MEL_SCALE = "slaney";

    /** 65,536 units of 80 values at about 13 characters each stay below this. */
    private static final long MAX_FILE_BYTES = 128L << 20;

    private static final Set<String> KEYS =
            Set.of(
                    "format",
                    "version",
                    "sample_rate",
                    "n_fft",
                    "hop",
                    "mels",
                    "fmin_hz",
                    "fmax_hz",
                    "mel_scale",
                    "log_floor",
                    "units",
                    "centroids");

    private static final Set<String> STRING_KEYS = Set.of("format", "mel_scale");
    private static final Set<String> REAL_KEYS = Set.of("fmin_hz", "fmax_hz", "log_floor");

    private SpeechUnitTokenizerFile() {}

    static void write(SpeechUnitTokenizer tokenizer, Path file) throws IOException {
        AtomicFiles.write(
                file,
                os -> {
                    Writer writer = new OutputStreamWriter(os, StandardCharsets.UTF_8);
                    writeJson(tokenizer, writer);
                    writer.flush();
                });
    }

    private static void writeJson(SpeechUnitTokenizer tokenizer, Writer out) throws IOException {
        LogMelSpectrogram.Options frontEnd = tokenizer.frontEnd();
        JsonWriter json = new JsonWriter(out);
        json.setIndent(" ");
        json.beginObject();
        json.name("format").value(FORMAT);
        json.name("version").value(VERSION);
        json.name("sample_rate").value(frontEnd.sampleRate());
        json.name("n_fft").value(frontEnd.nFft());
        json.name("hop").value(frontEnd.hop());
        json.name("mels").value(frontEnd.mels());
        json.name("fmin_hz").jsonValue(Double.toString(frontEnd.fminHz()));
        json.name("fmax_hz").jsonValue(Double.toString(frontEnd.fmaxHz()));
        json.name("mel_scale").value(MEL_SCALE);
        json.name("log_floor").jsonValue(Double.toString(LogMelSpectrogram.LOG_FLOOR));
        json.name("units").value(tokenizer.unitCount());
        json.name("centroids").beginArray();
        // one centroid per line keeps the file readable and diffable
        json.setIndent("");
        for (int c = 0; c < tokenizer.unitCount(); c++) {
            json.beginArray();
            for (float v : tokenizer.centroid(c)) {
                // finite (the tokenizer checks); Float.toString reads back to the same bits
                json.jsonValue(Float.toString(v));
            }
            json.endArray();
            out.write('\n');
        }
        json.endArray();
        json.endObject();
        json.flush();
        out.write('\n');
    }

    static SpeechUnitTokenizer read(Path file) throws IOException {
        String text = TokenizerJson.readText(file, MAX_FILE_BYTES, "a speech unit tokenizer file");
        return parse(new StringReader(text), file.toString());
    }

    /** Parses and validates a tokenizer file's text. */
    static SpeechUnitTokenizer parse(Reader text, String source) throws IOException {
        Map<String, Object> fields =
                TokenizerJson.readFields(text, source, KEYS, SpeechUnitTokenizerFile::readValue);
        return build(fields, source);
    }

    private static SpeechUnitTokenizer build(Map<String, Object> fields, String source)
            throws TokenizerFormatException {
        TokenizerJson.requireFormat(fields, FORMAT, VERSION, source);
        if (!MEL_SCALE.equals(fields.get("mel_scale"))) {
            throw new TokenizerFormatException(
                    source
                            + ": mel_scale is \""
                            + fields.get("mel_scale")
                            + "\"; this reader computes features on the \""
                            + MEL_SCALE
                            + "\" scale");
        }
        if ((double) fields.get("log_floor") != LogMelSpectrogram.LOG_FLOOR) {
            throw new TokenizerFormatException(
                    source
                            + ": log_floor is "
                            + fields.get("log_floor")
                            + "; this reader computes features with the floor "
                            + LogMelSpectrogram.LOG_FLOOR);
        }
        LogMelSpectrogram.Options frontEnd;
        try {
            frontEnd =
                    new LogMelSpectrogram.Options(
                            (int) fields.get("sample_rate"),
                            (int) fields.get("n_fft"),
                            (int) fields.get("hop"),
                            (int) fields.get("mels"),
                            (double) fields.get("fmin_hz"),
                            (double) fields.get("fmax_hz"));
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(source + ": " + e.getMessage(), e);
        }
        int units = (int) fields.get("units");
        float[][] rows = (float[][]) fields.get("centroids");
        if (units <= 0 || units > SpeechUnitTokenizer.MAX_UNITS || rows.length != units) {
            throw new TokenizerFormatException(
                    source
                            + ": units is "
                            + units
                            + " but there are "
                            + rows.length
                            + " centroids (expected equal, in [1, "
                            + SpeechUnitTokenizer.MAX_UNITS
                            + "])");
        }
        int mels = frontEnd.mels();
        float[] centroids = new float[units * mels];
        for (int c = 0; c < units; c++) {
            if (rows[c].length != mels) {
                throw new TokenizerFormatException(
                        source
                                + ": centroid "
                                + c
                                + " has "
                                + rows[c].length
                                + " values; the front end has "
                                + mels
                                + " mels");
            }
            System.arraycopy(rows[c], 0, centroids, c * mels, mels);
        }
        try {
            return new SpeechUnitTokenizer(frontEnd, centroids);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(source + ": " + e.getMessage(), e);
        }
    }

    private static Object readValue(JsonReader json, String source, String name)
            throws IOException {
        if (name.equals("centroids")) {
            return readRows(json, source);
        }
        if (STRING_KEYS.contains(name)) {
            TokenizerJson.expect(json, JsonToken.STRING, source, name, "a string");
            return json.nextString();
        }
        if (REAL_KEYS.contains(name)) {
            return readFinite(json, source, name, false);
        }
        return TokenizerJson.readInt(json, source, name);
    }

    private static float[][] readRows(JsonReader json, String source) throws IOException {
        TokenizerJson.expect(
                json, JsonToken.BEGIN_ARRAY, source, "centroids", "a list of centroids");
        List<float[]> rows = new ArrayList<>();
        json.beginArray();
        while (json.hasNext()) {
            String row = "centroid " + rows.size();
            TokenizerJson.expect(json, JsonToken.BEGIN_ARRAY, source, row, "a list of numbers");
            List<Float> values = new ArrayList<>();
            json.beginArray();
            while (json.hasNext()) {
                values.add((float) readFinite(json, source, row, true));
            }
            json.endArray();
            float[] floats = new float[values.size()];
            for (int j = 0; j < floats.length; j++) {
                floats[j] = values.get(j);
            }
            rows.add(floats);
        }
        json.endArray();
        return rows.toArray(new float[0][]);
    }

    /** A finite number, parsed as a float or a double. */
    private static double readFinite(JsonReader json, String source, String name, boolean asFloat)
            throws IOException {
        TokenizerJson.expect(json, JsonToken.NUMBER, source, name, "a number");
        String text = json.nextString();
        double value;
        try {
            value = asFloat ? Float.parseFloat(text) : Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new TokenizerFormatException(
                    source + ": \"" + name + "\" must be a number, got " + text, e);
        }
        if (!Double.isFinite(value)) {
            throw new TokenizerFormatException(
                    source
                            + ": \""
                            + name
                            + "\" value "
                            + text
                            + " is out of range; expected a finite "
                            + (asFloat ? "float" : "number"));
        }
        return value;
    }
}
