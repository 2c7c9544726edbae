package io.motdjl.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Whether a file a checkpoint may have is there, telling "absent" apart from "something else is
 * there" (a directory, a symlink loop, a dangling link, a device), which a loader must report as
 * what it is rather than as missing.
 */
public final class CheckpointFiles {

    private CheckpointFiles() {}

    /**
     * Whether {@code file} is a regular file (following symbolic links), false when nothing is
     * there.
     *
     * @param file a file of a checkpoint directory
     * @return true for a regular file, false when it is missing
     * @throws IOException if the file system cannot be asked
     * @throws CheckpointException if something other than a regular file is there, e.g. {@code
     *     "<dir>/model.safetensors is a directory, not a regular file"}
     */
    public static boolean isPresent(Path file) throws IOException {
        FileKind kind = FileKind.of(file);
        if (kind == FileKind.REGULAR_FILE || kind == FileKind.MISSING) {
            return kind == FileKind.REGULAR_FILE;
        }
        throw new CheckpointException(
                file
                        + " is "
                        + kind.description()
                        + (kind == FileKind.DANGLING_SYMLINK
                                ? " (to " + FileKind.followLinks(file) + ")"
                                : "")
                        + ", not a regular file");
    }
}
