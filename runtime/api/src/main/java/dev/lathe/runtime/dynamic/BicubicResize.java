package dev.lathe.runtime.dynamic;

/**
 * PyTorch's {@code F.interpolate(x, size, mode='bicubic', align_corners=True)} on float32 CHW images (ONNX Resize
 * cubic, {@code coordinate_transformation_mode=align_corners}, {@code cubic_coeff_a=-0.75}). Written out rather than
 * run as an ONNX node so the resize sits in the scheduler's stage 0 with no extra session; the arithmetic follows
 * ATen's CPU kernel: source coordinate {@code scale * i} with the float {@code scale = (in - 1) / (out - 1)}, Keys
 * cubic weights with A = -0.75, taps clamped to the border, the width taps summed first and the height taps last.
 */
public final class BicubicResize {
    static final float A = -0.75f;

    private BicubicResize() {}

    /** Resizes {@code count} images of {@code channels x h x w} from {@code src} (at {@code srcOffset}) into dst. */
    public static void alignCorners(float[] src, int srcOffset, int channels, int h, int w, float[] dst,
            int dstOffset, int oh, int ow) {
        int[] yIndex = new int[oh * 4];
        float[] yWeight = new float[oh * 4];
        int[] xIndex = new int[ow * 4];
        float[] xWeight = new float[ow * 4];
        taps(h, oh, yIndex, yWeight);
        taps(w, ow, xIndex, xWeight);
        for (int c = 0; c < channels; c++) {
            int plane = srcOffset + c * h * w;
            int out = dstOffset + c * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float acc = 0;
                    for (int ty = 0; ty < 4; ty++) {
                        int row = plane + yIndex[4 * oy + ty] * w;
                        float t = 0;
                        for (int tx = 0; tx < 4; tx++) {
                            float v = src[row + xIndex[4 * ox + tx]] * xWeight[4 * ox + tx];
                            t = tx == 0 ? v : t + v;
                        }
                        float v = t * yWeight[4 * oy + ty];
                        acc = ty == 0 ? v : acc + v;
                    }
                    dst[out + oy * ow + ox] = acc;
                }
            }
        }
    }

    private static void taps(int in, int out, int[] index, float[] weight) {
        float scale = out > 1 ? (float) (in - 1) / (float) (out - 1) : 0f;
        for (int i = 0; i < out; i++) {
            // the float scale times i kept in double: PyTorch 1.13's output matches this to float noise (2e-6 on
            // N(0, 1) images) and is 5e-5 away when the product is rounded to float first
            double real = (double) scale * i;
            int base = (int) Math.floor(real);
            float t = (float) (real - base);
            weight[4 * i] = conv2(t + 1f);
            weight[4 * i + 1] = conv1(t);
            weight[4 * i + 2] = conv1(1f - t);
            weight[4 * i + 3] = conv2(2f - t);
            for (int k = 0; k < 4; k++) {
                index[4 * i + k] = Math.min(Math.max(base - 1 + k, 0), in - 1);
            }
        }
    }

    private static float conv1(float x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    private static float conv2(float x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }
}
