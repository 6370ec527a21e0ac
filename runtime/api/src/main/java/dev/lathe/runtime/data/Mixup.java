package dev.lathe.runtime.data;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * timm's Mixup / CutMix (timm 0.6.13, {@code timm/data/mixup.py}, read as a specification) on a batch of normalised
 * float32 NCHW images: image i is mixed with image N-1-i (timm pairs a batch with its reverse) and the targets become
 * {@code lam * smooth(onehot(y_i)) + (1 - lam) * smooth(onehot(y_{N-1-i}))}, with timm's label smoothing folded in
 * (off = eps / C, on = 1 - eps + off). Per batch, pair or element: with probability {@code prob} a lambda from
 * Beta(alpha, alpha); with both alphas set, CutMix is chosen with probability {@code switchProb}; CutMix pastes a box
 * of side sqrt(1 - lam) times the image's, centred uniformly and clipped to the image, and lambda becomes the kept
 * area fraction. With {@code cutmixMinmax} (timm's cutmix_minmax) the cutmix alpha is forced to 1.0 and the box
 * is rand_bbox_minmax's instead: height and width uniform integers in [int(H * min), int(H * max)) (likewise W), then
 * a top-left corner that keeps the box inside the image; lambda is again the kept area fraction. Arithmetic is
 * float32 where torch's is (the blend, the targets) and double where timm's Python is (the box, the corrected
 * lambda); draws are made in timm's order so tests replay timm's own draws.
 */
public final class Mixup {
    /** How lambdas are shared: one per batch, one per mirrored pair, one per element. */
    public enum Mode {
        BATCH, PAIR, ELEM;

        public static Mode parse(String s, String flag) {
            for (Mode m : values()) {
                if (m.name().toLowerCase(Locale.ROOT).equals(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException(flag + " " + s + ": expected batch, pair or elem");
        }
    }

    private final double mixupAlpha;
    private final double cutmixAlpha;
    private final double[] cutmixMinmax;
    private final double prob;
    private final double switchProb;
    private final Mode mode;
    private final double labelSmoothing;
    private final int numClasses;

    /** {@code cutmixMinmax}: null, or {min, max} box side fractions with 0 < min < max <= 1 (forces cutmix alpha 1). */
    public Mixup(double mixupAlpha, double cutmixAlpha, double[] cutmixMinmax, double prob, double switchProb,
            Mode mode, double labelSmoothing, int numClasses) {
        if (cutmixMinmax != null) {
            if (cutmixMinmax.length != 2 || !(cutmixMinmax[0] > 0 && cutmixMinmax[0] < cutmixMinmax[1]
                    && cutmixMinmax[1] <= 1)) {
                throw new IllegalArgumentException("--cutmix-minmax needs MIN,MAX with 0 < MIN < MAX <= 1, got "
                        + minmaxString(cutmixMinmax));
            }
            cutmixMinmax = cutmixMinmax.clone();
            cutmixAlpha = 1.0; // timm forces it so that cutmix is on
        }
        if (!(mixupAlpha >= 0) || !(cutmixAlpha >= 0) || mixupAlpha + cutmixAlpha == 0) {
            throw new IllegalArgumentException("mixup needs alphas >= 0 and at least one > 0 (--mixup, --cutmix); got "
                    + mixupAlpha + ", " + cutmixAlpha);
        }
        if (!(prob >= 0 && prob <= 1) || !(switchProb >= 0 && switchProb <= 1)) {
            throw new IllegalArgumentException("--mixup-prob and --mixup-switch-prob must be in [0, 1], got " + prob
                    + ", " + switchProb);
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 1) || numClasses < 1) {
            throw new IllegalArgumentException("mixup needs label smoothing in [0, 1) and classes >= 1, got "
                    + labelSmoothing + ", " + numClasses);
        }
        this.mixupAlpha = mixupAlpha;
        this.cutmixAlpha = cutmixAlpha;
        this.cutmixMinmax = cutmixMinmax;
        this.prob = prob;
        this.switchProb = switchProb;
        this.mode = mode;
        this.labelSmoothing = labelSmoothing;
        this.numClasses = numClasses;
    }

    public int numClasses() {
        return numClasses;
    }

    /** Refuses an image size for which --cutmix-minmax leaves no box size (numpy's randint would raise). */
    public void checkImageSize(int h, int w) {
        if (cutmixMinmax != null) {
            minmaxHigh(h);
            minmaxHigh(w);
        }
    }

    /**
     * Mixes the first {@code n} images of {@code x} ([n, c, h, w] from index 0) in place and writes [n, numClasses]
     * soft targets from the labels. {@code n} must be even (timm asserts it; training loaders drop the last batch).
     */
    public void apply(FloatBuffer x, LongBuffer labels, int n, int c, int h, int w, FloatBuffer targets, Draws d) {
        if (n % 2 != 0) {
            throw new IllegalArgumentException("mixup/cutmix needs an even batch size, got " + n);
        }
        int per = c * h * w;
        float[] lamRows = new float[n];
        switch (mode) {
            case BATCH -> {
                double lam = 1.0;
                boolean cut = false;
                if (d.random() < prob) {
                    if (mixupAlpha > 0 && cutmixAlpha > 0) {
                        cut = d.random() < switchProb;
                        lam = cut ? d.beta(cutmixAlpha) : d.beta(mixupAlpha);
                    } else if (mixupAlpha > 0) {
                        lam = d.beta(mixupAlpha);
                    } else {
                        cut = true;
                        lam = d.beta(cutmixAlpha);
                    }
                }
                if (lam != 1.0) {
                    float[] orig = copy(x, n * per);
                    if (cut) {
                        int[] box = new int[4];
                        lam = cutmixBox(h, w, lam, false, d, box);
                        for (int i = 0; i < n; i++) {
                            paste(x, orig, i, n - 1 - i, c, h, w, box);
                        }
                    } else {
                        float a = (float) lam;
                        float b = (float) (1.0 - lam);
                        for (int i = 0; i < n; i++) {
                            int j = n - 1 - i;
                            for (int k = 0; k < per; k++) {
                                x.put(i * per + k, orig[i * per + k] * a + orig[j * per + k] * b);
                            }
                        }
                    }
                }
                writeTargets(labels, n, targets, (float) lam, (float) (1.0 - lam), null);
                return;
            }
            case PAIR, ELEM -> {
                int m = mode == Mode.PAIR ? n / 2 : n;
                float[] lam = new float[m];
                boolean[] cut = new boolean[m];
                Arrays.fill(lam, 1f);
                if (mixupAlpha > 0 && cutmixAlpha > 0) {
                    for (int i = 0; i < m; i++) {
                        cut[i] = d.random() < switchProb;
                    }
                    double[] cb = new double[m];
                    double[] mb = new double[m];
                    for (int i = 0; i < m; i++) {
                        cb[i] = d.beta(cutmixAlpha);
                    }
                    for (int i = 0; i < m; i++) {
                        mb[i] = d.beta(mixupAlpha);
                    }
                    for (int i = 0; i < m; i++) {
                        lam[i] = (float) (cut[i] ? cb[i] : mb[i]);
                    }
                } else {
                    boolean cutmix = mixupAlpha == 0;
                    for (int i = 0; i < m; i++) {
                        cut[i] = cutmix;
                        lam[i] = (float) d.beta(cutmix ? cutmixAlpha : mixupAlpha);
                    }
                }
                for (int i = 0; i < m; i++) {
                    if (!(d.random() < prob)) {
                        lam[i] = 1f;
                    }
                }
                float[] orig = copy(x, n * per);
                int[] box = new int[4];
                for (int i = 0; i < m; i++) {
                    int j = n - 1 - i;
                    if (lam[i] == 1f) {
                        continue;
                    }
                    if (cut[i]) {
                        lam[i] = (float) cutmixBox(h, w, lam[i], true, d, box);
                        paste(x, orig, i, j, c, h, w, box);
                        if (mode == Mode.PAIR) {
                            paste(x, orig, j, i, c, h, w, box);
                        }
                    } else {
                        float a = lam[i];
                        float b = 1f - lam[i]; // numpy float32 arithmetic
                        for (int k = 0; k < per; k++) {
                            x.put(i * per + k, orig[i * per + k] * a + orig[j * per + k] * b);
                        }
                        if (mode == Mode.PAIR) {
                            for (int k = 0; k < per; k++) {
                                x.put(j * per + k, orig[j * per + k] * a + orig[i * per + k] * b);
                            }
                        }
                    }
                }
                for (int i = 0; i < n; i++) {
                    lamRows[i] = mode == Mode.PAIR ? lam[i < m ? i : n - 1 - i] : lam[i];
                }
                writeTargets(labels, n, targets, 0f, 0f, lamRows);
                return;
            }
            default -> throw new IllegalStateException(mode.name());
        }
    }

    private static float[] copy(FloatBuffer x, int count) {
        float[] a = new float[count];
        x.get(0, a, 0, count);
        return a;
    }

    /**
     * rand_bbox (or rand_bbox_minmax, which ignores {@code lam}) + lambda correction: fills (yl, yh, xl, xh) and
     * returns 1 - box area / image area. Per-element lambdas are numpy float32 scalars in timm, so their box side is
     * computed in float32 ({@code float32}).
     */
    private double cutmixBox(int h, int w, double lam, boolean float32, Draws d, int[] box) {
        if (cutmixMinmax != null) {
            int cutH = d.randint((int) (h * cutmixMinmax[0]), minmaxHigh(h) - 1);
            int cutW = d.randint((int) (w * cutmixMinmax[0]), minmaxHigh(w) - 1);
            box[0] = d.randint(0, h - cutH - 1);
            box[1] = box[0] + cutH;
            box[2] = d.randint(0, w - cutW - 1);
            box[3] = box[2] + cutW;
        } else {
            cutmixBoxFromLam(h, w, lam, float32, d, box);
        }
        double area = (double) (box[1] - box[0]) * (box[3] - box[2]);
        return 1.0 - area / (double) (h * w);
    }

    /** numpy's randint(int(side * min), int(side * max)) needs a non-empty range. */
    private int minmaxHigh(int side) {
        int lo = (int) (side * cutmixMinmax[0]);
        int hi = (int) (side * cutmixMinmax[1]);
        if (hi <= lo) {
            throw new IllegalArgumentException("--cutmix-minmax " + minmaxString(cutmixMinmax) + " leaves no box size"
                    + " for a side of " + side + " pixels: int(" + side + " * MIN) = " + lo + " must be below int("
                    + side + " * MAX) = " + hi);
        }
        return hi;
    }

    /** rand_bbox: a box of side sqrt(1 - lam) times the image's, centred uniformly and clipped to the image. */
    private static void cutmixBoxFromLam(int h, int w, double lam, boolean float32, Draws d, int[] box) {
        int cutH;
        int cutW;
        if (float32) {
            float ratio = (float) Math.sqrt(1f - (float) lam);
            cutH = (int) (h * ratio);
            cutW = (int) (w * ratio);
        } else {
            double ratio = Math.sqrt(1 - lam);
            cutH = (int) (h * ratio);
            cutW = (int) (w * ratio);
        }
        int cy = d.randint(0, h - 1);
        int cx = d.randint(0, w - 1);
        box[0] = clamp(cy - cutH / 2, h);
        box[1] = clamp(cy + cutH / 2, h);
        box[2] = clamp(cx - cutW / 2, w);
        box[3] = clamp(cx + cutW / 2, w);
    }

    private static int clamp(int v, int hi) {
        return v < 0 ? 0 : Math.min(v, hi);
    }

    /** Image i's box takes image j's (original) pixels. */
    private static void paste(FloatBuffer x, float[] orig, int i, int j, int c, int h, int w, int[] box) {
        int per = c * h * w;
        for (int ch = 0; ch < c; ch++) {
            for (int y = box[0]; y < box[1]; y++) {
                for (int xx = box[2]; xx < box[3]; xx++) {
                    int k = (ch * h + y) * w + xx;
                    x.put(i * per + k, orig[j * per + k]);
                }
            }
        }
    }

    /** timm's mixup_target in float32: one lambda for the batch ({@code rows} null) or one per row. */
    private void writeTargets(LongBuffer labels, int n, FloatBuffer t, float lam, float oneMinus, float[] rows) {
        double off = labelSmoothing / numClasses;
        float offF = (float) off;
        float onF = (float) (1.0 - labelSmoothing + off);
        for (int i = 0; i < n; i++) {
            float a = rows == null ? lam : rows[i];
            float b = rows == null ? oneMinus : 1f - rows[i];
            int yi = checkedLabel(labels.get(i));
            int yj = checkedLabel(labels.get(n - 1 - i));
            for (int k = 0; k < numClasses; k++) {
                float y1 = k == yi ? onF : offF;
                float y2 = k == yj ? onF : offF;
                t.put(i * numClasses + k, y1 * a + y2 * b);
            }
        }
    }

    private int checkedLabel(long y) {
        if (y < 0 || y >= numClasses) {
            throw new IllegalArgumentException("label " + y + " outside 0.." + (numClasses - 1));
        }
        return (int) y;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Mixup(mixup %s, cutmix %s%s, prob %s, switch %s, mode %s, smoothing %s)",
                mixupAlpha, cutmixAlpha, cutmixMinmax == null ? "" : ", cutmix minmax " + minmaxString(cutmixMinmax),
                prob, switchProb, mode.name().toLowerCase(Locale.ROOT), labelSmoothing);
    }

    private static String minmaxString(double[] minmax) {
        return Arrays.stream(minmax).mapToObj(Double::toString).collect(Collectors.joining(","));
    }
}
