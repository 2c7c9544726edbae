package io.motdjl.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Writing never replaces what is not a regular file, and a failure leaves the old file. */
@EnabledOnOs(OS.LINUX)
class AtomicFilesTest {

    private static final byte[] NEW = "new content\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OLD = "old content\n".getBytes(StandardCharsets.UTF_8);

    @TempDir Path tmp;

    @Test
    void aRegularFileIsReplacedAndNoTemporaryFileIsLeft() throws IOException {
        Path file = Files.write(tmp.resolve("out.bin"), OLD);
        AtomicFiles.write(file, os -> os.write(NEW));
        assertArrayEquals(NEW, Files.readAllBytes(file));
        assertEquals(List.of(file), list(tmp));
    }

    @Test
    void missingDirectoriesOfAPlainPathAreCreated() throws IOException {
        Path file = tmp.resolve("a/b/out.bin");
        AtomicFiles.write(file, os -> os.write(NEW));
        assertArrayEquals(NEW, Files.readAllBytes(file));
    }

    @Test
    void aSymlinkStaysALinkAndItsTargetGetsTheContent() throws IOException {
        Path target = Files.write(tmp.resolve("target.bin"), OLD);
        Path link = Files.createSymbolicLink(tmp.resolve("link.bin"), Paths.get("target.bin"));
        Path linkToLink = Files.createSymbolicLink(tmp.resolve("link2.bin"), link);

        AtomicFiles.write(linkToLink, os -> os.write(NEW));

        assertTrue(Files.isSymbolicLink(link));
        assertTrue(Files.isSymbolicLink(linkToLink));
        assertEquals(Paths.get("target.bin"), Files.readSymbolicLink(link));
        assertArrayEquals(NEW, Files.readAllBytes(target));
        assertEquals(List.of(link, linkToLink, target), list(tmp), "no temporary file left");
    }

    @Test
    void aDanglingSymlinkCreatesTheFileItNames() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("dir"));
        Path link = Files.createSymbolicLink(tmp.resolve("link.bin"), dir.resolve("made.bin"));
        AtomicFiles.write(link, os -> os.write(NEW));
        assertTrue(Files.isSymbolicLink(link));
        assertArrayEquals(NEW, Files.readAllBytes(dir.resolve("made.bin")));
    }

    @Test
    void aDanglingSymlinkIntoAMissingDirectoryIsAnError() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("link.bin"), tmp.resolve("none/made.bin"));
        NoSuchFileException e =
                assertThrows(
                        NoSuchFileException.class,
                        () -> AtomicFiles.write(link, os -> os.write(NEW)));
        assertTrue(e.getMessage().contains("dangling symlink"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("none")), "the link's directory is not created");
    }

    @Test
    void aSymlinkLoopIsAClearError() throws IOException {
        Path a = tmp.resolve("a");
        Path b = Files.createSymbolicLink(tmp.resolve("b"), a);
        Files.createSymbolicLink(a, b);
        FileSystemException e =
                assertThrows(
                        FileSystemException.class, () -> AtomicFiles.write(a, os -> os.write(NEW)));
        assertTrue(e.getMessage().contains("symlink loop"), e.getMessage());
        assertEquals(b, Files.readSymbolicLink(a));
        assertEquals(a, Files.readSymbolicLink(b));
    }

    @Test
    void aDirectoryIsAnErrorAndStaysUntouched() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("out.bin"));
        Path inside = Files.write(dir.resolve("keep.txt"), OLD);
        FileSystemException e =
                assertThrows(
                        FileSystemException.class,
                        () -> AtomicFiles.write(dir, os -> os.write(NEW)));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
        assertEquals(List.of(inside), list(dir));
        assertArrayEquals(OLD, Files.readAllBytes(inside));
        assertEquals(List.of(dir), list(tmp), "no temporary file beside it");
    }

    @Test
    void aSymlinkToADirectoryIsAnError() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("dir"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), dir);
        FileSystemException e =
                assertThrows(
                        FileSystemException.class,
                        () -> AtomicFiles.write(link, os -> os.write(NEW)));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void aFailureWhileWritingLeavesTheOldFile() throws IOException {
        Path file = Files.write(tmp.resolve("out.bin"), OLD);
        IOException e =
                assertThrows(
                        IOException.class,
                        () ->
                                AtomicFiles.write(
                                        file,
                                        os -> {
                                            os.write(NEW);
                                            throw new IOException("disk full");
                                        }));
        assertEquals("disk full", e.getMessage());
        assertArrayEquals(OLD, Files.readAllBytes(file));
        assertEquals(List.of(file), list(tmp), "the temporary file is deleted");
    }

    @Test
    void devNullStaysACharacterDevice() throws IOException {
        Path devNull = Paths.get("/dev/null");
        assumeTrue(FileKind.of(devNull) == FileKind.CHARACTER_DEVICE, "/dev/null is a device");
        Path link = Files.createSymbolicLink(tmp.resolve("null-link"), devNull);

        AtomicFiles.write(devNull, os -> os.write(NEW));
        AtomicFiles.write(link, os -> os.write(NEW));

        assertEquals(FileKind.CHARACTER_DEVICE, FileKind.of(devNull));
        assertFalse(Files.isRegularFile(devNull));
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(List.of(link), list(tmp));
    }

    @Test
    void aFifoReceivesTheBytesAndStaysAFifo() throws Exception {
        Path fifo = mkfifo(tmp.resolve("pipe"));
        byte[] content = new byte[300_000]; // more than a pipe's buffer: the reader must drain it
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        assertTimeoutPreemptively(
                Duration.ofSeconds(60),
                () -> {
                    CompletableFuture<byte[]> read =
                            CompletableFuture.supplyAsync(() -> readAll(fifo));
                    AtomicFiles.write(fifo, os -> os.write(content));
                    assertArrayEquals(content, read.get(30, TimeUnit.SECONDS));
                });
        assertEquals(FileKind.FIFO, FileKind.of(fifo));
        assertEquals(List.of(fifo), list(tmp), "no temporary file, no rename");
    }

    @Test
    void filesWrittenTogetherMustBeRegularFiles() throws Exception {
        Path fifo = mkfifo(tmp.resolve("pipe"));
        FileSystemException e =
                assertThrows(
                        FileSystemException.class,
                        () -> AtomicFiles.prepare(fifo, os -> os.write(NEW)));
        assertTrue(e.getMessage().contains("is a FIFO"), e.getMessage());
        assertEquals(List.of(fifo), list(tmp));
    }

    @Test
    void commitRefusesWhatAppearedInTheMeantime() throws Exception {
        Path target = tmp.resolve("out.bin");
        Path prepared = AtomicFiles.prepare(target, os -> os.write(NEW));
        mkfifo(target);
        FileSystemException e =
                assertThrows(FileSystemException.class, () -> AtomicFiles.commit(prepared, target));
        assertTrue(e.getMessage().contains("not replacing it"), e.getMessage());
        assertEquals(FileKind.FIFO, FileKind.of(target));
        Files.delete(prepared);
    }

    /** Makes a FIFO with mkfifo(1); the test is skipped where there is none. */
    static Path mkfifo(Path path) throws IOException, InterruptedException {
        Process process;
        try {
            process =
                    new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "mkfifo is not available: " + e.getMessage());
            throw e;
        }
        assumeTrue(process.waitFor(30, TimeUnit.SECONDS), "mkfifo did not finish");
        assumeTrue(process.exitValue() == 0, "mkfifo failed");
        return path;
    }

    private static byte[] readAll(Path fifo) {
        try (InputStream in = Files.newInputStream(fifo)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
