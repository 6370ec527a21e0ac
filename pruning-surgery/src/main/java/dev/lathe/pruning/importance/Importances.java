package dev.lathe.pruning.importance;

import dev.lathe.graph.ir.Model;
import dev.lathe.pruning.graph.ChannelGraph;
import java.util.List;

/** The criteria by name, as the CLI spells them (Torch-Pruning's {@code tp.importance.*}). */
public final class Importances {
    /** Every known name, in the order help texts list them. */
    public static final List<String> NAMES = List.of("l1", "l2", "bn", "taylor", "fpgm", "cic", "random");

    private Importances() {}

    /** Whether the criterion called {@code name} scores with gradients ({@link ImportanceOptions#gradients}). */
    public static boolean needsGradients(String name) {
        return name.equals("taylor") || name.equals("cic");
    }

    /** The criterion called {@code name}; gradient criteria need {@code options.gradients()}. */
    public static Criterion byName(String name, ImportanceOptions options) {
        return switch (name) {
            case "l1" -> new Named(name, (model, graph) -> new MagnitudeImportance(1));
            case "l2" -> new Named(name, (model, graph) -> new MagnitudeImportance(2));
            case "bn" -> new Named(name, (model, graph) -> new BnScaleImportance());
            case "fpgm" -> new Named(name, (model, graph) -> new FpgmImportance());
            case "random" -> new Named(name, (model, graph) -> new RandomImportance(options.seed()));
            case "taylor", "cic" -> gradients(name, options);
            default -> throw new IllegalArgumentException("unknown criterion '" + name + "'; expected one of "
                    + NAMES);
        };
    }

    /** Taylor and CIC: the model's gradients are folded into per-class statistics, then dropped. */
    private static Criterion gradients(String name, ImportanceOptions options) {
        if (options.gradients() == null) {
            throw new IllegalArgumentException("criterion " + name + " needs gradients: give a GradientSource");
        }
        boolean classWise = name.equals("cic");
        return new Named(name, (model, graph) -> {
            CicStatistics stats = CicStatistics.collect(model, graph, options.gradients(), classWise);
            return classWise ? new CicImportance(stats, options.cicAlpha()) : TaylorImportance.averaged(stats);
        });
    }

    /** How a criterion makes its importance for one model. */
    @FunctionalInterface
    private interface Factory {
        Importance make(Model model, ChannelGraph graph) throws Exception;
    }

    private record Named(String name, Factory factory) implements Criterion {
        @Override
        public Importance importanceFor(Model model, ChannelGraph graph) throws Exception {
            return factory.make(model, graph);
        }
    }
}
