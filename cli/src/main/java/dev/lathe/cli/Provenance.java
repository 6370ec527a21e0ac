package dev.lathe.cli;

import dev.lathe.converter.meta.ModelMetadata;
import dev.lathe.graph.ir.Model;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Stamps the models commands write with Lathe's version and the command line (other metadata is carried). */
public final class Provenance {
    private Provenance() {}

    public static void stamp(Model model, CliContext ctx) {
        ModelMetadata.stamp(model, version(), ctx.commandLine());
    }

    /** The version the jar was built as (from the build's filtered {@code lathe-version.properties}). */
    public static String version() {
        try (InputStream in = Provenance.class.getResourceAsStream("/dev/lathe/cli/lathe-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
