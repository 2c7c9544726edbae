package io.motdjl.spark;

import com.google.gson.JsonObject;

import io.motdjl.io.AtomicFiles;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the results as JSON lines, one object per caption in index order: {@code index}, {@code
 * caption}, {@code score}, {@code image}. The driver writes one file after {@code collect} rather
 * than Spark's {@code write().json(dir)}: the rows are tiny (the images are files already), and one
 * ordered file is easier to read than a folder of part files.
 */
public final class ResultsFile {

    /** The file's name in the output directory. */
    public static final String NAME = "results.jsonl";

    private ResultsFile() {}

    /**
     * Writes the results.
     *
     * @param dir the output directory
     * @param results the rows, in the order to write
     * @return the file written
     * @throws IOException if the file cannot be written
     */
    public static Path write(Path dir, List<CaptionResult> results) throws IOException {
        Path file = dir.resolve(NAME);
        // atomic: a failed write leaves an older results file whole; never replaces a directory
        AtomicFiles.write(
                file,
                os -> {
                    Writer w =
                            new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8));
                    for (CaptionResult r : results) {
                        JsonObject o = new JsonObject();
                        o.addProperty("index", r.getIndex());
                        o.addProperty("caption", r.getCaption());
                        o.addProperty("score", r.getScore());
                        o.addProperty("image", r.getImage());
                        w.write(o.toString());
                        w.write('\n');
                    }
                    w.flush();
                });
        return file;
    }
}
