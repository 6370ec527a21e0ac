package dev.lathe.runtime.dynamic;

/**
 * Where a cascade's time went, summed over its runs since the last {@link #reset}: wall time of whole runs, time
 * inside the three models' sessions, and the rest (resize, CAM, patch selection, gathers, softmax, bookkeeping),
 * which is the scheduler's own cost.
 */
public final class CascadeStats {
    private long runs;
    private long images;
    private long totalNanos;
    private long sessionNanos;
    private long resizeNanos;
    private long[] exits = new long[0];

    synchronized void add(int n, long total, long session, long resize, int[] exitStage, int stages) {
        if (exits.length < stages) {
            exits = java.util.Arrays.copyOf(exits, stages);
        }
        runs++;
        images += n;
        totalNanos += total;
        sessionNanos += session;
        resizeNanos += resize;
        for (int s : exitStage) {
            exits[s]++;
        }
    }

    public synchronized void reset() {
        runs = 0;
        images = 0;
        totalNanos = 0;
        sessionNanos = 0;
        resizeNanos = 0;
        exits = new long[0];
    }

    public synchronized long runs() {
        return runs;
    }

    public synchronized long images() {
        return images;
    }

    public synchronized long totalNanos() {
        return totalNanos;
    }

    public synchronized long sessionNanos() {
        return sessionNanos;
    }

    /** Of the scheduler's time, the stage-0 bicubic resize (a model's preprocessing rather than scheduling). */
    public synchronized long resizeNanos() {
        return resizeNanos;
    }

    public synchronized long[] exits() {
        return exits.clone();
    }

    /** Share of wall time spent outside the sessions (including the resize); 0 when nothing ran. */
    public synchronized double schedulerShare() {
        return totalNanos == 0 ? 0 : (double) (totalNanos - sessionNanos) / totalNanos;
    }
}
