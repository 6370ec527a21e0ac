package dev.lathe.cli;

import dev.lathe.graph.files.AtomicFiles;
import dev.lathe.graph.files.OutputFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;

/**
 * Checks of the paths a command will write, made before any work so a long run never ends in "cannot write": a file
 * output must not be a folder and its folder must exist (nothing is created up to the root); a folder output must
 * not be a file, and only its last level is created; an output that is the input needs {@code --in-place}.
 */
public final class OutputPaths {
    private OutputPaths() {}

    /** The {@code --in-place} flag of commands that rewrite a model file. */
    public static Option inPlaceOption() {
        return Option.builder().longOpt("in-place").desc("allow the output to be the input file (it is replaced"
                + " atomically at the end)").build();
    }

    /** The file flag {@code name} (required), checked as an output that may replace {@code input} only in place. */
    public static Path file(CommandLine cmd, String name, Path input) throws OutputFileException {
        Path out = Flags.path(cmd, name);
        if (out == null) {
            throw new UserError("no output file; pass --" + name + " FILE");
        }
        return file(cmd, out, input);
    }

    /** {@code out} checked as a file output; {@code input} may be null. */
    public static Path file(CommandLine cmd, Path out, Path input) throws OutputFileException {
        if (input != null && sameFile(out, input) && !cmd.hasOption("in-place")) {
            throw new UserError("output " + out + " is the input file; write to another path, or pass --in-place to"
                    + " replace it");
        }
        AtomicFiles.checkWritable(out);
        return out;
    }

    /**
     * A folder output: an existing folder, or a new one whose parent exists, created here when {@code create} (a
     * command checks early without creating, so a failed run leaves no empty folder behind).
     */
    public static Path folder(Path dir, boolean create) throws OutputFileException {
        if (Files.isDirectory(dir)) {
            return dir;
        }
        if (Files.exists(dir)) {
            throw new OutputFileException("cannot write into " + dir + ": it is a file, and a folder is needed");
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Path shown = dir.getParent() != null ? dir.getParent() : parent;
            throw new OutputFileException("cannot create folder " + dir + ": " + shown
                    + (Files.exists(parent) ? " is a file, not a folder" : " does not exist (create it first)"));
        }
        if (!create) {
            return dir;
        }
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new OutputFileException("cannot create folder " + dir + ": " + AtomicFiles.reason(e), e);
        }
        return dir;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
        } catch (IOException e) {
            // fall back to comparing the paths
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
