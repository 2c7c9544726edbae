package io.motdjl.spark;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a caption file: UTF-8, one caption a line, blank lines skipped, long lines refused. */
public final class CaptionFile {

    /** The longest caption accepted, in characters. */
    public static final int MAX_CHARS = 200;

    private CaptionFile() {}

    /**
     * The captions of a file, trimmed, in file order.
     *
     * @param file the file
     * @return at least one caption
     * @throws InputException if the file is missing or unreadable, holds no caption, or a line is
     *     longer than {@link #MAX_CHARS} (the message names the line)
     */
    public static List<String> read(Path file) throws InputException {
        return read(file, Integer.MAX_VALUE);
    }

    /**
     * The captions of a file, as {@link #read(Path)}, each also at most {@code maxBytes} UTF-8
     * bytes (what the model fits, {@link CaptionLimit}).
     *
     * @throws InputException as {@link #read(Path)} does, or naming the first line over the limit
     */
    public static List<String> read(Path file, int maxBytes) throws InputException {
        if (!Files.isRegularFile(file)) {
            throw InputException.badInput("input file not found: " + file);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw InputException.badInput("input file is not UTF-8 text: " + file);
        } catch (IOException e) {
            throw InputException.badInput("cannot read input file " + file + ": " + e);
        }
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String caption = lines.get(i).strip();
            if (caption.isEmpty()) {
                continue;
            }
            if (caption.length() > MAX_CHARS) {
                throw InputException.badInput(
                        file
                                + ":"
                                + (i + 1)
                                + ": caption of "
                                + caption.length()
                                + " characters, longer than "
                                + MAX_CHARS);
            }
            int bytes = caption.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxBytes) {
                throw InputException.badInput(
                        file
                                + ":"
                                + (i + 1)
                                + ": caption of "
                                + bytes
                                + " bytes, but the model fits captions of at most "
                                + maxBytes
                                + " bytes (with the image it draws for them)");
            }
            captions.add(caption);
        }
        if (captions.isEmpty()) {
            throw InputException.badInput("no captions in " + file);
        }
        return captions;
    }
}
