package dev.lathe.cli.dynamic;

import dev.lathe.cli.CliContext;
import dev.lathe.cli.Command;
import dev.lathe.cli.ExitCode;
import dev.lathe.cli.Flags;
import dev.lathe.cli.OutputPaths;
import dev.lathe.cli.UserError;
import dev.lathe.runtime.dynamic.AnchorCascade;
import dev.lathe.runtime.dynamic.CascadeSettings;
import dev.lathe.runtime.dynamic.ExitTable;
import dev.lathe.runtime.dynamic.StageCosts;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe dynamic table}: {@code make_table.py} in Lathe: every stage for every image (resized net, AnchorNet,
 * K patches), the per-image [N, K+1] confidence and correctness tables written in the authors' file format, plus the
 * stage costs counted on the three graphs.
 */
public final class DynamicTableCommand implements Command {
    @Override
    public String name() {
        return "dynamic table";
    }

    @Override
    public String summary() {
        return "per-image confidence/correctness table of every cascade stage (make_table.py), as .pth or .npz";
    }

    @Override
    public String usage() {
        return "--anchornet A.onnx --resized R.onnx --patch P.onnx --data SPEC [--topk 5] [--iou 0.3,0.3,0.3,0.3]"
                + " [--no-quirk] [--limit N] [--batch B] [--runtime NAME] -o table.pth|table.npz";
    }

    @Override
    public Options options() {
        Options o = new Options();
        CascadeFlags.add(o);
        o.addOption(Option.builder().longOpt("topk").hasArg().argName("T").desc("table columns, as the authors' --topk:"
                + " the resized image plus T-1 patches (default 5)").build());
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("table.pth|table.npz").desc("the table"
                + " (torch.save .pth readable by dynamic_inference.py, or NumPy .npz), replaced atomically").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws Exception {
        if (!cmd.getArgList().isEmpty()) {
            throw new UserError("unexpected argument '" + cmd.getArgList().get(0) + "'");
        }
        Path out = OutputPaths.file(cmd, "output", null);
        String file = out.getFileName().toString();
        if (!file.endsWith(".pth") && !file.endsWith(".npz")) {
            throw new UserError("-o " + out + ": the table is written as .pth (torch.save) or .npz; name it so");
        }
        int topk = Flags.intIn(cmd, "topk", 1, 64, 5);
        CascadeSettings settings = CascadeFlags.settings(cmd, new double[topk]);
        int batch = Flags.positiveInt(cmd, "batch", Flags.MAX_BATCH, CascadeFlags.DEFAULT_BATCH);
        try (AnchorCascade cascade = CascadeFlags.open(cmd, settings)) {
            long[] in = shape(cascade);
            CascadeFlags.Images images = CascadeFlags.images(cmd, in[2], in[3]);
            if (images.labels() == null) {
                throw new UserError("--data " + images.describe() + " has no labels; the table records correctness"
                        + " (give npy:IMAGES.npy,LABELS.npy)");
            }
            int n = images.size();
            float[] conf = new float[n * topk];
            boolean[] right = new boolean[n * topk];
            for (int from = 0; from < n; from += batch) {
                int to = Math.min(n, from + batch);
                AnchorCascade.Trace t;
                try {
                    t = cascade.trace(images.batch(from, to));
                } catch (IllegalStateException e) {
                    throw new UserError(e.getMessage());
                }
                ExitTable part = t.table(Arrays.copyOfRange(images.labels(), from, to));
                for (int i = 0; i < to - from; i++) {
                    for (int j = 0; j < topk; j++) {
                        conf[(from + i) * topk + j] = part.confidence(i, j);
                        right[(from + i) * topk + j] = part.correct(i, j);
                    }
                }
            }
            double[] gmacs = new double[topk];
            for (int j = 0; j < topk; j++) {
                gmacs[j] = cascade.stageMacs(j) / 1e9;
            }
            String setup = stem(cmd.getOptionValue("resized")) + "_" + CascadeSettings.PATCH + "_"
                    + DynamicFlags.list(settings.iouThresholds());
            ExitTable table = new ExitTable(n, topk, conf, right);
            new ExitTableFile(table, setup, gmacs).write(out);
            ctx.out().printf("table of %d images x %d stages from %s -> %s%n", n, topk, images.describe(), out);
            StringBuilder acc = new StringBuilder();
            for (int j = 0; j < topk; j++) {
                acc.append(j == 0 ? "" : " ").append(DynamicFlags.fixed(table.staticAccuracy(j), 4));
            }
            ctx.out().println("static accuracy per stage: " + acc);
            ctx.out().println("GMACs at exit per stage (counted on the graphs): "
                    + new DynamicFlags.Costs(new StageCosts(gmacs), "graph-ops").describe(topk));
        }
        return ExitCode.OK;
    }

    static long[] shape(AnchorCascade c) {
        var s = c.inputs().get(0).shape();
        return new long[] {1, 3, s.get(2).size(), s.get(3).size()};
    }

    private static String stem(String path) {
        String f = Path.of(path).getFileName().toString();
        return f.endsWith(".onnx") ? f.substring(0, f.length() - 5) : f;
    }
}
