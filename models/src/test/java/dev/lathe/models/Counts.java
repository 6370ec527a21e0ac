package dev.lathe.models;

import dev.lathe.graph.ir.Dim;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Node;
import dev.lathe.graph.ir.Shape;
import dev.lathe.graph.ir.Value;
import java.util.regex.Pattern;

/**
 * Parameter and multiply-accumulate counts the way torchvision's documentation and the papers state them:
 * parameters = state_dict tensors less BatchNorm running statistics; MACs = Conv, Gemm and MatMul
 * multiply-accumulates for one image (the symbolic batch taken as 1).
 */
final class Counts {
    private static final Pattern GENERATED_CONSTANT = Pattern.compile("(^|.*\\.)const(_\\d+)?$");

    private Counts() {}

    static long params(Model m) {
        long n = 0;
        for (Value v : m.graph().initializers().values()) {
            String k = v.name();
            if (k.endsWith("running_mean") || k.endsWith("running_var") || GENERATED_CONSTANT.matcher(k).matches()) {
                continue;
            }
            n += v.constValue().numel();
        }
        return n;
    }

    static long macs(Model m) {
        long macs = 0;
        for (Node n : m.graph().nodes()) {
            if (n.opType().equals("Conv")) {
                Shape w = n.input(1).shape();
                macs += perImage(n.output(0).shape()) * w.get(1).size() * w.get(2).size() * w.get(3).size();
            } else if (n.opType().equals("Gemm")) {
                Shape a = n.input(0).shape();
                Shape out = n.output(0).shape();
                long k = n.attrInt("transA", 0) == 0 ? a.get(1).size() : a.get(0).size();
                macs += out.get(1).size() * k;
            } else if (n.opType().equals("MatMul")) {
                Shape a = n.input(0).shape();
                macs += perImage(n.output(0).shape()) * a.get(a.rank() - 1).size();
            }
        }
        return macs;
    }

    /** Elements of a tensor for one image: symbolic dimensions (the batch) count as 1. */
    private static long perImage(Shape s) {
        long p = 1;
        for (Dim d : s.dims()) {
            p *= d.isFixed() ? d.size() : 1;
        }
        return p;
    }
}
