package dev.lathe.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lathe.graph.autodiff.BackwardRules;
import dev.lathe.graph.infer.ShapeInference;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.models.ModelZoo;
import dev.lathe.models.ZooConfig;
import dev.lathe.models.ZooEntry;
import dev.lathe.pruning.graph.ChannelHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * For every op that the zoo and the torchvision exports use: does it have a shape rule, a backward rule and a
 * pruning handler? The table is printed and written to {@code target/op-coverage.md}; the gaps are asserted, so a
 * rule that appears or goes missing shows up here, in one place, and the lists below are updated on purpose.
 */
class OpCoverageTest {
    /**
     * Ops with no backward rule. Constant and Shape have no float input and Less a boolean output, so no gradient
     * ever flows through them. (DepthToSpace, a torchvision export's pixel shuffle, has had one since ISP's selector
     * needed it, checked against finite differences.)
     */
    private static final Set<String> NO_BACKWARD = Set.of("Constant", "Less", "Shape");
    /**
     * Ops with no channel handler: they block the channels they read (never a silent pass-through). Constant reads
     * nothing; Gather on the channel axis and DepthToSpace block their groups, as BlockingTest shows.
     */
    private static final Set<String> NO_HANDLER = Set.of("Constant", "DepthToSpace", "Gather");

    @Test
    void everyUsedOpHasItsRulesOrIsAListedGap(@TempDir Path tmp) throws Exception {
        Map<String, Set<String>> users = new TreeMap<>(); // op -> models that use it
        for (ZooEntry e : ModelZoo.entries()) {
            int res = e.name().equals("anchornet") ? 128 : 32;
            collect(e.build(new ZooConfig(10, res, 0)), "zoo:" + e.name(), users);
        }
        for (String key : TorchvisionFixtures.manifest().properties().stream().map(Map.Entry::getKey).toList()) {
            collect(Onnx.load(TorchvisionFixtures.modelFile(key, tmp)), "torchvision:" + key, users);
        }
        Map<String, ?> handlers = ChannelHandlers.standard();
        BackwardRules backward = BackwardRules.standard();
        StringBuilder table = new StringBuilder("| op | shape rule | backward rule | pruning handler | used by |\n"
                + "|---|---|---|---|---|\n");
        Set<String> noShape = new TreeSet<>();
        Set<String> noBackward = new TreeSet<>();
        Set<String> noHandler = new TreeSet<>();
        for (Map.Entry<String, Set<String>> op : users.entrySet()) {
            String name = op.getKey();
            boolean shape = ShapeInference.hasRule("", name);
            boolean grad = backward.has(name, Model.DEFAULT_OPSET);
            boolean handler = handlers.containsKey(name);
            if (!shape) {
                noShape.add(name);
            }
            if (!grad) {
                noBackward.add(name);
            }
            if (!handler) {
                noHandler.add(name);
            }
            table.append("| ").append(name).append(" | ").append(mark(shape)).append(" | ").append(mark(grad))
                    .append(" | ").append(mark(handler)).append(" | ").append(op.getValue().size()).append(" models")
                    .append(" |\n");
        }
        Path out = Path.of("target", "op-coverage.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
        System.out.println(table);
        assertEquals(Set.of(), noShape, "ops used without a shape rule");
        assertEquals(new TreeSet<>(NO_BACKWARD), noBackward, "ops used without a backward rule");
        assertEquals(new TreeSet<>(NO_HANDLER), noHandler, "ops used without a pruning handler");
    }

    private static void collect(Model m, String source, Map<String, Set<String>> users) {
        for (Node n : m.graph().nodes()) {
            if (n.domain().isEmpty() || n.domain().equals("ai.onnx")) {
                users.computeIfAbsent(n.opType(), k -> new TreeSet<>()).add(source);
            }
        }
    }

    private static String mark(boolean b) {
        return b ? "yes" : "**no**";
    }
}
