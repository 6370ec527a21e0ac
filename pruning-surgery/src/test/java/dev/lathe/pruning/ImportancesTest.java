package dev.lathe.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.Model;
import dev.lathe.pruning.graph.ChannelAnalyzer;
import dev.lathe.pruning.graph.ChannelGraph;
import dev.lathe.pruning.graph.ChannelGroup;
import dev.lathe.pruning.importance.CicImportance;
import dev.lathe.pruning.importance.GradientSet;
import dev.lathe.pruning.importance.GradientSource;
import dev.lathe.pruning.importance.ImportanceOptions;
import dev.lathe.pruning.importance.Importances;
import dev.lathe.pruning.importance.MagnitudeImportance;
import dev.lathe.pruning.importance.RandomImportance;
import dev.lathe.pruning.importance.TaylorImportance;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The registry of criteria by name. */
class ImportancesTest {
    private final Model model = Graphs.residual();
    private final ChannelGraph graph = new ChannelAnalyzer(Set.of()).analyze(model);
    private final GradientSet grads = CicStatisticsTest.randomGradients(model, new int[] {0, 1, 1, 2}, new Random(3));
    private final ImportanceOptions options = ImportanceOptions.defaults().withSeed(7).withCicAlpha(0.5)
            .withGradients(GradientSource.fixed(grads));

    @Test
    void everyNameMakesTheCriterionOfThatName() throws Exception {
        assertEquals(java.util.List.of("l1", "l2", "bn", "taylor", "fpgm", "cic", "random"), Importances.NAMES);
        for (String name : Importances.NAMES) {
            var criterion = Importances.byName(name, options);
            assertEquals(name, criterion.name());
            assertEquals(name, criterion.importanceFor(model, graph).name());
        }
    }

    @Test
    void registryScoresAsTheCriteriaThemselves() throws Exception {
        for (ChannelGroup g : graph.prunableGroups()) {
            assertArrayEquals(new MagnitudeImportance(1).score(g),
                    Importances.byName("l1", options).importanceFor(model, graph).score(g));
            assertArrayEquals(new RandomImportance(7).score(g),
                    Importances.byName("random", options).importanceFor(model, graph).score(g));
            // Statistics folded batch by batch give the scores of the kept gradient set, bit for bit.
            assertArrayEquals(new CicImportance(grads, 0.5).score(g),
                    Importances.byName("cic", options).importanceFor(model, graph).score(g));
            double[] taylor = new double[g.unitCount()];
            for (GradientSet.Batch b : grads.batches()) {
                double[] s = new TaylorImportance(b.gradients()).score(g);
                for (int u = 0; u < s.length; u++) {
                    taylor[u] += s[u] / grads.batches().size();
                }
            }
            assertArrayEquals(taylor, Importances.byName("taylor", options).importanceFor(model, graph).score(g),
                    1e-12);
        }
    }

    @Test
    void unknownNameIsOneLineListingTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Importances.byName("l3", options));
        assertTrue(e.getMessage().startsWith("unknown criterion 'l3'"), e.getMessage());
        for (String name : Importances.NAMES) {
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void gradientCriteriaNeedAGradientSource() {
        for (String name : Importances.NAMES) {
            boolean gradients = name.equals("taylor") || name.equals("cic");
            assertEquals(gradients, Importances.needsGradients(name), name);
            if (gradients) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Importances.byName(name, ImportanceOptions.defaults()));
                assertTrue(e.getMessage().contains("needs gradients"), e.getMessage());
            } else {
                assertEquals(name, Importances.byName(name, ImportanceOptions.defaults()).name());
            }
        }
    }
}
