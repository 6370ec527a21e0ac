package dev.lathe.cli;

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
}
