package io.motdjl;

import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Random JSON and JSON-like text for the fuzzers: values that are legal JSON but wrong for the
 * schema (huge, negative, fractional numbers; other types; deep nesting), and edits of JSON text
 * that break it (tokens inserted, removed, flipped, cut).
 */
public final class FuzzJson {

    /** Numbers at the edges of every range a reader might convert to. */
    public static final List<String> NUMBERS =
            List.of(
                    "0",
                    "-0",
                    "1",
                    "-1",
                    "2",
                    "3",
                    "7",
                    "8",
                    "12",
                    "16",
                    "64",
                    "1.5",
                    "2.0",
                    "2e0",
                    "1E1",
                    "0.1",
                    "-2.5e-3",
                    "1e-400",
                    "1e400",
                    "-1e400",
                    "2147483647",
                    "2147483648",
                    "-2147483648",
                    "-2147483649",
                    "4294967296",
                    "4294967298",
                    "1073741826",
                    "1073741832",
                    "9007199254740993",
                    "9223372036854775807",
                    "9223372036854775808",
                    "-9223372036854775809",
                    "18446744073709551616",
                    "18446744073709551621",
                    "123456789012345678901234567890",
                    "1e999999999",
                    "1e-999999999",
                    "1E2147483647",
                    "1e2147483648",
                    "1e-2147483649",
                    "0.0000000000000000000000000000001e31",
                    "2.0000000000000000000001");

    /** Strings a reader might treat specially. */
    public static final List<String> STRINGS =
            List.of(
                    "",
                    "F32",
                    "F64",
                    "F16",
                    "BF16",
                    "I64",
                    "I32",
                    "I16",
                    "I8",
                    "U8",
                    "U16",
                    "BOOL",
                    "F8_E4M3",
                    "f32",
                    "post",
                    "pre",
                    "interleaved",
                    "half",
                    "__metadata__",
                    "dtype",
                    "shape",
                    "data_offsets",
                    "\\u0000",
                    "\\ud800",
                    "é",
                    "\\\"",
                    "x".repeat(300));

    private static final List<String> TOKENS =
            List.of(
                    "{",
                    "}",
                    "[",
                    "]",
                    ",",
                    ":",
                    "\"",
                    "null",
                    "true",
                    "false",
                    "-",
                    "e",
                    ".",
                    "NaN",
                    "Infinity",
                    "//",
                    "/*",
                    "'",
                    "\\",
                    " ",
                    "\n",
                    "\u0000",
                    "\uFFFF",
                    "9",
                    "0x1F",
                    "+1",
                    "01");

    private static final Pattern NUMBER = Pattern.compile("-?[0-9][0-9.eE+-]*");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");

    private FuzzJson() {}

    /** A random JSON value, nested at most {@code depth} deep. */
    public static String value(Random random, int depth) {
        int kind = random.nextInt(depth > 0 ? 8 : 5);
        switch (kind) {
            case 0:
            case 1:
                return pick(random, NUMBERS);
            case 2:
                return "\"" + pick(random, STRINGS) + "\"";
            case 3:
                return random.nextBoolean() ? "true" : "false";
            case 4:
                return "null";
            case 5:
            case 6:
                StringBuilder a = new StringBuilder("[");
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    a.append(i > 0 ? "," : "").append(value(random, depth - 1));
                }
                return a.append("]").toString();
            default:
                StringBuilder o = new StringBuilder("{");
                int m = random.nextInt(3);
                for (int i = 0; i < m; i++) {
                    o.append(i > 0 ? "," : "")
                            .append("\"")
                            .append(pick(random, STRINGS))
                            .append("\":")
                            .append(value(random, depth - 1));
                }
                return o.append("}").toString();
        }
    }

    /** An array of integers, some of them out of every range. */
    public static String integers(Random random) {
        StringBuilder s = new StringBuilder("[");
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
            s.append(i > 0 ? "," : "");
            s.append(random.nextInt(3) == 0 ? pick(random, NUMBERS) : random.nextInt(20));
        }
        return s.append("]").toString();
    }

    /** {@code inner} wrapped in {@code depth} arrays or objects. */
    public static String nested(Random random, int depth, String inner) {
        boolean arrays = random.nextBoolean();
        StringBuilder s = new StringBuilder(depth * 6 + inner.length());
        for (int i = 0; i < depth; i++) {
            s.append(arrays ? "[" : "{\"k\":");
        }
        s.append(inner);
        for (int i = 0; i < depth; i++) {
            s.append(arrays ? "]" : "}");
        }
        return s.toString();
    }

    /** Text made of JSON tokens and fragments in random order: mostly not JSON at all. */
    public static String noise(Random random) {
        StringBuilder s = new StringBuilder();
        int n = 1 + random.nextInt(30);
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(4);
            s.append(
                    kind == 0
                            ? pick(random, NUMBERS)
                            : kind == 1
                                    ? "\"" + pick(random, STRINGS) + "\""
                                    : pick(random, TOKENS));
        }
        return s.toString();
    }

    /** One random edit of JSON text: a number or string replaced, or a token inserted or cut. */
    public static String edit(Random random, String text) {
        switch (random.nextInt(7)) {
            case 0:
                return replaceOne(random, text, NUMBER, pick(random, NUMBERS));
            case 1:
                return replaceOne(random, text, STRING, "\"" + pick(random, STRINGS) + "\"");
            case 2:
                return replaceOne(random, text, NUMBER, value(random, 2));
            case 3:
                {
                    int at = random.nextInt(text.length() + 1);
                    return text.substring(0, at) + pick(random, TOKENS) + text.substring(at);
                }
            case 4:
                {
                    if (text.isEmpty()) {
                        return text;
                    }
                    int at = random.nextInt(text.length());
                    int end = Math.min(text.length(), at + 1 + random.nextInt(8));
                    return text.substring(0, at) + text.substring(end);
                }
            case 5:
                return text.substring(0, random.nextInt(text.length() + 1));
            default:
                {
                    if (text.isEmpty()) {
                        return text;
                    }
                    char[] chars = text.toCharArray();
                    int at = random.nextInt(chars.length);
                    chars[at] = (char) (chars[at] ^ (1 << random.nextInt(7)));
                    return new String(chars);
                }
        }
    }

    /** {@code text} with one random match of {@code pattern} replaced by {@code replacement}. */
    public static String replaceOne(
            Random random, String text, Pattern pattern, String replacement) {
        Matcher m = pattern.matcher(text);
        int count = 0;
        while (m.find()) {
            count++;
        }
        if (count == 0) {
            return text;
        }
        int chosen = random.nextInt(count);
        m.reset();
        for (int i = 0; i <= chosen; i++) {
            m.find();
        }
        return text.substring(0, m.start()) + replacement + text.substring(m.end());
    }

    /** A random element. */
    public static <E> E pick(Random random, List<E> list) {
        return list.get(random.nextInt(list.size()));
    }
}
