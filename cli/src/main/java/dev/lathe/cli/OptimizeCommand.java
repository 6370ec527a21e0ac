package dev.lathe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.pass.ConvBatchNormFolding;
import dev.lathe.graph.pass.Pass;
import dev.lathe.graph.pass.PassFailedException;
import dev.lathe.graph.pass.PassRunner;
import dev.lathe.graph.pass.Passes;
import dev.lathe.graph.serde.Onnx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lathe optimize MODEL.onnx -o OUT.onnx [--json]}: runs {@link Passes#inferenceCleanup()} (constant folding
 * of shape subgraphs, Conv+BatchNorm folding, identity removal, dead-code elimination, topological sort) and writes
 * the result. Reports nodes and ops before and after, which passes changed the model, and every BatchNormalization
 * after a Conv that was not folded, with the reason.
 */
public final class OptimizeCommand implements Command {

    @Override
    public String name() {
        return "optimize";
    }

    @Override
    public String summary() {
        return "fold constants and Conv+BN, remove identities and dead code, sort; write the cleaned model";
    }

    @Override
    public String usage() {
        return "MODEL.onnx -o OUT.onnx [--in-place] [--json]";
    }

    @Override
    public Options options() {
        Options o = new Options();
        o.addOption(Option.builder("o").longOpt("output").hasArg().argName("OUT.onnx")
                .desc("where to write the optimized model (written to a temp file, then renamed)").build());
        o.addOption(OutputPaths.inPlaceOption());
        o.addOption(Option.builder().longOpt("json").desc("print one JSON object: {model, output, nodes_before,"
                + " nodes_after, ops_before, ops_after, passes, batchnorm_not_folded}").build());
        return o;
    }

    @Override
    public int run(CommandLine cmd, CliContext ctx) throws IOException {
        Path in = CliArgs.singleModel(cmd);
        if (!cmd.hasOption("output")) {
            throw new UserError("no output file; pass -o OUT.onnx");
        }
        if (!Files.isRegularFile(in)) {
            throw new UserError(Files.isDirectory(in) ? in + " is a folder, expected an .onnx file"
                    : "no such file: " + in);
        }
        // --in-place is safe although the input is memory-mapped: the output is renamed over it, and the mapping
        // keeps the old file's data until it is closed
        Path out = OutputPaths.file(cmd, "output", in);
        Model model;
        model = Onnx.load(in);
        Map<String, Integer> before = histogram(model);
        int nodesBefore = model.graph().nodes().size();
        PassRunner cleanup = Passes.inferenceCleanup();
        try {
            cleanup.apply(model);
        } catch (PassFailedException e) {
            throw new UserError(in + ": " + e.getMessage(), e);
        }
        Provenance.stamp(model, ctx);
        Onnx.save(model, out);

        List<ConvBatchNormFolding.Rejection> notFolded = new ArrayList<>();
        for (Pass p : cleanup.passes()) {
            if (p instanceof ConvBatchNormFolding f) {
                notFolded.addAll(f.rejections());
            }
        }
        Map<String, Integer> after = histogram(model);
        if (cmd.hasOption("json")) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = mapper.createObjectNode();
            root.put("model", in.toString());
            root.put("output", out.toString());
            root.put("nodes_before", nodesBefore);
            root.put("nodes_after", model.graph().nodes().size());
            root.set("ops_before", mapper.valueToTree(before));
            root.set("ops_after", mapper.valueToTree(after));
            ArrayNode passes = root.putArray("passes");
            for (PassRunner.Step s : cleanup.lastRun()) {
                passes.addObject().put("pass", s.pass()).put("round", s.round()).put("modified", s.modified());
            }
            ArrayNode rejected = root.putArray("batchnorm_not_folded");
            for (ConvBatchNormFolding.Rejection r : notFolded) {
                rejected.addObject().put("node", r.batchNormNode()).put("reason", r.reason());
            }
            ctx.out().println(mapper.writeValueAsString(root));
            return 0;
        }
        ctx.out().println("wrote " + out + ": " + nodesBefore + " -> " + model.graph().nodes().size() + " nodes");
        TreeMap<String, Integer> ops = new TreeMap<>(before);
        after.keySet().forEach(k -> ops.putIfAbsent(k, 0));
        for (String op : ops.keySet()) {
            int b = before.getOrDefault(op, 0);
            int a = after.getOrDefault(op, 0);
            if (a != b) {
                ctx.out().printf("  %-24s %5d -> %d%n", op, b, a);
            }
        }
        List<String> changed = cleanup.lastRun().stream().filter(PassRunner.Step::modified)
                .map(s -> s.pass() + (s.round() > 1 ? "#" + s.round() : "")).toList();
        ctx.out().println("passes that changed the model: " + (changed.isEmpty() ? "none" : String.join(", ", changed)));
        for (ConvBatchNormFolding.Rejection r : notFolded) {
            ctx.out().println("not folded: " + r.batchNormNode() + ": " + r.reason());
        }
        return 0;
    }

    private static Map<String, Integer> histogram(Model m) {
        Map<String, Integer> h = new TreeMap<>();
        for (Node n : m.graph().nodes()) {
            h.merge(n.domain().isEmpty() ? n.opType() : n.domain() + "." + n.opType(), 1, Integer::sum);
        }
        return h;
    }
}
