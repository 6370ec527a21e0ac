package dev.lathe.models;

import dev.lathe.graph.ir.Tensor;
import java.nio.charset.StandardCharsets;

/**
 * The deterministic pseudo-random tensors of the parity fixtures, bit-for-bit the values
 * {@code src/test/resources/parity/generate.py} puts into the PyTorch reference (splitmix64 of an FNV-1a key seed,
 * float32 arithmetic), so the fixtures store outputs only, never weights.
 */
final class ReferenceWeights {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private ReferenceWeights() {}

    static long keySeed(String key) {
        long h = 0xCBF29CE484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001B3L;
        }
        return h;
    }

    static float[] uniform(String key, int n) {
        long seed = keySeed(key);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            long z = seed + (i + 1L) * GOLDEN;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            float u = (float) (z >>> 40) * (float) Math.pow(2, -24);
            out[i] = 2f * u - 1f;
        }
        return out;
    }

    /** The value of state_dict entry {@code key} with shape {@code dims}, as generate.py's reference_value. */
    static Tensor value(String key, long[] dims) {
        int n = (int) Tensor.numel(dims);
        float[] v = uniform(key, n);
        if (key.endsWith("running_var")) {
            scaleShift(v, 0.5f, 1f);
        } else if (dims.length == 1 && key.endsWith("weight")) {
            scaleShift(v, 0.25f, 1f);
        } else if (dims.length >= 2 && key.endsWith("weight")) {
            long fanIn = n / dims[0];
            scaleShift(v, (float) Math.sqrt(6.0 / fanIn), 0f);
        } else {
            scaleShift(v, 0.1f, 0f);
        }
        return Tensor.ofFloats(dims, v);
    }

    private static void scaleShift(float[] v, float scale, float shift) {
        for (int i = 0; i < v.length; i++) {
            v[i] = shift == 0f ? v[i] * scale : shift + scale * v[i];
        }
    }
}
