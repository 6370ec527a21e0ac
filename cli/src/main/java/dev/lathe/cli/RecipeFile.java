package dev.lathe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * A paper's training recipe as data ({@code cli/src/main/resources/recipes/NAME.json}): the flags of {@code lathe
 * train} it sets, in Lathe's names (a name lathe train lacks is a bug in the file, refused). Flags given on the command
 * line win;
 * with {@code lr_reference_batch} the recipe's learning rate is scaled by batch / reference (the linear rule the
 * IIEU README states) when the batch differs and {@code --lr} is not given.
 */
final class RecipeFile {
    static final List<String> NAMES = List.of("iieu-resnet", "iieu-mobilenetv2", "efficientmod", "cic-cifar",
            "anchornet");

    /** The effective command line and where each flag's value came from. */
    record Applied(CommandLine cmd, Map<String, String> sources, String paper) {}

    private RecipeFile() {}

    static Applied apply(String name, CommandLine given, Options options) throws IOException {
        if (!NAMES.contains(name)) {
            throw new UserError("--recipe '" + name + "' is not one of " + String.join(", ", NAMES));
        }
        JsonNode recipe;
        try (InputStream in = RecipeFile.class.getResourceAsStream("/recipes/" + name + ".json")) {
            recipe = new ObjectMapper().readTree(in);
        }
        List<String> args = new ArrayList<>(given.getArgList());
        Map<String, String> sources = new LinkedHashMap<>();
        for (Option o : given.getOptions()) {
            args.add("--" + o.getLongOpt());
            if (o.hasArg()) {
                args.add(o.getValue());
            }
            sources.put(o.getLongOpt(), "given");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = recipe.get("flags").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            String flag = f.getKey();
            String value = f.getValue().asText();
            if (given.hasOption(flag) || timmAliasGiven(given, flag)) {
                continue;
            }
            Option o = options.getOption(flag);
            if (o == null) {
                throw new IllegalStateException("recipes/" + name + ".json: --" + flag + " is not a lathe train flag");
            }
            if (flag.equals("lr") && recipe.has("lr_reference_batch") && given.hasOption("batch")) {
                double reference = recipe.get("lr_reference_batch").asDouble();
                double batch = Double.parseDouble(given.getOptionValue("batch"));
                value = String.format(Locale.ROOT, "%s", Double.parseDouble(value) * batch / reference);
                sources.put(flag, "recipe, scaled by batch " + (long) batch + " / " + (long) reference);
            } else {
                sources.put(flag, "recipe");
            }
            args.add("--" + flag);
            if (o.hasArg()) {
                args.add(value);
            }
        }
        try {
            return new Applied(new DefaultParser().parse(options, args.toArray(new String[0])), sources,
                    recipe.get("paper").asText());
        } catch (ParseException e) {
            throw new UserError("--recipe " + name + ": " + e.getMessage());
        }
    }

    /** A given flag that the recipe names by its other name (--label-smoothing for smoothing, --warmup for timm's). */
    private static boolean timmAliasGiven(CommandLine given, String flag) {
        return flag.equals("smoothing") && given.hasOption("label-smoothing")
                || flag.equals("warmup-epochs") && given.hasOption("warmup");
    }

    /** The effective configuration, one flag per line with where it came from. */
    static void print(Applied a, PrintStream out) {
        out.println("recipe: " + a.paper());
        for (Option o : a.cmd().getOptions()) {
            out.printf("  --%-20s %-12s (%s)%n", o.getLongOpt(), o.hasArg() ? o.getValue() : "",
                    a.sources().getOrDefault(o.getLongOpt(), "given"));
        }
    }
}
