package dev.lathe.cli.zoo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.cli.CliContext;
import dev.lathe.cli.Command;
import dev.lathe.cli.UserError;
import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.models.ModelZoo;
import dev.lathe.models.ZooCount;
import dev.lathe.models.ZooEntry;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe zoo list [--json] [--recount] [NAME...]}: every zoo model (or the named ones) with its parameters and MACs at its published
 * configuration (classes, resolution), and the paper it comes from. The counts are ModelCounter's on the built graph:
 * stored with the zoo ({@link ModelZoo#storedCount}, rechecked against fresh builds by the models module's tests),
 * or with {@code --recount} (or for a model without a stored count) counted on a fresh build now.
 */
public final class ZooListCommand implements Command {
    @Override
    public String name() {
        return "zoo list";
    }

    @Override
    public String summary() {
        return "list the model zoo: name, parameters, MACs at the published resolution, paper";
    }

    @Override
    public String usage() {
        return "[--json] [--recount] [NAME...]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("json").desc("print a JSON array instead of a table").build());
        o.addOption(Option.builder().longOpt("recount")
                .desc("build every model (or the named ones) and count its graph now instead of reading the stored"
                        + " counts (about a minute for all)")
                .build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) {
        List<ZooEntry> entries = new ArrayList<>();
        if (cmd.getArgList().isEmpty()) {
            entries.addAll(ModelZoo.entries());
        }
        for (String name : cmd.getArgList()) {
            try {
                entries.add(ModelZoo.get(name));
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode rows = json.createArrayNode();
        if (!cmd.hasOption("json")) {
            ctx.out().printf("%-24s %12s %9s %7s %5s  %s%n", "name", "params", "GMACs", "classes", "res", "paper");
        }
        for (ZooEntry e : entries) {
            ZooCount count = cmd.hasOption("recount") ? null : ModelZoo.storedCount(e.name()).orElse(null);
            if (count == null) {
                ModelCount built = ModelCounter.count(e.build());
                count = new ZooCount(built.params(), built.macs());
            }
            if (cmd.hasOption("json")) {
                ObjectNode r = rows.addObject();
                r.put("name", e.name());
                r.put("params", count.params());
                r.put("macs", count.macs());
                r.put("classes", e.defaults().classes());
                r.put("resolution", e.defaults().resolution());
                r.put("paper", e.paper());
            } else {
                ctx.out().printf("%-24s %,12d %9.3f %7d %5d  %s%n", e.name(), count.params(), count.macs() / 1e9,
                        e.defaults().classes(), e.defaults().resolution(), e.paper());
            }
        }
        if (cmd.hasOption("json")) {
            ctx.out().println(json.valueToTree(rows).toPrettyString());
        }
        return 0;
    }
}
