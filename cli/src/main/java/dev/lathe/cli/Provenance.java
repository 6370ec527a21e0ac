package dev.lathe.cli;

import dev.lathe.converter.meta.ModelMetadata;
import dev.lathe.graph.ir.Model;

/** Stamps the models commands write with Lathe's version and the command line (other metadata is carried). */
final class Provenance {
    private Provenance() {}

    static void stamp(Model model, CliContext ctx) {
        ModelMetadata.stamp(model, Main.version(), ctx.commandLine());
    }
}
