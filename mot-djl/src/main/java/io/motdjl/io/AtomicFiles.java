package io.motdjl.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes user-named files without ever replacing what is not a regular file. Symbolic links are
 * followed to the path they finally name (a dangling link names a file to create, a loop is an
 * error). A regular file, or nothing, there is written atomically: the bytes go to a hidden
 * temporary file beside it, are synced, and are renamed over it, so readers see the old file or the
 * complete new one and a failure leaves the old one intact. A device, FIFO or socket is written
 * directly, never deleted or replaced ({@code --output /dev/null}). A directory is an error.
 */
public final class AtomicFiles {

    private static final int BUFFER_BYTES = 1 << 16;

    /** Writes a file's content. */
    @FunctionalInterface
    public interface Content {
        /**
         * Writes the content.
         *
         * @param os where it goes; the caller flushes and closes it
         * @throws IOException if writing fails
         */
        void writeTo(OutputStream os) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Writes {@code target} as the class describes.
     *
     * @param target the file to write, or a symbolic link to it, or a device or FIFO
     * @param content what to write
     * @throws IOException if writing fails; {@code target} is then as it was (a device or FIFO may
     *     have received part of the bytes)
     * @throws FileSystemException if {@code target} is a directory or a symlink loop
     */
    public static void write(Path target, Content content) throws IOException {
        Path resolved = destination(target);
        if (FileKind.ofResolved(resolved).isSpecial()) {
            writeDirectly(resolved, content);
            return;
        }
        Path tmp = prepareBeside(target, resolved, content);
        try {
            renameOver(tmp, target, resolved);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes {@code content} to a synced temporary file beside the file {@code target} names and
     * returns it; the caller {@link #commit commits} or deletes it. For files written together, so
     * they must be regular files (or not exist yet). On failure the temporary file is deleted.
     *
     * @throws FileSystemException if {@code target} names a directory, device, FIFO or symlink loop
     */
    static Path prepare(Path target, Content content) throws IOException {
        Path resolved = destination(target);
        FileKind kind = FileKind.ofResolved(resolved);
        if (kind.isSpecial()) {
            throw notReplaceable(
                    target, resolved, kind, "files written together must be regular files");
        }
        return prepareBeside(target, resolved, content);
    }

    /** Renames a file {@link #prepare prepared} for {@code target} over the file it names. */
    static void commit(Path tmp, Path target) throws IOException {
        renameOver(tmp, target, destination(target));
    }

    /**
     * The path {@code target} finally names, checked to be writable: not a directory, and for a
     * dangling link, in an existing directory. A plain path's missing directories are created.
     */
    private static Path destination(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path resolved = FileKind.followLinks(absolute);
        FileKind kind = FileKind.ofResolved(resolved);
        if (kind == FileKind.DIRECTORY) {
            throw new FileSystemException(
                    target.toString(),
                    resolved.equals(absolute) ? null : resolved.toString(),
                    "is a directory; expected a file to write");
        }
        if (kind == FileKind.MISSING) {
            Path dir = resolved.getParent();
            if (resolved.equals(absolute)) {
                Files.createDirectories(dir);
            } else if (!Files.isDirectory(dir)) {
                throw new NoSuchFileException(
                        target.toString(),
                        resolved.toString(),
                        "a dangling symlink whose target directory does not exist");
            }
        }
        return resolved;
    }

    private static Path prepareBeside(Path target, Path resolved, Content content)
            throws IOException {
        // a plain new file (not createTempFile) so that the result gets the usual permissions
        Path tmp =
                resolved.resolveSibling(
                        "." + resolved.getFileName() + "." + UUID.randomUUID() + ".tmp");
        boolean done = false;
        try (FileChannel channel =
                FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream os =
                    new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES);
            content.writeTo(os);
            os.flush();
            channel.force(true);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
        return tmp;
    }

    /**
     * Renames {@code tmp} over {@code resolved}, checking once more, just before, that nothing but
     * a regular file would be replaced.
     */
    private static void renameOver(Path tmp, Path target, Path resolved) throws IOException {
        FileKind kind = FileKind.ofResolved(resolved);
        if (kind != FileKind.REGULAR_FILE && kind != FileKind.MISSING) {
            throw notReplaceable(target, resolved, kind, "not replacing it");
        }
        try {
            Files.move(tmp, resolved, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, resolved, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Writes into an existing device or FIFO: no temporary file, no rename, no truncation. */
    private static void writeDirectly(Path resolved, Content content) throws IOException {
        try (OutputStream os =
                new BufferedOutputStream(
                        Files.newOutputStream(resolved, StandardOpenOption.WRITE), BUFFER_BYTES)) {
            content.writeTo(os);
        }
    }

    private static FileSystemException notReplaceable(
            Path target, Path resolved, FileKind kind, String why) {
        return new FileSystemException(
                target.toString(),
                resolved.equals(target.toAbsolutePath()) ? null : resolved.toString(),
                "is " + kind.description() + "; " + why);
    }
}
