package dev.lathe.calibration.quant;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What to quantize and how: the target layout, per-channel weights, and the layers kept in float. Exclusions name
 * nodes ({@code conv1}), op types ({@code op:Gemm}), or the first/last Conv/ConvTranspose/Gemm/MatMul of the graph
 * ({@code first}, {@code last}).
 */
public record QuantOptions(QuantTarget target, boolean perChannel, Set<String> excludedNodes,
        Set<String> excludedOps, boolean excludeFirst, boolean excludeLast) {
    public QuantOptions {
        excludedNodes = Set.copyOf(excludedNodes);
        excludedOps = Set.copyOf(excludedOps);
    }

    public static QuantOptions of(QuantTarget target) {
        return new QuantOptions(target, true, Set.of(), Set.of(), false, false);
    }

    public QuantOptions perTensor() {
        return new QuantOptions(target, false, excludedNodes, excludedOps, excludeFirst, excludeLast);
    }

    /** These options plus exclusions in the {@code --exclude} grammar: node names, {@code op:Type}, first, last. */
    public QuantOptions excluding(List<String> items) {
        Set<String> nodes = new LinkedHashSet<>(excludedNodes);
        Set<String> ops = new LinkedHashSet<>(excludedOps);
        boolean first = excludeFirst;
        boolean last = excludeLast;
        for (String item : items) {
            if (item.equals("first")) {
                first = true;
            } else if (item.equals("last")) {
                last = true;
            } else if (item.startsWith("op:") && item.length() > 3) {
                ops.add(item.substring(3));
            } else if (!item.isBlank()) {
                nodes.add(item);
            }
        }
        return new QuantOptions(target, perChannel, nodes, ops, first, last);
    }
}
