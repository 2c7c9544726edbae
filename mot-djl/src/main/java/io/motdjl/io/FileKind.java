package io.motdjl.io;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a path names once its symbolic links are followed, so that writers and loaders can say "is a
 * directory" or "symlink loop" instead of a bare "not found", and never replace a device.
 */
public enum FileKind {
    /** Nothing is there. */
    MISSING("missing"),
    /** A symbolic link (possibly through others) to a path where nothing is. */
    DANGLING_SYMLINK("a dangling symlink"),
    /** A chain of symbolic links that never ends. */
    SYMLINK_LOOP("a symlink loop"),
    REGULAR_FILE("a regular file"),
    DIRECTORY("a directory"),
    CHARACTER_DEVICE("a character device"),
    BLOCK_DEVICE("a block device"),
    FIFO("a FIFO"),
    SOCKET("a socket"),
    /** Something else the file system holds. */
    OTHER("a special file");

    /** Links followed before giving up, as Linux does (MAXSYMLINKS). */
    static final int MAX_LINKS = 40;

    // the file type bits of st_mode (S_IFMT and its values)
    private static final int TYPE_MASK = 0170000;
    private static final int SOCKET_BITS = 0140000;
    private static final int BLOCK_BITS = 0060000;
    private static final int CHARACTER_BITS = 0020000;
    private static final int FIFO_BITS = 0010000;

    private final String description;

    FileKind(String description) {
        this.description = description;
    }

    /** The kind for messages, e.g. {@code "a directory"}. */
    public String description() {
        return description;
    }

    /** Whether something is there that is neither a regular file nor a directory (a device...). */
    public boolean isSpecial() {
        return this == CHARACTER_DEVICE
                || this == BLOCK_DEVICE
                || this == FIFO
                || this == SOCKET
                || this == OTHER;
    }

    /**
     * What {@code path} names, following symbolic links at its end; never throws for a loop or a
     * dangling link, which are kinds of their own.
     *
     * @param path any path
     * @return its kind
     * @throws IOException if the file system cannot be asked (e.g. a directory of the path is not
     *     searchable)
     */
    public static FileKind of(Path path) throws IOException {
        Path resolved;
        try {
            resolved = followLinks(path);
        } catch (SymlinkLoopException e) {
            return SYMLINK_LOOP;
        }
        FileKind kind = ofResolved(resolved);
        return kind == MISSING && Files.isSymbolicLink(path) ? DANGLING_SYMLINK : kind;
    }

    /**
     * Follows the symbolic links at the end of {@code path} (one after another) to the path they
     * finally name, which may not exist (a dangling link). The directories along the way are left
     * to the operating system.
     *
     * @param path any path
     * @return {@code path} itself when it is not a link, else the last link's target
     * @throws SymlinkLoopException if more than {@value #MAX_LINKS} links are met
     * @throws IOException if a link cannot be read
     */
    public static Path followLinks(Path path) throws IOException {
        Path current = path;
        for (int followed = 0; Files.isSymbolicLink(current); followed++) {
            if (followed == MAX_LINKS) {
                throw new SymlinkLoopException(path);
            }
            Path link = current.toAbsolutePath();
            current = link.getParent().resolve(Files.readSymbolicLink(link));
        }
        return current;
    }

    /** The kind of a path that is not a symbolic link (the result of {@link #followLinks}). */
    static FileKind ofResolved(Path path) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes =
                    Files.readAttributes(
                            path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return MISSING;
        }
        if (attributes.isRegularFile()) {
            return REGULAR_FILE;
        }
        if (attributes.isDirectory()) {
            return DIRECTORY;
        }
        if (attributes.isSymbolicLink()) {
            // replaced between followLinks and here; treat it as the loop it behaves like
            return SYMLINK_LOOP;
        }
        return special(path);
    }

    /** Tells devices, FIFOs and sockets apart by the mode bits, where the platform has them. */
    private static FileKind special(Path path) throws IOException {
        Object mode;
        try {
            mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return OTHER;
        }
        if (!(mode instanceof Integer bits)) {
            return OTHER;
        }
        return switch (bits & TYPE_MASK) {
            case CHARACTER_BITS -> CHARACTER_DEVICE;
            case BLOCK_BITS -> BLOCK_DEVICE;
            case FIFO_BITS -> FIFO;
            case SOCKET_BITS -> SOCKET;
            default -> OTHER;
        };
    }

    /** A chain of symbolic links longer than {@value #MAX_LINKS}: a loop, in practice. */
    public static final class SymlinkLoopException extends FileSystemException {

        private static final long serialVersionUID = 1L;

        SymlinkLoopException(Path path) {
            super(
                    path.toString(),
                    null,
                    "symlink loop (more than " + MAX_LINKS + " symbolic links to follow)");
        }
    }
}
