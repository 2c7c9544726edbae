package io.motdjl.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** What a path names, links followed, with loops and dangling links told apart. */
@EnabledOnOs(OS.LINUX)
class FileKindTest {

    @TempDir Path tmp;

    @Test
    void kindsOfPaths() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        Path dir = Files.createDirectory(tmp.resolve("dir"));
        assertEquals(FileKind.MISSING, FileKind.of(tmp.resolve("none")));
        assertEquals(FileKind.REGULAR_FILE, FileKind.of(file));
        assertEquals(FileKind.DIRECTORY, FileKind.of(dir));
        assertEquals(FileKind.FIFO, FileKind.of(AtomicFilesTest.mkfifo(tmp.resolve("fifo"))));
        assertEquals(FileKind.CHARACTER_DEVICE, FileKind.of(Paths.get("/dev/null")));
    }

    @Test
    void linksAreFollowed() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("dir"));
        Path toDir = Files.createSymbolicLink(tmp.resolve("to-dir"), Paths.get("dir"));
        Path toLink = Files.createSymbolicLink(tmp.resolve("to-link"), toDir);
        assertEquals(FileKind.DIRECTORY, FileKind.of(toLink));
        assertEquals(dir, FileKind.followLinks(toLink));
        Path dangling = Files.createSymbolicLink(tmp.resolve("dangling"), Paths.get("none"));
        assertEquals(FileKind.DANGLING_SYMLINK, FileKind.of(dangling));
        assertEquals(tmp.resolve("none"), FileKind.followLinks(dangling));
    }

    @Test
    void aLoopIsAKindOfItsOwn() throws Exception {
        Path self = tmp.resolve("self");
        Files.createSymbolicLink(self, Paths.get("self"));
        assertEquals(FileKind.SYMLINK_LOOP, FileKind.of(self));
        assertThrows(FileKind.SymlinkLoopException.class, () -> FileKind.followLinks(self));
    }
}
