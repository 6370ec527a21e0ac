package dev.lathe.cli.convert;

import dev.lathe.converter.bind.BindReport;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import java.util.ArrayList;
import java.util.List;

/** What a failed binding most likely means and the flag that fixes it, for the two mistakes users make most. */
public final class BindHints {
    private BindHints() {}

    /**
     * The hints for a failed binding, as sentences (empty when none applies).
     *
     * @param zoo whether the model was built from the zoo (so {@code --classes} can rebuild it)
     */
    public static List<String> of(BindReport r, Model model, boolean zoo) {
        List<String> hints = new ArrayList<>();
        for (BindReport.Mismatch m : r.mismatched()) {
            long[] f = m.fileShape();
            long[] g = m.modelShape();
            // a classifier: a 2-D weight whose input width matches and whose output count does not
            if (f.length == 2 && g.length == 2 && f[1] == g[1] && f[0] != g[0]) {
                hints.add("the checkpoint's classifier " + m.key() + " has " + f[0] + " classes and the model " + g[0]
                        + (zoo ? ": pass --classes " + f[0] : ": export the graph with " + f[0] + " classes"));
                break;
            }
        }
        boolean bnKeys = r.unexpected().stream().anyMatch(k -> k.endsWith(".running_mean"));
        boolean bnNodes = model.graph().nodes().stream().map(Node::opType).anyMatch("BatchNormalization"::equals);
        if (bnKeys && !bnNodes) {
            hints.add("the graph has no BatchNormalization: torch.onnx folded them into the convolutions (eval-mode"
                    + " export with constant folding), so the checkpoint's BatchNorm keys and the renamed conv weights"
                    + " cannot bind; build the model from the zoo with --model NAME (see 'lathe zoo list'), or export"
                    + " with training=torch.onnx.TrainingMode.PRESERVE");
        }
        return hints;
    }

    /** The hints as one clause to append to an error ("; hint: ..."), or "". */
    public static String suffix(BindReport r, Model model, boolean zoo) {
        List<String> h = of(r, model, zoo);
        return h.isEmpty() ? "" : "; hint: " + String.join("; ", h);
    }
}
