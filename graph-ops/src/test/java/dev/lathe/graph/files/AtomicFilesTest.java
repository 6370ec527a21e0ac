package dev.lathe.graph.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    /** The permissions a new file gets under this process's umask, learned from a file made the plain way. */
    private Set<PosixFilePermission> umaskPermissions() throws IOException {
        Path probe = Files.createFile(dir.resolve("probe"));
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(probe);
        Files.delete(probe);
        return p;
    }

    @Test
    void newFilesGetTheUmaskPermissionsNotTempFilePermissions() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "needs a POSIX file system");
        Set<PosixFilePermission> expected = umaskPermissions();
        assumeTrue(expected.contains(PosixFilePermission.GROUP_READ) || expected.contains(PosixFilePermission.OTHERS_READ),
                "umask is 077: 0600 is then the right answer and the test proves nothing");
        Path out = dir.resolve("o.bin");
        AtomicFiles.write(out, tmp -> Files.writeString(tmp, "x"));
        assertEquals(expected, Files.getPosixFilePermissions(out));
        assertEquals("x", Files.readString(out));
    }

    @Test
    void overwritingKeepsTheExistingFilesPermissions() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "needs a POSIX file system");
        Path out = dir.resolve("o.bin");
        Files.writeString(out, "old");
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-rw----"));
        AtomicFiles.write(out, tmp -> Files.writeString(tmp, "new"));
        assertEquals(PosixFilePermissions.fromString("rw-rw----"), Files.getPosixFilePermissions(out));
        assertEquals("new", Files.readString(out));
    }

    @Test
    void aReadOnlyFolderNamesTheUsersFileAndTheReason() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "needs a POSIX file system");
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(ro, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_EXECUTE));
        try {
            assumeTrue(!Files.isWritable(ro), "running as root: a read-only folder is writable");
            Path out = Path.of(ro.toString(), "o.onnx");
            OutputFileException e = assertThrows(OutputFileException.class,
                    () -> AtomicFiles.write(out, tmp -> Files.writeString(tmp, "x")));
            assertEquals("cannot write " + out + ": permission denied", e.getMessage());
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void aFolderWhereAFileIsNeededAndAMissingFolderAreNamed() throws IOException {
        Files.createDirectory(dir.resolve("sub"));
        OutputFileException folder = assertThrows(OutputFileException.class,
                () -> AtomicFiles.write(dir.resolve("sub"), tmp -> Files.writeString(tmp, "x")));
        assertTrue(folder.getMessage().endsWith("sub: it is a folder; give a file name"), folder.getMessage());
        Path missing = dir.resolve("nope").resolve("o.onnx");
        OutputFileException gone = assertThrows(OutputFileException.class,
                () -> AtomicFiles.write(missing, tmp -> Files.writeString(tmp, "x")));
        assertEquals("cannot write " + missing + ": " + missing.getParent() + " does not exist (create the folder first)",
                gone.getMessage());
        assertFalse(Files.exists(dir.resolve("nope")), "no folder is created");
        Files.writeString(dir.resolve("file"), "x");
        OutputFileException notFolder = assertThrows(OutputFileException.class,
                () -> AtomicFiles.write(dir.resolve("file").resolve("o.onnx"), tmp -> Files.writeString(tmp, "x")));
        assertTrue(notFolder.getMessage().endsWith("file is a file, not a folder"), notFolder.getMessage());
    }

    @Test
    void aFailedBodyLeavesNoTemporaryFileAndNamesTheTarget() throws IOException {
        Path out = dir.resolve("o.bin");
        OutputFileException e = assertThrows(OutputFileException.class, () -> AtomicFiles.write(out, tmp -> {
            throw new java.nio.file.FileSystemException(tmp.toString(), null, "No space left on device");
        }));
        assertEquals("cannot write " + out + ": no space left on device", e.getMessage());
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "the temporary file was deleted");
        }
        assertFalse(new String(e.getMessage().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).contains(".tmp"));
    }
}
