package io.motdjl.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks and makes the output directory before Spark starts, so a bad path fails fast. */
public final class OutputDirectory {

    private OutputDirectory() {}

    /**
     * Makes the directory and its images folder; an existing directory is reused (files of the same
     * names are replaced).
     *
     * @param dir the output directory
     * @return its absolute path
     * @throws InputException if the path exists and is not a directory, or cannot be made
     */
    public static Path prepare(Path dir) throws InputException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw InputException.badInput("output path exists and is not a directory: " + dir);
        }
        try {
            Files.createDirectories(dir.resolve(PartitionInference.IMAGES));
        } catch (IOException e) {
            throw InputException.badInput("cannot make output directory " + dir + ": " + e);
        }
        return dir.toAbsolutePath().normalize();
    }
}
