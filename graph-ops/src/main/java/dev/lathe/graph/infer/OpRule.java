package dev.lathe.graph.infer;

import dev.lathe.graph.ir.TensorType;
import java.util.List;

/** Type and shape inference for one op type: input types in, one type per output out. */
@FunctionalInterface
public interface OpRule {
    List<TensorType> infer(InferenceContext c);
}
