package io.motdjl.examples.cli;

import io.motdjl.io.FileKind;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Checks of the paths a command line names, made before the engine starts so that common mistakes
 * fail fast, and saying what is there instead ("is a symlink loop") rather than "not found".
 */
final class PathChecks {

    private PathChecks() {}

    /**
     * Requires {@code path} to be a directory (after following symbolic links).
     *
     * @param path the path given
     * @param what what it should be, for the message, e.g. {@code "checkpoint directory"}
     * @throws BadInputException saying what the path is instead
     * @throws IOException if the file system cannot be asked
     */
    static void requireDirectory(Path path, String what) throws IOException {
        require(path, what, FileKind.DIRECTORY);
    }

    /**
     * Requires {@code path} to be a regular file (after following symbolic links).
     *
     * @param path the path given
     * @param what what it should be, for the message, e.g. {@code "input file"}
     * @throws BadInputException saying what the path is instead
     * @throws IOException if the file system cannot be asked
     */
    static void requireFile(Path path, String what) throws IOException {
        require(path, what, FileKind.REGULAR_FILE);
    }

    /**
     * Requires {@code path} to be something a file can be written to: nothing yet, a regular file,
     * a link to one of these, or a device or FIFO (written directly); not a directory or a symlink
     * loop.
     *
     * @param path the path given
     * @param what what it is, for the message, e.g. {@code "output"}
     * @throws BadInputException saying what the path is instead
     * @throws IOException if the file system cannot be asked
     */
    static void requireWritable(Path path, String what) throws IOException {
        FileKind kind = FileKind.of(path);
        if (kind == FileKind.DIRECTORY || kind == FileKind.SYMLINK_LOOP) {
            throw new BadInputException(
                    what + " " + path + " is " + kind.description() + ", not a file");
        }
    }

    private static void require(Path path, String what, FileKind expected) throws IOException {
        FileKind kind = FileKind.of(path);
        if (kind == expected) {
            return;
        }
        if (kind == FileKind.MISSING) {
            throw new BadInputException(what + " not found: " + path);
        }
        throw new BadInputException(
                what
                        + " "
                        + path
                        + " is "
                        + kind.description()
                        + ", not "
                        + expected.description());
    }
}
