package io.motdjl.examples;

import io.motdjl.io.AtomicFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference cases bundled with the examples as classpath resources: each one a checkpoint
 * ({@code config.json}, {@code model.safetensors}), an input and the output an independent PyTorch
 * implementation computed for it. The library reads {@link Path}s, and resources may sit inside a
 * jar, so a case is copied out to a directory before use.
 */
public final class ReferenceCases {

    /** Where the cases live on the class path. */
    public static final String RESOURCE_ROOT = "/io/motdjl/examples/reference/";

    public static final String CONFIG = "config.json";
    public static final String MODEL = "model.safetensors";
    public static final String INPUT = "input.safetensors";
    public static final String EXPECTED = "expected.safetensors";

    /** The files of every case, all required. */
    public static final List<String> FILES = List.of(CONFIG, MODEL, INPUT, EXPECTED);

    // Class path directories cannot be listed inside a jar, hence an index file.
    private static final String INDEX = "cases.txt";

    private ReferenceCases() {}

    /**
     * The names of the bundled cases, in index order.
     *
     * @return the case names
     * @throws IOException if the index cannot be read
     */
    public static List<String> names() throws IOException {
        List<String> names = new ArrayList<>();
        InputStream index = open(RESOURCE_ROOT + INDEX);
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(index, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                String name = line.strip();
                if (!name.isEmpty() && !name.startsWith("#")) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /**
     * Copies one case's files into {@code parent/name}.
     *
     * @param name the case name, one of {@link #names()}
     * @param parent the directory to copy into (created if needed)
     * @return the case's directory, holding every file of {@link #FILES}
     * @throws IOException if the case is unknown or copying fails
     */
    public static Path extract(String name, Path parent) throws IOException {
        if (!names().contains(name)) {
            throw new IOException("no bundled reference case named '" + name + "'");
        }
        Path dir = Files.createDirectories(parent.resolve(name));
        for (String file : FILES) {
            try (InputStream in = open(RESOURCE_ROOT + name + "/" + file)) {
                AtomicFiles.write(dir.resolve(file), in::transferTo);
            }
        }
        return dir;
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = ReferenceCases.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("missing class path resource " + resource);
        }
        return in;
    }
}
