package dev.lathe.pruning.importance;

import dev.lathe.graph.ir.Model;
import dev.lathe.pruning.graph.ChannelGraph;
import java.util.List;
import java.util.function.Supplier;

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
            case "l1" -> weightsOnly(name, () -> new MagnitudeImportance(1));
            case "l2" -> weightsOnly(name, () -> new MagnitudeImportance(2));
            case "bn" -> weightsOnly(name, BnScaleImportance::new);
            case "fpgm" -> weightsOnly(name, FpgmImportance::new);
            case "random" -> weightsOnly(name, () -> new RandomImportance(options.seed()));
            case "taylor", "cic" -> gradients(name, options);
            default -> throw new IllegalArgumentException("unknown criterion '" + name + "'; expected one of "
                    + NAMES);
        };
    }

    private static Criterion weightsOnly(String name, Supplier<Importance> make) {
        return new Criterion() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Importance importanceFor(Model model, ChannelGraph graph) {
                return make.get();
            }
        };
    }

    /** Taylor and CIC: the model's gradients are folded into per-class statistics, then dropped. */
    private static Criterion gradients(String name, ImportanceOptions options) {
        if (options.gradients() == null) {
            throw new IllegalArgumentException("criterion " + name + " needs gradients: give a GradientSource");
        }
        boolean classWise = name.equals("cic");
        return new Criterion() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Importance importanceFor(Model model, ChannelGraph graph) throws Exception {
                CicStatistics stats = CicStatistics.collect(model, graph, options.gradients(), classWise);
                return classWise ? new CicImportance(stats, options.cicAlpha()) : TaylorImportance.averaged(stats);
            }
        };
    }
}
