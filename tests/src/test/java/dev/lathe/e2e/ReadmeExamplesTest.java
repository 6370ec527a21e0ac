package dev.lathe.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lathe.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's example session (the block between the readme-test markers) through the CLI entry point, in
 * order, so the documentation cannot drift from what the commands accept. Relative file arguments and the scratch
 * folder the session makes are placed in a temporary folder.
 */
class ReadmeExamplesTest {
    @TempDir
    Path dir;

    @Test
    void readmeSessionRuns() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
        int begin = lines.indexOf("<!-- readme-test:begin -->");
        int end = lines.indexOf("<!-- readme-test:end -->");
        List<String> commands = new ArrayList<>();
        for (String l : lines.subList(begin + 1, end)) {
            if (l.startsWith("./lathe ")) {
                commands.add(l.substring("./lathe ".length()));
            } else if (l.startsWith("mkdir -p ")) { // the session's scratch folder, made in the temporary one
                Files.createDirectories(dir.resolve(l.substring("mkdir -p ".length()).split("\\s+")[0]));
            }
        }
        assertFalse(commands.isEmpty(), "README has no example commands between the markers");
        for (String c : commands) {
            List<String> args = new ArrayList<>();
            for (String word : c.split("\\s+")) {
                // the session's files go to the temporary folder; committed photos are read from the repository
                args.add(word.matches("[\\w./-]+\\.(onnx|npy|pth|json)") || word.startsWith("scratch/")
                        ? dir.resolve(word).toString()
                        : word.matches("[\\w./-]+\\.(jpg|png)") ? Path.of("..").resolve(word).toString() : word);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int rc = Main.run(args.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(0, rc, "lathe " + c + "\n" + out.toString(StandardCharsets.UTF_8)
                    + err.toString(StandardCharsets.UTF_8));
        }
    }
}
