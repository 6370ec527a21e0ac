package dev.lathe.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replays draws a Python reference recorded as {@code kind:value} tokens, checking each draw's kind and bounds. */
final class ReplayDraws implements Draws {
    private final String[] tokens;
    private int next;

    ReplayDraws(String recorded) {
        this.tokens = recorded.isBlank() ? new String[0] : recorded.trim().split(" ");
    }

    private String take(String kind) {
        assertTrue(next < tokens.length, "the Java code drew more than the reference (" + kind + ")");
        String t = tokens[next++];
        int colon = t.indexOf(':');
        assertEquals(kind, t.substring(0, colon), "draw " + (next - 1) + " kind");
        return t.substring(colon + 1);
    }

    void assertAllUsed() {
        assertEquals(tokens.length, next, "the Java code drew fewer values than the reference");
    }

    @Override
    public double random() {
        return Double.parseDouble(take("random"));
    }

    @Override
    public double uniform(double a, double b) {
        double v = Double.parseDouble(take("uniform"));
        assertTrue(v >= Math.min(a, b) && v <= Math.max(a, b), "uniform " + v + " outside " + a + ".." + b);
        return v;
    }

    @Override
    public int randint(int lo, int hi) {
        int v = Integer.parseInt(take("randint"));
        assertTrue(v >= lo && v <= hi, "randint " + v + " outside " + lo + ".." + hi);
        return v;
    }

    @Override
    public double gauss(double mu, double sigma) {
        return Double.parseDouble(take("gauss"));
    }

    @Override
    public int index(int n) {
        int v = Integer.parseInt(take("index"));
        assertTrue(v >= 0 && v < n, "index " + v + " outside 0.." + (n - 1));
        return v;
    }

    @Override
    public float normal() {
        return (float) Double.parseDouble(take("normal"));
    }

    @Override
    public double beta(double alpha) {
        return Double.parseDouble(take("beta"));
    }

    @Override
    public double[] dirichlet(double alpha, int n) {
        String[] values = take("dirichlet").split(",");
        assertEquals(n, values.length, "dirichlet size");
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = Double.parseDouble(values[i]);
        }
        return v;
    }
}
