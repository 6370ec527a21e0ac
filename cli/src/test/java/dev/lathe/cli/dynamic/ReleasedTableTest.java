package dev.lathe.cli.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The authors' released table ({@code shared/data/anchornet}, SEEDS 4.3) through {@code lathe dynamic eval}: every
 * row of their {@code densenet_acc_flops.txt} re-evaluated and compared with the printed digits.
 */
class ReleasedTableTest {
    static Path shared(String relative) {
        Path repo = Path.of("").toAbsolutePath().getParent();
        for (Path p = repo.getParent(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve(relative);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        return repo.getParent().resolve("shared").resolve(relative);
    }

    static final Path TABLE = shared("data/anchornet/densenet201_95_0.3_0.pth");
    static final Path TXT = shared("data/anchornet/densenet_acc_flops.txt");

    @Test
    void everyReleasedRowReevaluated() throws Exception {
        Assumptions.assumeTrue(Files.exists(TABLE), "shared/data/anchornet is not beside the repository: " + TABLE);
        CliRun r = CliRun.lathe("dynamic", "eval", "--table", TABLE.toString(), "--reference", TXT.toString(),
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode rows = new ObjectMapper().readTree(r.out());
        assertEquals(34, rows.size());
        List<Integer> gmacsDiffer = new ArrayList<>();
        for (JsonNode row : rows) {
            assertTrue(row.get("accuracy_matches").asBoolean(), "accuracy of line " + row.get("line") + ": " + row);
            if (!row.get("gmacs_matches").asBoolean()) {
                gmacsDiffer.add(row.get("line").asInt());
            }
        }
        // The printed FLOPs of these 13 rows are 0.005 to 0.017 G above what the exit rule gives on the released
        // table with the authors' constants (checked with their own dynamic_inference.py under PyTorch 1.13; no
        // per-stage cost vector fits all 34 rows). SEEDS 4.3 names only line 2; the others are reported, not fudged.
        assertEquals(List.of(2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 15, 18, 21), gmacsDiffer);
        assertEquals(1.7680794, rows.get(1).get("average_gmacs").asDouble(), 1e-9); // txt: 1.78
        CliRun text = CliRun.lathe("dynamic", "eval", "--table", TABLE.toString(), "--reference", TXT.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("21 of 34 rows reproduce both printed values (accuracy 34, GMACs 21)"),
                text.out());
    }

    @Test
    void searchFrontDominatesEveryReleasedSetting() throws Exception {
        Assumptions.assumeTrue(Files.exists(TABLE), "shared/data/anchornet is not beside the repository: " + TABLE);
        Path dir = Path.of("target/dynamic-search-released");
        CliRun r = CliRun.lathe("dynamic", "search", "--table", TABLE.toString(), "--stages", "5", "--step", "0.05",
                "--budget-gmacs", "1.2", "--reference", TXT.toString(), "-o", dir.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertEquals(194481, n.get("settings").asInt()); // 21^4: tau_0..tau_3 over 0, 0.05, ..., 1
        JsonNode front = n.get("front");
        // each of the authors' settings is on this grid, so some front point is at least as good on both axes
        for (String line : Files.readAllLines(TXT)) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Acc:([0-9.]+), FLOPs").matcher(line);
            assertTrue(m.find(), line);
        }
        JsonNode eval = new ObjectMapper().readTree(CliRun.lathe("dynamic", "eval", "--table", TABLE.toString(),
                "--reference", TXT.toString(), "--json").out());
        for (JsonNode row : eval) {
            boolean dominated = false;
            for (JsonNode p : front) {
                dominated |= p.get("accuracy").asDouble() >= row.get("accuracy").asDouble()
                        && p.get("average_gmacs").asDouble() <= row.get("average_gmacs").asDouble() + 1e-12;
            }
            assertTrue(dominated, "no front point as good as " + row);
        }
        JsonNode chosen = n.get("chosen");
        assertTrue(chosen.get("average_gmacs").asDouble() <= 1.2, chosen.toString());
        assertTrue(chosen.get("accuracy").asDouble() >= 0.73338, chosen.toString()); // the txt's best under 1.2 G
        assertTrue(Files.size(dir.resolve("front.png")) > 10_000);
        List<String> csv = Files.readAllLines(dir.resolve("front.csv"));
        assertEquals("tau_0,tau_1,tau_2,tau_3,tau_4,accuracy,average_gmacs,exits_0,exits_1,exits_2,exits_3,exits_4",
                csv.get(0));
        assertEquals(front.size() + 1, csv.size());

        CliRun floor = CliRun.lathe("dynamic", "search", "--table", TABLE.toString(), "--stages", "5", "--min-accuracy",
                "0.75", "-o", dir.toString());
        assertEquals(0, floor.code(), floor.err());
        assertTrue(floor.out().contains("cheapest with accuracy >= 0.75: "), floor.out());
        CliRun none = CliRun.lathe("dynamic", "search", "--table", TABLE.toString(), "--stages", "5", "--budget-gmacs",
                "0.5", "-o", dir.toString());
        assertEquals(2, none.code(), none.out());
        assertEquals("lathe dynamic search: no setting stays within 0.5 GMACs (cheapest: 0.7900)", none.err().strip());
    }

    @Test
    void oneSettingAsTheSeedsStateIt() throws Exception {
        Assumptions.assumeTrue(Files.exists(TABLE), "shared/data/anchornet is not beside the repository: " + TABLE);
        CliRun r = CliRun.lathe("dynamic", "eval", "--table", TABLE.toString(), "--thresholds", "0.5,0.8,0.9,0.9,0",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertEquals(0.73812, n.get("accuracy").asDouble(), 1e-12);
        assertEquals(1.2861266, n.get("average_gmacs").asDouble(), 1e-9);
        assertEquals("[38421,3655,1650,1530,4744]", n.get("exits").toString());
        CliRun text = CliRun.lathe("dynamic", "eval", "--table", TABLE.toString(), "--thresholds", "0.5,0.8,0.9,0.9,0");
        assertTrue(text.out().contains("accuracy 0.73812 (36906/50000), 1.2861 GMACs per image"), text.out());
    }
}
