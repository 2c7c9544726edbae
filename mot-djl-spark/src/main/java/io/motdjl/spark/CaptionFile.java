package io.motdjl.spark;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A caption file, read once: UTF-8, one caption a line, blank lines skipped, long lines refused. It
 * keeps each caption's line number, so a later check against the model ({@link #requireFits}) can
 * name the line without reading the file again.
 */
public final class CaptionFile {

    /** The longest caption accepted, in characters. */
    public static final int MAX_CHARS = 200;

    private final Path file;
    private final List<String> captions;
    private final List<Integer> lines;

    private CaptionFile(Path file, List<String> captions, List<Integer> lines) {
        this.file = file;
        this.captions = List.copyOf(captions);
        this.lines = List.copyOf(lines);
    }

    /**
     * Reads a file.
     *
     * @param file the file
     * @return its captions, at least one
     * @throws InputException if the file is missing or unreadable, holds no caption, or a line is
     *     longer than {@link #MAX_CHARS} (the message names the line)
     */
    public static CaptionFile read(Path file) throws InputException {
        if (!Files.isRegularFile(file)) {
            throw InputException.badInput("input file not found: " + file);
        }
        List<String> text;
        try {
            text = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw InputException.badInput("input file is not UTF-8 text: " + file);
        } catch (IOException e) {
            throw InputException.badInput("cannot read input file " + file + ": " + e);
        }
        List<String> captions = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        for (int i = 0; i < text.size(); i++) {
            String caption = text.get(i).strip();
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
            captions.add(caption);
            lines.add(i + 1);
        }
        if (captions.isEmpty()) {
            throw InputException.badInput("no captions in " + file);
        }
        return new CaptionFile(file, captions, lines);
    }

    /** The captions, trimmed, in file order. */
    public List<String> captions() {
        return captions;
    }

    /**
     * Checks that every caption is at most {@code maxBytes} UTF-8 bytes (what the model fits,
     * {@link CaptionLimit}).
     *
     * @param maxBytes the longest caption the model fits
     * @return this file
     * @throws InputException naming the first line over the limit
     */
    public CaptionFile requireFits(int maxBytes) throws InputException {
        for (int i = 0; i < captions.size(); i++) {
            int bytes = captions.get(i).getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxBytes) {
                throw InputException.badInput(
                        file
                                + ":"
                                + lines.get(i)
                                + ": caption of "
                                + bytes
                                + " bytes, but the model fits captions of at most "
                                + maxBytes
                                + " bytes (with the image it draws for them)");
            }
        }
        return this;
    }
}
