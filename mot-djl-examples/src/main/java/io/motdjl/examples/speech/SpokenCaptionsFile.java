package io.motdjl.examples.speech;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import io.motdjl.io.StrictJson;
import io.motdjl.speech.LogMelSpectrogram;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes the spoken-caption corpus file. The file is gzip (level 9) of:
 *
 * <pre>
 * magic    8 bytes   "MOTSPCAP"
 * header   uint32    H, the header's length in bytes (big-endian)
 * frames   uint64    F, the frames' length in bytes (big-endian)
 * header   H bytes   UTF-8 JSON, below
 * frames   F bytes   every utterance's frames in order, frame by frame, one byte per mel:
 *                    the level of {@link LogMelQuantization}
 * sha256   32 bytes  SHA-256 of everything above (magic to frames)
 * </pre>
 *
 * <p>The header: {@code "format": "mot-djl/spoken-captions"}, {@code "version": 1}, {@code
 * "front_end"} (as the speech tokenizer file writes it: sample rate, FFT size, hop, mels, frequency
 * range, mel scale, log floor), {@code "quantization"} ({@code min}, {@code max}, {@code levels}),
 * {@code "seed"}, {@code "provenance"} (string values: how the file was made) and {@code
 * "utterances"}, each an object with {@code id, text, label, engine, voice, template, draw,
 * prosody, split, samples, frames}; {@code prosody} holds flite's {@code duration_stretch} and
 * optional {@code f0_mean}, or espeak-ng's {@code pitch} and {@code speed}.
 *
 * <p>Reading checks the digest before anything else and refuses, with a {@link
 * SpokenCaptionsFormatException} naming the file: a file that is not gzip, a truncated or corrupt
 * one, trailing bytes, another magic, format or version, invalid JSON, unknown, duplicate or
 * missing keys, values of the wrong type or range, and frames that do not add up to {@code F}.
 * Writing is deterministic: the same corpus gives the same bytes (Java's gzip header has no time
 * stamp).
 */
public final class SpokenCaptionsFile {

    /** The format's name in the header. */
    public static final String FORMAT = "mot-djl/spoken-captions";

    /** The format version this class reads and writes. */
    public static final int VERSION = 1;

    private static final byte[] MAGIC = "MOTSPCAP".getBytes(StandardCharsets.US_ASCII);
    private static final int DIGEST_BYTES = 32;
    private static final int MAX_HEADER_BYTES = 64 << 20;
    private static final long MAX_FRAME_BYTES = Integer.MAX_VALUE - 8;
    private static final String MEL_SCALE = "slaney";

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private static final Set<String> TOP_KEYS =
            Set.of(
                    "format",
                    "version",
                    "front_end",
                    "quantization",
                    "seed",
                    "provenance",
                    "utterances");
    private static final Set<String> FRONT_END_KEYS =
            Set.of(
                    "sample_rate",
                    "n_fft",
                    "hop",
                    "mels",
                    "fmin_hz",
                    "fmax_hz",
                    "mel_scale",
                    "log_floor");
    private static final Set<String> QUANTIZATION_KEYS = Set.of("min", "max", "levels");
    private static final Set<String> UTTERANCE_KEYS =
            Set.of(
                    "id",
                    "text",
                    "label",
                    "engine",
                    "voice",
                    "template",
                    "draw",
                    "prosody",
                    "split",
                    "samples",
                    "frames");
    private static final Set<String> FLITE_KEYS = Set.of("duration_stretch", "f0_mean");
    private static final Set<String> ESPEAK_KEYS = Set.of("pitch", "speed");

    private SpokenCaptionsFile() {}

    // ------------------------------------------------------------------ writing

    /** Writes {@code corpus} to {@code os} (not closed). */
    static void write(SpokenCaptions corpus, OutputStream os) throws IOException {
        write(
                GSON.toJson(header(corpus)).getBytes(StandardCharsets.UTF_8),
                corpus.allQuantizedFrames(),
                os);
    }

    /** Writes a header and frames as the format lays them out, digest included. */
    static void write(byte[] header, byte[] frames, OutputStream os) throws IOException {
        MessageDigest sha = sha256();
        GZIPOutputStream gzip = new BestGzipOutputStream(os);
        DataOutputStream out = new DataOutputStream(gzip);
        byte[] preamble = preamble(header.length, frames.length);
        sha.update(preamble);
        sha.update(header);
        sha.update(frames);
        out.write(preamble);
        out.write(header);
        out.write(frames);
        out.write(sha.digest());
        out.flush();
        gzip.finish();
    }

    private static byte[] preamble(int headerBytes, long frameBytes) {
        byte[] p = Arrays.copyOf(MAGIC, MAGIC.length + 12);
        for (int i = 0; i < 4; i++) {
            p[MAGIC.length + i] = (byte) (headerBytes >>> (24 - 8 * i));
        }
        for (int i = 0; i < 8; i++) {
            p[MAGIC.length + 4 + i] = (byte) (frameBytes >>> (56 - 8 * i));
        }
        return p;
    }

    private static JsonObject header(SpokenCaptions corpus) {
        JsonObject h = new JsonObject();
        h.addProperty("format", FORMAT);
        h.addProperty("version", VERSION);
        LogMelSpectrogram.Options f = corpus.frontEnd();
        JsonObject frontEnd = new JsonObject();
        frontEnd.addProperty("sample_rate", f.sampleRate());
        frontEnd.addProperty("n_fft", f.nFft());
        frontEnd.addProperty("hop", f.hop());
        frontEnd.addProperty("mels", f.mels());
        frontEnd.addProperty("fmin_hz", f.fminHz());
        frontEnd.addProperty("fmax_hz", f.fmaxHz());
        frontEnd.addProperty("mel_scale", MEL_SCALE);
        frontEnd.addProperty("log_floor", LogMelSpectrogram.LOG_FLOOR);
        h.add("front_end", frontEnd);
        LogMelQuantization q = corpus.quantization();
        JsonObject quantization = new JsonObject();
        quantization.addProperty("min", q.min());
        quantization.addProperty("max", q.max());
        quantization.addProperty("levels", q.levels());
        h.add("quantization", quantization);
        h.addProperty("seed", corpus.seed());
        JsonObject provenance = new JsonObject();
        corpus.provenance().forEach(provenance::addProperty);
        h.add("provenance", provenance);
        JsonArray utterances = new JsonArray();
        for (Utterance u : corpus.utterances()) {
            utterances.add(utteranceJson(u));
        }
        h.add("utterances", utterances);
        return h;
    }

    private static JsonObject utteranceJson(Utterance u) {
        UtteranceSpec s = u.spec();
        JsonObject o = new JsonObject();
        o.addProperty("id", s.id());
        o.addProperty("text", s.text());
        o.addProperty("label", s.label());
        o.addProperty("engine", s.engine().program());
        o.addProperty("voice", s.voice());
        o.addProperty("template", s.template());
        o.addProperty("draw", s.draw());
        JsonObject prosody = new JsonObject();
        if (s.prosody() instanceof Prosody.Flite flite) {
            prosody.addProperty("duration_stretch", flite.durationStretch());
            flite.f0Mean().ifPresent(f0 -> prosody.addProperty("f0_mean", f0));
        } else if (s.prosody() instanceof Prosody.Espeak espeak) {
            prosody.addProperty("pitch", espeak.pitch());
            prosody.addProperty("speed", espeak.speed());
        }
        o.add("prosody", prosody);
        o.addProperty("split", s.split().id());
        o.addProperty("samples", u.samples());
        o.addProperty("frames", u.frames());
        return o;
    }

    // ------------------------------------------------------------------ reading

    /** Reads a corpus from {@code in} (not closed); {@code source} names it in messages. */
    static SpokenCaptions read(InputStream in, String source) throws IOException {
        byte[] header;
        byte[] frames;
        try {
            DataInputStream data = new DataInputStream(new GZIPInputStream(in, 1 << 16));
            byte[] magic = data.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new SpokenCaptionsFormatException(
                        source
                                + ": not a spoken-caption corpus (the gzip content does not start"
                                + " with \"MOTSPCAP\")");
            }
            long headerBytes = Integer.toUnsignedLong(data.readInt());
            long frameBytes = data.readLong();
            if (headerBytes == 0 || headerBytes > MAX_HEADER_BYTES) {
                throw new SpokenCaptionsFormatException(
                        source
                                + ": header length "
                                + headerBytes
                                + " is outside [1, "
                                + MAX_HEADER_BYTES
                                + "]");
            }
            if (frameBytes < 0 || frameBytes > MAX_FRAME_BYTES) {
                throw new SpokenCaptionsFormatException(
                        source
                                + ": frame length "
                                + Long.toUnsignedString(frameBytes)
                                + " is outside [0, "
                                + MAX_FRAME_BYTES
                                + "]");
            }
            header = readFully(data, (int) headerBytes, source, "header");
            frames = readFully(data, (int) frameBytes, source, "frames");
            byte[] digest = readFully(data, DIGEST_BYTES, source, "SHA-256");
            MessageDigest sha = sha256();
            sha.update(preamble((int) headerBytes, frameBytes));
            sha.update(header);
            sha.update(frames);
            if (!MessageDigest.isEqual(digest, sha.digest())) {
                throw new SpokenCaptionsFormatException(
                        source + ": SHA-256 mismatch; the file is corrupt");
            }
            if (data.read() != -1) {
                throw new SpokenCaptionsFormatException(
                        source + ": unexpected bytes after the SHA-256");
            }
        } catch (ZipException e) {
            throw new SpokenCaptionsFormatException(
                    source + ": not a valid gzip file (" + e.getMessage() + ")", e);
        } catch (EOFException e) {
            throw new SpokenCaptionsFormatException(
                    source + ": the file is truncated (" + e.getMessage() + ")", e);
        }
        return parse(header, frames, source);
    }

    private static byte[] readFully(InputStream in, int n, String source, String part)
            throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length != n) {
            throw new SpokenCaptionsFormatException(
                    source
                            + ": the file is truncated (the "
                            + part
                            + " has "
                            + bytes.length
                            + " of "
                            + n
                            + " bytes)");
        }
        return bytes;
    }

    private static SpokenCaptions parse(byte[] headerBytes, byte[] frames, String source)
            throws IOException {
        JsonObject h;
        try {
            JsonElement parsed = StrictJson.parse(new String(headerBytes, StandardCharsets.UTF_8));
            h = object(parsed, "the header");
        } catch (SpokenCaptionsFormatException e) {
            throw new SpokenCaptionsFormatException(source + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SpokenCaptionsFormatException(
                    source + ": the header is not valid JSON: " + e.getMessage(), e);
        }
        try {
            keys(h, TOP_KEYS, Set.of(), "the header");
            String format = string(h, "format", "the header");
            if (!FORMAT.equals(format)) {
                throw new SpokenCaptionsFormatException(
                        "format is \"" + format + "\", expected \"" + FORMAT + "\"");
            }
            int version = integer(h, "version", "the header");
            if (version != VERSION) {
                throw new SpokenCaptionsFormatException(
                        "version "
                                + version
                                + " is not supported (this reader knows version "
                                + VERSION
                                + ")");
            }
            LogMelSpectrogram.Options frontEnd = frontEnd(object(h.get("front_end"), "front_end"));
            LogMelQuantization quantization =
                    quantization(object(h.get("quantization"), "quantization"));
            long seed = number(h, "seed", "the header").longValueExact();
            Map<String, String> provenance = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e :
                    object(h.get("provenance"), "provenance").entrySet()) {
                provenance.put(e.getKey(), string(e.getValue(), "provenance." + e.getKey()));
            }
            JsonElement list = h.get("utterances");
            if (!list.isJsonArray()) {
                throw new SpokenCaptionsFormatException("utterances is not an array");
            }
            List<Utterance> utterances = new ArrayList<>();
            for (JsonElement e : list.getAsJsonArray()) {
                utterances.add(utterance(utterances.size(), e));
            }
            try {
                return new SpokenCaptions(
                        frontEnd, quantization, seed, provenance, utterances, frames);
            } catch (IllegalArgumentException e) {
                throw new SpokenCaptionsFormatException(e.getMessage(), e);
            }
        } catch (SpokenCaptionsFormatException e) {
            throw new SpokenCaptionsFormatException(source + ": " + e.getMessage(), e);
        } catch (ArithmeticException e) {
            throw new SpokenCaptionsFormatException(
                    source + ": the seed is not a 64-bit integer", e);
        }
    }

    private static LogMelSpectrogram.Options frontEnd(JsonObject o)
            throws SpokenCaptionsFormatException {
        String where = "front_end";
        keys(o, FRONT_END_KEYS, Set.of(), where);
        String scale = string(o, "mel_scale", where);
        if (!MEL_SCALE.equals(scale)) {
            throw new SpokenCaptionsFormatException(
                    "mel_scale is \"" + scale + "\"; this reader knows \"" + MEL_SCALE + "\"");
        }
        double floor = real(o, "log_floor", where);
        if (floor != LogMelSpectrogram.LOG_FLOOR) {
            throw new SpokenCaptionsFormatException(
                    "log_floor is " + floor + "; this reader knows " + LogMelSpectrogram.LOG_FLOOR);
        }
        try {
            return new LogMelSpectrogram.Options(
                    integer(o, "sample_rate", where),
                    integer(o, "n_fft", where),
                    integer(o, "hop", where),
                    integer(o, "mels", where),
                    real(o, "fmin_hz", where),
                    real(o, "fmax_hz", where));
        } catch (IllegalArgumentException e) {
            throw new SpokenCaptionsFormatException("front_end: " + e.getMessage(), e);
        }
    }

    private static LogMelQuantization quantization(JsonObject o)
            throws SpokenCaptionsFormatException {
        String where = "quantization";
        keys(o, QUANTIZATION_KEYS, Set.of(), where);
        try {
            return new LogMelQuantization(
                    real(o, "min", where), real(o, "max", where), integer(o, "levels", where));
        } catch (IllegalArgumentException e) {
            throw new SpokenCaptionsFormatException("quantization: " + e.getMessage(), e);
        }
    }

    private static Utterance utterance(int index, JsonElement element)
            throws SpokenCaptionsFormatException {
        String where = "utterance " + index;
        JsonObject o = object(element, where);
        keys(o, UTTERANCE_KEYS, Set.of(), where);
        try {
            Engine engine = Engine.ofProgram(string(o, "engine", where));
            JsonObject p = object(o.get("prosody"), where + ": prosody");
            Prosody prosody;
            if (engine == Engine.FLITE) {
                keys(p, Set.of("duration_stretch"), FLITE_KEYS, where + ": prosody");
                prosody =
                        new Prosody.Flite(
                                real(p, "duration_stretch", where),
                                p.has("f0_mean")
                                        ? OptionalInt.of(integer(p, "f0_mean", where))
                                        : OptionalInt.empty());
            } else {
                keys(p, ESPEAK_KEYS, Set.of(), where + ": prosody");
                prosody =
                        new Prosody.Espeak(integer(p, "pitch", where), integer(p, "speed", where));
            }
            UtteranceSpec spec =
                    new UtteranceSpec(
                            string(o, "id", where),
                            string(o, "text", where),
                            integer(o, "label", where),
                            engine,
                            string(o, "voice", where),
                            integer(o, "template", where),
                            integer(o, "draw", where),
                            prosody,
                            Split.ofId(string(o, "split", where)));
            return new Utterance(
                    index, spec, integer(o, "samples", where), integer(o, "frames", where));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new SpokenCaptionsFormatException(where + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ JSON helpers

    /** Refuses keys outside {@code required ∪ optional} and missing required keys. */
    private static void keys(JsonObject o, Set<String> required, Set<String> optional, String where)
            throws SpokenCaptionsFormatException {
        for (String key : o.keySet()) {
            if (!required.contains(key) && !optional.contains(key)) {
                throw new SpokenCaptionsFormatException(where + ": unknown key \"" + key + "\"");
            }
        }
        for (String key : required) {
            if (!o.has(key)) {
                throw new SpokenCaptionsFormatException(where + ": missing key \"" + key + "\"");
            }
        }
    }

    private static JsonObject object(JsonElement e, String where)
            throws SpokenCaptionsFormatException {
        if (e == null || !e.isJsonObject()) {
            throw new SpokenCaptionsFormatException(where + " is not a JSON object");
        }
        return e.getAsJsonObject();
    }

    private static String string(JsonObject o, String key, String where)
            throws SpokenCaptionsFormatException {
        return string(o.get(key), where + ": " + key);
    }

    private static String string(JsonElement e, String where) throws SpokenCaptionsFormatException {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new SpokenCaptionsFormatException(where + " is not a string");
        }
        return e.getAsString();
    }

    private static BigDecimal number(JsonObject o, String key, String where)
            throws SpokenCaptionsFormatException {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new SpokenCaptionsFormatException(where + ": " + key + " is not a number");
        }
        return e.getAsBigDecimal();
    }

    private static int integer(JsonObject o, String key, String where)
            throws SpokenCaptionsFormatException {
        try {
            return number(o, key, where).intValueExact();
        } catch (ArithmeticException e) {
            throw new SpokenCaptionsFormatException(
                    where + ": " + key + " is not a 32-bit integer", e);
        }
    }

    private static double real(JsonObject o, String key, String where)
            throws SpokenCaptionsFormatException {
        double value = number(o, key, where).doubleValue();
        if (!Double.isFinite(value)) {
            throw new SpokenCaptionsFormatException(where + ": " + key + " is not a finite float");
        }
        return value;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** gzip at the best compression level (GZIPOutputStream has no constructor for a level). */
    private static final class BestGzipOutputStream extends GZIPOutputStream {
        BestGzipOutputStream(OutputStream os) throws IOException {
            super(os, 1 << 16);
            def.setLevel(Deflater.BEST_COMPRESSION);
        }
    }

    /** The JSON header of a corpus as {@link #write} writes it (tests alter it). */
    static String headerJson(SpokenCaptions corpus) {
        return GSON.toJson(header(corpus));
    }
}
