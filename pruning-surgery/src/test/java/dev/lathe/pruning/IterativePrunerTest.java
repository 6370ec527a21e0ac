package dev.lathe.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.count.ModelCount;
import dev.lathe.graph.count.ModelCounter;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.pruning.graph.ChannelGraph;
import dev.lathe.pruning.importance.Criterion;
import dev.lathe.pruning.importance.GradientSource;
import dev.lathe.pruning.importance.Importance;
import dev.lathe.pruning.importance.ImportanceOptions;
import dev.lathe.pruning.importance.Importances;
import dev.lathe.pruning.plan.PlanOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** K steps toward a target with a fake fine-tune: step targets, the models handed around, re-scored gradients. */
class IterativePrunerTest {
    /** Records the model each step scores, then scores by L1. */
    private static final class Recording implements Criterion {
        final List<Model> scored = new ArrayList<>();

        @Override
        public String name() {
            return "l1";
        }

        @Override
        public Importance importanceFor(Model model, ChannelGraph graph) throws Exception {
            scored.add(model);
            return Importances.byName("l1", ImportanceOptions.defaults()).importanceFor(model, graph);
        }
    }

    @Test
    void ratioStepsRemoveTheKthRootAndPruneWhatTheFineTuneReturned() throws Exception {
        Model model = Graphs.residual();
        Recording criterion = new Recording();
        List<Model> tuned = new ArrayList<>();
        IterativePruner.FineTune fineTune = (pruned, step) -> {
            assertEquals(tuned.size() + 1, step.index());
            assertEquals(2, step.of());
            assertEquals(step.result().after().params(), ModelCounter.count(pruned).params());
            Model copy = Onnx.fromBytes(Onnx.toBytes(pruned), "tuned"); // stands for a trained model
            tuned.add(copy);
            return copy;
        };
        List<IterativePruner.Step> heard = new ArrayList<>();
        IterativePruner.Result r = new IterativePruner(criterion, PlanOptions.ratio(0.5), 2, Set.of())
                .run(model, heard::add, fineTune);

        assertEquals(2, tuned.size());
        assertEquals(r.steps(), heard);
        assertSame(model, criterion.scored.get(0), "step 1 cuts the caller's model");
        assertSame(tuned.get(0), criterion.scored.get(1), "step 2 cuts what the fine-tune returned");
        assertSame(tuned.get(1), r.model());
        for (IterativePruner.Step s : r.steps()) {
            assertEquals(1 - Math.pow(0.5, 0.5), s.options().ratio(), 1e-15);
        }
        // 8 channels of the residual stream: floor(8·0.7071) = 5, then floor(5·0.7071) = 3.
        assertEquals(3, r.model().graph().initializer("stem.conv.weight").constValue().dim(0));
        assertEquals(ModelCounter.count(r.model()).params(), r.after().params());
        assertTrue(r.after().params() < r.before().params());
    }

    @Test
    void macsStepsAimAtTheirShareOfTheInputModel() throws Exception {
        Model model = Graphs.residual();
        ModelCount first = ModelCounter.count(model);
        int k = 3;
        double target = 0.5;
        int[] calls = {0};
        List<Long> macsBefore = new ArrayList<>(List.of(first.macs()));
        IterativePruner.FineTune fineTune = (pruned, step) -> {
            calls[0]++;
            double aim = 1 - (1 - target) * step.index() / k;
            double expected = Math.min(1, aim * first.macs() / macsBefore.get(step.index() - 1));
            assertEquals(expected, step.options().targetMacs(), 1e-15, "step " + step.index());
            assertTrue(step.result().after().macs() <= aim * first.macs(), "step " + step.index() + " meets "
                    + aim + " of the input MACs");
            assertTrue(step.options().global());
            macsBefore.add(step.result().after().macs());
            return pruned;
        };
        IterativePruner.Result r = new IterativePruner(Importances.byName("l2", ImportanceOptions.defaults()),
                new PlanOptions(0, target, 0, true, 1, 1.0), k, Set.of()).run(model, s -> { }, fineTune);
        assertEquals(k, calls[0]);
        assertTrue(r.after().macs() <= target * first.macs() && r.after().macs() > first.macs() / 4,
                r.after().macs() + " of " + first.macs());
    }

    @Test
    void paramsStepsAimAtTheirShareOfTheInputModel() throws Exception {
        Model model = Graphs.residual();
        ModelCount first = ModelCounter.count(model);
        IterativePruner.Result r = new IterativePruner(Importances.byName("l1", ImportanceOptions.defaults()),
                new PlanOptions(0, 0, 0.6, true, 1, 1.0), 2, Set.of()).run(model, s -> { },
                        IterativePruner.FineTune.NONE);
        IterativePruner.Step one = r.steps().get(0);
        assertEquals(0.8, one.options().targetParams(), 1e-15);
        assertTrue(one.result().after().params() <= 0.8 * first.params());
        IterativePruner.Step two = r.steps().get(1);
        assertEquals(Math.min(1, 0.6 * first.params() / one.result().after().params()), two.options().targetParams(),
                1e-15);
        assertTrue(r.after().params() <= 0.6 * first.params());
    }

    @Test
    void gradientCriteriaAskForGradientsOfEachStepsModel() throws Exception {
        Model model = Graphs.residual();
        List<Long> stemChannels = new ArrayList<>();
        Random random = new Random(4);
        GradientSource source = (m, classWise, sink) -> {
            assertTrue(classWise);
            stemChannels.add(m.graph().initializer("stem.conv.weight").constValue().dim(0));
            CicStatisticsTest.randomGradients(m, new int[] {0, 1, 2}, random).batches().forEach(sink);
        };
        new IterativePruner(Importances.byName("cic", ImportanceOptions.defaults().withGradients(source)),
                PlanOptions.ratio(0.5), 2, Set.of()).run(model, s -> { }, IterativePruner.FineTune.NONE);
        assertEquals(List.of(8L, 5L), stemChannels, "the second step's gradients are of the smaller model");
    }
}
