package io.motdjl.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import io.motdjl.FuzzJson;
import io.motdjl.Fuzzing;
import io.motdjl.GoldenCase;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mutates valid safetensors files (written by the library, plus a golden input and hand-made ones)
 * — the length prefix, the JSON header's bytes, numbers and strings, dtypes, shapes, offsets,
 * truncation, appended bytes — and decodes each through {@link SafetensorsFile#decode}: every case
 * is decoded as its header declares or refused with a {@link CheckpointException}, and a refused
 * case leaves no array behind. Nothing else: no other exception, no native crash, no hang.
 */
class SafetensorsFuzzTest {

    private static final List<byte[]> BASES = new ArrayList<>();
    private static final Pattern NUMBER = Pattern.compile("-?[0-9][0-9.eE+-]*");
    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");

    private static NDManager manager;

    @BeforeAll
    static void writeBases(@TempDir Path dir) throws IOException {
        manager = NDManager.newBaseManager();
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> every = new LinkedHashMap<>();
            every.put("w", m.arange(6f).reshape(2, 3));
            every.put("ids", m.arange(4L));
            every.put("d", m.create(new double[] {1.5}));
            every.put("h", m.create(new float[] {1, 2}).toType(DataType.FLOAT16, false));
            every.put("i", m.create(new int[] {7, -7}));
            every.put("s", m.create(new byte[] {1, -1}));
            every.put("u", m.create(new byte[] {1, 2, 3}).toType(DataType.UINT8, false));
            every.put("b", m.create(new boolean[] {true, false, true}));
            BASES.add(written(dir, "every", every));
            BASES.add(written(dir, "one", Map.of("x", m.ones(new Shape(2, 2)))));
            BASES.add(written(dir, "none", Map.of()));
            Map<String, NDArray> empty = new LinkedHashMap<>();
            empty.put("z", m.zeros(new Shape(0, 3)));
            empty.put("y", m.ones(new Shape(1)));
            BASES.add(written(dir, "empty", empty));
        }
        BASES.add(
                Files.readAllBytes(
                        GoldenCase.dir("transfusion-spans").resolve("input.safetensors")));
        String header =
                "{\"__metadata__\":{\"format\":\"pt\"},"
                        + SafetensorsBytes.entry("b", "F32", "[2]", 8, 16)
                        + ","
                        + SafetensorsBytes.entry("a", "I64", "[1]", 0, 8)
                        + "}";
        BASES.add(
                SafetensorsBytes.padded(
                        header,
                        header.length() + 5,
                        SafetensorsBytes.concat(
                                SafetensorsBytes.longs(3), SafetensorsBytes.floats(1, 2))));
    }

    @AfterAll
    static void closeManager() {
        manager.close();
    }

    private static byte[] written(Path dir, String name, Map<String, NDArray> tensors)
            throws IOException {
        Path file = dir.resolve(name + ".safetensors");
        SafetensorsFile.write(file, tensors);
        return Files.readAllBytes(file);
    }

    @Test
    void mutatedFilesDecodeOrAreRefused() {
        Fuzzing.Report report =
                Fuzzing.<byte[]>of(
                                "safetensors",
                                20_000,
                                CheckpointException.class,
                                Duration.ofMinutes(3))
                        .refusalsMatching("fuzz: ")
                        .run(
                                SafetensorsFuzzTest::mutant,
                                bytes -> Fuzzing.printable(bytes, 600),
                                SafetensorsFuzzTest::decode);
        System.out.println(report);
        // the mutations reach past the first checks: many files decode, refusals are varied
        assertTrue(report.accepted() > report.cases() / 20, report.toString());
        assertTrue(report.refusals().size() > 40, report.refusals().toString());
    }

    private static void decode(byte[] bytes) {
        try (NDManager m = manager.newSubManager()) {
            try {
                Map<String, NDArray> tensors = SafetensorsFile.decode(bytes, "fuzz", m);
                SafetensorsHeader header = SafetensorsHeader.parse(bytes, "fuzz");
                assertEquals(header.entries().keySet(), tensors.keySet());
                for (SafetensorsHeader.Entry e : header.entries().values()) {
                    assertEquals(e.shape(), tensors.get(e.name()).getShape(), e.name());
                }
            } catch (CheckpointException e) {
                assertEquals(List.of(), m.getManagedArrays(), "a refused file left arrays");
                throw e;
            }
        }
    }

    /** A base file with one to three mutations. */
    private static byte[] mutant(Random random) {
        byte[] bytes = BASES.get(random.nextInt(BASES.size())).clone();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            bytes =
                    random.nextInt(2) == 0
                            ? mutateHeader(random, bytes)
                            : mutateBytes(random, bytes);
        }
        return bytes;
    }

    // ---------------------------------------------------------------- byte-level

    private static byte[] mutateBytes(Random random, byte[] bytes) {
        switch (random.nextInt(7)) {
            case 0:
                if (bytes.length > 0) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return bytes;
            case 1:
                if (bytes.length > 0) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                return bytes;
            case 2:
                return Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
            case 3:
                {
                    byte[] extra = new byte[1 + random.nextInt(64)];
                    random.nextBytes(extra);
                    return SafetensorsBytes.concat(bytes, extra);
                }
            case 4:
                {
                    int at = random.nextInt(bytes.length + 1);
                    byte[] extra = new byte[1 + random.nextInt(16)];
                    random.nextBytes(extra);
                    return SafetensorsBytes.concat(
                            Arrays.copyOfRange(bytes, 0, at),
                            extra,
                            Arrays.copyOfRange(bytes, at, bytes.length));
                }
            case 5:
                {
                    if (bytes.length == 0) {
                        return bytes;
                    }
                    int at = random.nextInt(bytes.length);
                    int end = Math.min(bytes.length, at + 1 + random.nextInt(16));
                    return SafetensorsBytes.concat(
                            Arrays.copyOfRange(bytes, 0, at),
                            Arrays.copyOfRange(bytes, end, bytes.length));
                }
            default:
                return withPrefix(bytes, lengthPrefix(random, bytes));
        }
    }

    private static long lengthPrefix(Random random, byte[] bytes) {
        long length = headerLength(bytes);
        switch (random.nextInt(6)) {
            case 0:
                return length + random.nextInt(17) - 8;
            case 1:
                return random.nextInt(4);
            case 2:
                return bytes.length - 8L + random.nextInt(3) - 1;
            case 3:
                return random.nextLong();
            case 4:
                return SafetensorsHeader.MAX_HEADER_BYTES + random.nextInt(3) - 1;
            default:
                return 0x4B50L + ((long) random.nextInt(4) << 16); // "PK": DJL's zip magic
        }
    }

    // ---------------------------------------------------------------- header-level

    /** Edits the JSON header and (mostly) fixes the length prefix to match. */
    private static byte[] mutateHeader(Random random, byte[] bytes) {
        long length = headerLength(bytes);
        if (length < 0 || length > bytes.length - 8L) {
            return mutateBytes(random, bytes);
        }
        String header = new String(bytes, 8, (int) length, StandardCharsets.UTF_8);
        byte[] data = Arrays.copyOfRange(bytes, 8 + (int) length, bytes.length);
        String edited = editHeader(random, header);
        byte[] json = edited.getBytes(StandardCharsets.UTF_8);
        long prefix = random.nextInt(5) == 0 ? length : json.length;
        return SafetensorsBytes.withLength(prefix, json, data);
    }

    private static String editHeader(Random random, String header) {
        switch (random.nextInt(12)) {
            case 0:
            case 1:
                return FuzzJson.replaceOne(
                        random, header, NUMBER, FuzzJson.pick(random, FuzzJson.NUMBERS));
            case 2:
                return FuzzJson.replaceOne(
                        random, header, NUMBER, String.valueOf(random.nextInt(64)));
            case 3:
                return FuzzJson.replaceOne(
                        random,
                        header,
                        QUOTED,
                        "\"" + FuzzJson.pick(random, FuzzJson.STRINGS) + "\"");
            case 4:
                return FuzzJson.replaceOne(
                        random,
                        header,
                        Pattern.compile("\\[[^\\[\\]]*\\]"),
                        FuzzJson.integers(random));
            case 5:
                return FuzzJson.replaceOne(
                        random, header, Pattern.compile("\\{[^{}]*\\}"), FuzzJson.value(random, 2));
            case 6:
                return duplicateEntry(random, header);
            case 7:
                return header.replaceFirst(
                        "\\{", "{\"__metadata__\":" + FuzzJson.value(random, 2) + ",");
            case 8:
                return FuzzJson.edit(random, header);
            case 9:
                return header + " ".repeat(random.nextInt(9)) + (random.nextBoolean() ? "" : "x");
            case 10:
                return FuzzJson.nested(random, 1 + random.nextInt(60), "{}");
            default:
                return swapOffsets(random, header);
        }
    }

    /** Another copy of a tensor's entry, under a new name or under its own (a duplicate key). */
    private static String duplicateEntry(Random random, String header) {
        var m = Pattern.compile("(\"[^\"]*\"):(\\{[^{}]*\\})").matcher(header);
        if (!m.find()) {
            return header;
        }
        String name = random.nextBoolean() ? m.group(1) : "\"copy\"";
        return header.replaceFirst(
                "\\{", "{" + name + ":" + Matcher.quoteReplacement(m.group(2)) + ",");
    }

    /** Two tensors' data_offsets exchanged (same sizes decode; different sizes must not). */
    private static String swapOffsets(Random random, String header) {
        Pattern offsets = Pattern.compile("\"data_offsets\":\\[[^\\]]*\\]");
        var m = offsets.matcher(header);
        List<int[]> found = new ArrayList<>();
        while (m.find()) {
            found.add(new int[] {m.start(), m.end()});
        }
        if (found.size() < 2) {
            return header;
        }
        int[] a = found.get(random.nextInt(found.size()));
        int[] b = found.get(random.nextInt(found.size()));
        if (a[0] > b[0]) {
            int[] t = a;
            a = b;
            b = t;
        }
        if (a == b || a[0] == b[0]) {
            return header;
        }
        return header.substring(0, a[0])
                + header.substring(b[0], b[1])
                + header.substring(a[1], b[0])
                + header.substring(a[0], a[1])
                + header.substring(b[1]);
    }

    private static long headerLength(byte[] bytes) {
        if (bytes.length < 8) {
            return -1;
        }
        return ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static byte[] withPrefix(byte[] bytes, long prefix) {
        byte[] copy = bytes.length >= 8 ? bytes.clone() : Arrays.copyOf(bytes, 8);
        ByteBuffer.wrap(copy, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(prefix);
        return copy;
    }
}
