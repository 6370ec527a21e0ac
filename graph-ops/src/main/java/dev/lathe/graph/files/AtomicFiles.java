package dev.lathe.graph.files;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The one place Lathe writes output files. A write goes to a temporary file in the target's folder, created with
 * {@link Files#createFile} and no permission attribute, so the operating system applies the user's umask (0644
 * typically) as for any new file; {@link Files#createTempFile} would make it 0600, and the rename would keep that.
 * Overwriting an existing file keeps that file's permissions. Temporary files and folders are registered with one
 * shutdown hook that deletes them when the process is interrupted (SIGINT, SIGTERM) before they were renamed.
 */
public final class AtomicFiles {
    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();
    private static volatile boolean hookInstalled;

    private AtomicFiles() {}

    /** Writes the content of one file, given the temporary path to fill. */
    @FunctionalInterface
    public interface Body {
        void writeTo(Path temp) throws IOException;
    }

    /** Writes {@code target} atomically: {@code body} fills a temporary file beside it, which is then renamed. */
    public static void write(Path target, Body body) throws IOException {
        Path tmp = tempBeside(target);
        try {
            body.writeTo(tmp);
            commit(tmp, target);
        } catch (OutputFileException e) {
            throw e;
        } catch (IOException e) {
            throw failure(target, e);
        } finally {
            discard(tmp);
        }
    }

    /**
     * A new empty temporary file in {@code target}'s folder with the umask's permissions (or those of the file it
     * will replace), deleted on interruption until {@link #commit} or {@link #discard}. The folder must exist.
     */
    public static Path tempBeside(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        checkWritable(target);
        Path dir = abs.getParent();
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current()
                    .nextLong() & Long.MAX_VALUE) + ".tmp");
            try {
                register(tmp);
                Files.createFile(tmp);
                copyPermissions(abs, tmp);
                return tmp;
            } catch (FileAlreadyExistsException e) {
                PENDING.remove(tmp);
                if (attempt > 100) {
                    throw failure(target, e);
                }
            } catch (IOException e) {
                PENDING.remove(tmp);
                throw failure(target, e);
            }
        }
    }

    /** Renames a filled temporary file over {@code target} (atomically where the file system can). */
    public static void commit(Path temp, Path target) throws IOException {
        try {
            try {
                Files.move(temp, target.toAbsolutePath(), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target.toAbsolutePath(), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw failure(target, e);
        } finally {
            PENDING.remove(temp);
        }
    }

    /** Deletes a temporary file that was not committed (a no-op after {@link #commit}). */
    public static void discard(Path temp) throws IOException {
        if (PENDING.remove(temp) || Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(temp);
        }
    }

    /** Deletes {@code path} (a file or a whole folder) if the process is interrupted before {@link #forget}. */
    public static void register(Path path) {
        installHook();
        PENDING.add(path);
    }

    /** Stops tracking {@code path}: the caller keeps it or has deleted it. */
    public static void forget(Path path) {
        PENDING.remove(path);
    }

    /**
     * Checks that {@code target} can be a file: not an existing folder, and in a folder that exists. Messages name
     * the path as the user gave it: {@code cannot write out/m.onnx: folder out does not exist}.
     */
    public static void checkWritable(Path target) throws OutputFileException {
        Path abs = target.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new OutputFileException("cannot write " + target + ": it is a folder; give a file name");
        }
        Path dir = abs.getParent();
        if (dir == null) {
            throw new OutputFileException("cannot write " + target + ": not a file path");
        }
        if (!Files.isDirectory(dir)) {
            Path shown = target.getParent() != null ? target.getParent() : dir;
            throw new OutputFileException("cannot write " + target + ": " + shown
                    + (Files.exists(dir) ? " is a file, not a folder" : " does not exist (create the folder first)"));
        }
    }

    /** The user-facing failure for {@code target}: its name and the reason, not the temporary path. */
    public static OutputFileException failure(Path target, IOException e) {
        if (e instanceof OutputFileException o) {
            return o;
        }
        return new OutputFileException("cannot write " + target + ": " + reason(e), e);
    }

    /** The reason of a file-system error in words: "permission denied", "no space left on device", ... */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof NotDirectoryException) {
            return "a path component is not a folder";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void copyPermissions(Path from, Path to) throws IOException {
        PosixFileAttributeView target = Files.getFileAttributeView(to, PosixFileAttributeView.class);
        if (target == null || !Files.isRegularFile(from)) {
            return;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(from);
        target.setPermissions(perms);
    }

    private static void installHook() {
        if (hookInstalled) {
            return;
        }
        synchronized (AtomicFiles.class) {
            if (!hookInstalled) {
                Runtime.getRuntime().addShutdownHook(new Thread(AtomicFiles::deletePending, "lathe-temp-cleanup"));
                hookInstalled = true;
            }
        }
    }

    private static void deletePending() {
        for (Path p : PENDING) {
            try {
                deleteTree(p);
            } catch (IOException | RuntimeException e) {
                // the process is exiting; a file that cannot be deleted now stays
            }
        }
    }

    /** Deletes a file or a folder with everything in it; a missing path is fine. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> all = Files.walk(p)) {
                for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(q);
                }
            }
        } else {
            Files.deleteIfExists(p);
        }
    }
}
