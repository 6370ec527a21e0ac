package dev.lathe.graph.pass;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.validate.ModelValidator;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs passes in order, optionally repeating the whole list until a round changes nothing. Each pass's
 * precondition, body and postcondition run in turn; with {@link #checkingWellFormed()} the graph's well-formedness
 * ({@link ModelValidator#requireWellFormed}) is checked after every pass too. The first failure stops the run with a
 * {@link PassFailedException} naming the pass and the passes before it. A runner is itself a pass, so pipelines nest.
 */
public final class PassRunner implements Pass {
    private final String name;
    private final List<Pass> passes;
    private final int maxRounds;
    private final boolean checkWellFormed;
    private final List<Step> lastRun = new ArrayList<>();

    /** One executed pass in the last run: round number from 1, and whether it changed the model. */
    public record Step(String pass, int round, boolean modified) {}

    private PassRunner(String name, List<Pass> passes, int maxRounds, boolean checkWellFormed) {
        if (maxRounds < 1) {
            throw new IllegalArgumentException("maxRounds must be >= 1, got " + maxRounds);
        }
        this.name = name;
        this.passes = List.copyOf(passes);
        this.maxRounds = maxRounds;
        this.checkWellFormed = checkWellFormed;
    }

    /** Runs each pass once, in order. */
    public static PassRunner of(String name, List<Pass> passes) {
        return new PassRunner(name, passes, 1, false);
    }

    public static PassRunner of(String name, Pass... passes) {
        return of(name, List.of(passes));
    }

    /** The same passes, repeated until a whole round changes nothing (at most {@code maxRounds} rounds). */
    public PassRunner toFixedPoint(int maxRounds) {
        return new PassRunner(name, passes, maxRounds, checkWellFormed);
    }

    /** The same passes, with the graph's well-formedness checked after each one. */
    public PassRunner checkingWellFormed() {
        return new PassRunner(name, passes, maxRounds, true);
    }

    public List<Pass> passes() {
        return passes;
    }

    @Override
    public String name() {
        return name;
    }

    /** What the last {@link #apply} ran, in order. */
    public List<Step> lastRun() {
        return List.copyOf(lastRun);
    }

    @Override
    public PassResult apply(Model model) {
        lastRun.clear();
        List<String> before = new ArrayList<>();
        boolean anyChange = false;
        for (int round = 1; round <= maxRounds; round++) {
            boolean roundChanged = false;
            for (Pass p : passes) {
                String label = round == 1 ? p.name() : p.name() + "#" + round;
                PassResult r;
                try {
                    p.requires(model);
                    r = p.apply(model);
                    if (r == null || r.model() == null) {
                        throw new PassException(p.name() + " returned no model");
                    }
                    model = r.model();
                    p.ensures(model);
                    if (checkWellFormed) {
                        ModelValidator.requireWellFormed(model.graph());
                    }
                } catch (PassFailedException e) {
                    // a nested runner already named its failing pass; prefix the passes run here before it
                    List<String> all = new ArrayList<>(before);
                    all.addAll(e.passesBefore());
                    throw new PassFailedException(e.failedPass(), all, (RuntimeException) e.getCause());
                } catch (RuntimeException e) {
                    throw new PassFailedException(label, before, e);
                }
                before.add(label);
                lastRun.add(new Step(p.name(), round, r.modified()));
                roundChanged |= r.modified();
            }
            anyChange |= roundChanged;
            if (!roundChanged) {
                break;
            }
        }
        return new PassResult(model, anyChange);
    }
}
