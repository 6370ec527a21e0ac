import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.serde.Onnx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Node counts per op type of ONNX Runtime's optimised graphs: for each model file, creates a CPU session at
 * optimisation level ALL with {@code setOptimizedModelFilePath}, reloads the graph ORT wrote and counts its nodes by
 * {@code domain:op} (default domain bare), with what ORT fused into a conv appended: {@code +Relu} etc. for its
 * {@code activation} attribute, {@code +Sum} when it also adds a residual input. Prints one markdown table, one column
 * per file. Deterministic: no timing, so a loaded machine gives the same answer as an idle one.
 *
 * <p>Run from the repository root with the CLI jar (which carries ONNX Runtime and Lathe's ONNX reader):
 * {@code java -cp cli/target/lathe.jar models/bench/OrtGraphCounts.java OUT_DIR a.onnx b.onnx ...}; the optimised
 * graphs are kept in OUT_DIR as {@code <file name>.ort-all.onnx}.
 */
public final class OrtGraphCounts {
    private OrtGraphCounts() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java -cp cli/target/lathe.jar models/bench/OrtGraphCounts.java OUT_DIR MODEL.onnx...");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        List<String> labels = new ArrayList<>();
        List<Map<String, Integer>> counts = new ArrayList<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (int i = 1; i < args.length; i++) {
            Path model = Path.of(args[i]);
            if (!Files.isRegularFile(model)) {
                throw new IllegalArgumentException(model + ": no such model file");
            }
            String label = model.getParent() == null ? model.getFileName().toString()
                    : model.getParent().getFileName() + "/" + model.getFileName();
            Path optimised = out.resolve(label.replace('/', '-') + ".ort-all.onnx");
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                o.setIntraOpNumThreads(1);
                o.setOptimizedModelFilePath(optimised.toString());
                env.createSession(model.toString(), o).close();
            }
            Map<String, Integer> byOp = new TreeMap<>();
            Model m = Onnx.load(optimised);
            for (Node n : m.graph().nodes()) {
                byOp.merge(key(n), 1, Integer::sum);
            }
            labels.add(label);
            counts.add(byOp);
        }
        TreeSet<String> ops = new TreeSet<>();
        counts.forEach(c -> ops.addAll(c.keySet()));
        StringBuilder sb = new StringBuilder("| op |");
        labels.forEach(l -> sb.append(' ').append(l).append(" |"));
        sb.append("\n|---|");
        labels.forEach(l -> sb.append("---|"));
        sb.append('\n');
        for (String op : ops) {
            sb.append("| ").append(op).append(" |");
            counts.forEach(c -> sb.append(' ').append(c.getOrDefault(op, 0)).append(" |"));
            sb.append('\n');
        }
        sb.append("| **total** |");
        counts.forEach(c -> sb.append(" **").append(c.values().stream().mapToInt(Integer::intValue).sum())
                .append("** |"));
        System.out.println(sb);
    }

    /** {@code domain:op[+activation][+Sum]}: the op type with the fusions ORT recorded on it. */
    private static String key(Node n) {
        boolean standard = n.domain().isEmpty() || n.domain().equals("ai.onnx");
        StringBuilder k = new StringBuilder(standard ? n.opType() : n.domain() + ":" + n.opType());
        if (!standard) {
            String activation = n.attrString("activation", "");
            if (!activation.isEmpty()) {
                k.append('+').append(activation);
            }
            // com.microsoft.nchwc:Conv and com.microsoft:FusedConv take the residual to add as a 4th input
            if (n.opType().endsWith("Conv") && n.inputs().size() >= 4 && n.inputs().get(3) != null) {
                k.append("+Sum");
            }
        }
        return k.toString();
    }
}
