package dev.lathe.graph.autodiff;

import dev.lathe.graph.ir.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable registry of backward rules keyed by ai.onnx op type and opset range: a rule holds for the opsets
 * {@code [since, until)} of its op, so an op whose inputs changed between opsets (ReduceSum's axes became an input
 * in 13, ReduceMean's in 18) gets one rule per form. {@link #standard()} holds Lathe's rules; {@link #extend()}
 * starts a builder from it, so a user's op gets a rule without touching the standard table. Registering an op twice
 * for overlapping opsets is an error, never a silent replacement.
 */
public final class BackwardRules {
    /** One rule for the opsets {@code [since, until)}. */
    public record Entry(String opType, long since, long until, BackwardRule rule) {
        boolean covers(long opset) {
            return opset >= since && opset < until;
        }
    }

    private static final BackwardRules STANDARD = standardBuilder().build();

    private final Map<String, List<Entry>> byOp;

    private BackwardRules(Map<String, List<Entry>> byOp) {
        this.byOp = byOp;
    }

    /** Lathe's rules for every op it differentiates. */
    public static BackwardRules standard() {
        return STANDARD;
    }

    private static Builder standardBuilder() {
        Builder b = new Builder(new LinkedHashMap<>());
        ElementwiseGrads.addTo(b);
        LinearGrads.addTo(b);
        PoolGrads.addTo(b);
        ShapeGrads.addTo(b);
        ReduceGrads.addTo(b);
        NormGrads.addTo(b);
        ActivationGrads.addTo(b);
        return b;
    }

    /** A builder holding these rules, to add rules for more ops (or for opsets these do not cover). */
    public Builder extend() {
        Map<String, List<Entry>> copy = new LinkedHashMap<>();
        byOp.forEach((k, v) -> copy.put(k, new ArrayList<>(v)));
        return new Builder(copy);
    }

    /** The rule for {@code opType} at {@code opset}, or null. */
    public BackwardRule find(String opType, long opset) {
        for (Entry e : byOp.getOrDefault(opType, List.of())) {
            if (e.covers(opset)) {
                return e.rule();
            }
        }
        return null;
    }

    public boolean has(String opType, long opset) {
        return find(opType, opset) != null;
    }

    /** Op types with a rule for some opset. */
    public Set<String> opTypes() {
        return Collections.unmodifiableSet(new TreeSet<>(byOp.keySet()));
    }

    /** Every entry of one op type, in opset order. */
    public List<Entry> entries(String opType) {
        return byOp.getOrDefault(opType, List.of());
    }

    BackwardRule get(Node n, long opset) {
        BackwardRule r = n.domain().isEmpty() || n.domain().equals("ai.onnx") ? find(n.opType(), opset) : null;
        if (r == null) {
            throw new MissingBackwardRuleException("no backward rule for op "
                    + (n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType() + " at opset " + opset + " (node '"
                    + n.name() + "'), which lies between the parameters and the loss; rules exist for " + opTypes());
        }
        return r;
    }

    /** Collects rules; {@link #build} freezes them. */
    public static final class Builder {
        private final Map<String, List<Entry>> byOp;

        private Builder(Map<String, List<Entry>> byOp) {
            this.byOp = byOp;
        }

        /** A rule for every opset of {@code opType}. */
        public Builder add(String opType, BackwardRule rule) {
            return add(opType, 1, Long.MAX_VALUE, rule);
        }

        /** A rule for the opsets {@code [since, until)} of {@code opType}. */
        public Builder add(String opType, long since, long until, BackwardRule rule) {
            if (since >= until) {
                throw new IllegalArgumentException("backward rule of " + opType + ": empty opset range [" + since
                        + ", " + until + ")");
            }
            List<Entry> list = byOp.computeIfAbsent(opType, k -> new ArrayList<>());
            for (Entry e : list) {
                if (since < e.until() && e.since() < until) {
                    throw new IllegalStateException("backward rule of " + opType + " for opsets " + range(since, until)
                            + " overlaps the one for " + range(e.since(), e.until()));
                }
            }
            list.add(new Entry(opType, since, until, rule));
            list.sort((a, b) -> Long.compare(a.since(), b.since()));
            return this;
        }

        private static String range(long since, long until) {
            return "[" + since + ", " + (until == Long.MAX_VALUE ? "∞" : String.valueOf(until)) + ")";
        }

        public BackwardRules build() {
            Map<String, List<Entry>> frozen = new LinkedHashMap<>();
            byOp.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
            return new BackwardRules(Collections.unmodifiableMap(frozen));
        }
    }
}
