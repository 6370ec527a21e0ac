package dev.lathe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** One in-process {@code lathe} invocation through {@link Main#run}: exit code and both streams as text. */
public record CliRun(int code, String out, String err) {
    public static CliRun lathe(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Each of {@code cases} is refused as bad input: exit code 2, one line on stderr containing the matching
     * {@code expected} text, and {@code mustNotExist} (the output) never written.
     */
    public static void assertRefused(String[][] cases, String[] expected, Path mustNotExist) {
        assertEquals(cases.length, expected.length);
        for (int i = 0; i < cases.length; i++) {
            CliRun r = lathe(cases[i]);
            assertEquals(ExitCode.USER_ERROR, r.code(), String.join(" ", cases[i]) + ": " + r.err());
            assertTrue(r.err().contains(expected[i]), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(mustNotExist), String.join(" ", cases[i]) + " wrote " + mustNotExist);
        }
    }
}
