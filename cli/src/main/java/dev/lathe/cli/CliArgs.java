package dev.lathe.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;

/** Argument checks shared by the subcommands. */
final class CliArgs {
    private CliArgs() {}

    /** The one positional MODEL.onnx argument; anything else is a user error. */
    static Path singleModel(CommandLine cmd) {
        List<String> args = cmd.getArgList();
        if (args.size() != 1) {
            throw new UserError("expected one MODEL.onnx, got " + (args.isEmpty() ? "none" : args));
        }
        return Path.of(args.get(0));
    }

    /** {@link #singleModel}, which must be an existing file (checked before any output is prepared). */
    static Path existingModel(CommandLine cmd) {
        Path file = singleModel(cmd);
        if (!Files.isRegularFile(file)) {
            throw new UserError("model file not found: " + file);
        }
        return file;
    }
}
