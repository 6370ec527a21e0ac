package dev.lathe.cli.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.cli.CliRun;
import dev.lathe.converter.ckpt.TorchSave;
import dev.lathe.graph.ir.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad input to the dynamic commands: one line naming the file or key, exit code 2, nothing written. */
class DynamicErrorsTest {
    private static final Path DIR = Path.of("target/dynamic-errors");

    private static void assertUserError(CliRun r, String... fragments) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' not in: " + r.err());
        }
    }

    @Test
    void badTablesAndFlagsAreOneLineUserErrors() throws Exception {
        Files.createDirectories(DIR);
        Path noKey = DIR.resolve("no_predictions.pth");
        TorchSave.write(noKey, Map.of("thresholds", Tensor.ofFloats(new long[] {1, 2}, 0.5f, 0.6f)));
        Path garbage = DIR.resolve("garbage.pth");
        Files.writeString(garbage, "not a checkpoint at all");
        assertUserError(CliRun.lathe("dynamic", "eval", "--table", DIR.resolve("missing.pth").toString(),
                "--thresholds", "0.5,0"), "missing.pth");
        assertUserError(CliRun.lathe("dynamic", "eval", "--table", noKey.toString(), "--thresholds", "0.5,0"),
                "no_predictions.pth", "no key 'predictions'");
        assertUserError(CliRun.lathe("dynamic", "eval", "--table", garbage.toString(), "--thresholds", "0.5,0"),
                "garbage.pth");
        Path table = ReleasedTableTest.TABLE;
        if (Files.exists(table)) {
            assertUserError(CliRun.lathe("dynamic", "eval", "--table", table.toString(), "--thresholds", "0.5,1.5"),
                    "--thresholds entry 2", "1.5");
            assertUserError(CliRun.lathe("dynamic", "eval", "--table", table.toString(), "--thresholds",
                    "0,0,0,0,0,0,0"), "7 thresholds", "6 stages");
            assertUserError(CliRun.lathe("dynamic", "eval", "--table", table.toString()), "--thresholds");
            assertUserError(CliRun.lathe("dynamic", "search", "--table", table.toString(), "-o",
                    DIR.resolve("no/such/dir").toString()), "does not exist");
            assertUserError(CliRun.lathe("dynamic", "search", "--table", table.toString(), "--step", "0.001",
                    "-o", DIR.resolve("s").toString()), "--step");
            assertTrue(!Files.exists(DIR.resolve("s")));
        }
        CliRun help = CliRun.lathe("dynamic", "search", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--budget-gmacs"));
        assertEquals(0, CliRun.lathe("dynamic", "eval", "--help").code());
    }
}
