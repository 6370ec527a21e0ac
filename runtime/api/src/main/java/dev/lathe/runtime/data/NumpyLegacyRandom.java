package dev.lathe.runtime.data;

/**
 * numpy's legacy global generator ({@code np.random.seed(s)} / {@code RandomState}): MT19937 seeded by the
 * reference init_genrand, and {@code shuffle} as numpy does it for 1-D arrays (Fisher-Yates from the end, each draw
 * a bounded integer by masked rejection on 32-bit outputs). Only what the CIFAR-LT selection needs.
 */
final class NumpyLegacyRandom {
    private static final int N = 624;
    private static final int M = 397;
    private final int[] mt = new int[N];
    private int mti;

    NumpyLegacyRandom(long seed) {
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        mti = N;
    }

    int nextInt32() {
        if (mti >= N) {
            for (int k = 0; k < N; k++) {
                int y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
                mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
            }
            mti = 0;
        }
        int y = mt[mti++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** Uniform integer in [0, max] by numpy's masked rejection (max below 2^32). */
    long interval(long max) {
        if (max == 0) {
            return 0;
        }
        long mask = max;
        mask |= mask >>> 1;
        mask |= mask >>> 2;
        mask |= mask >>> 4;
        mask |= mask >>> 8;
        mask |= mask >>> 16;
        long v;
        do {
            v = (nextInt32() & 0xffffffffL) & mask;
        } while (v > max);
        return v;
    }

    void shuffle(int[] a) {
        for (int i = a.length - 1; i >= 1; i--) {
            int j = (int) interval(i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
