package dev.lathe.runtime.data;

/**
 * An 8-bit RGB image, row-major and channel-interleaved (HWC), the layout of a PIL "RGB" image. Augmentations work
 * on this form, as torchvision's PIL path does, so their rounding to 8 bits happens where PIL's does.
 */
public final class Image {
    private final int width;
    private final int height;
    private final byte[] rgb;

    public Image(int width, int height, byte[] rgb) {
        if (width < 1 || height < 1 || rgb.length != 3 * width * height) {
            throw new IllegalArgumentException("image " + width + "x" + height + " needs " + 3L * width * height
                    + " bytes, got " + rgb.length);
        }
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /** From planar CHW bytes (1024 R, 1024 G, 1024 B for CIFAR). */
    public static Image fromPlanar(byte[] planes, int offset, int width, int height) {
        int n = width * height;
        byte[] out = new byte[3 * n];
        for (int p = 0; p < n; p++) {
            out[3 * p] = planes[offset + p];
            out[3 * p + 1] = planes[offset + n + p];
            out[3 * p + 2] = planes[offset + 2 * n + p];
        }
        return new Image(width, height, out);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The pixel bytes (not copied; transforms never modify their input). */
    public byte[] rgb() {
        return rgb;
    }

    /** Channel {@code c} of pixel (x, y) as 0..255. */
    public int get(int x, int y, int c) {
        return rgb[3 * (y * width + x) + c] & 0xff;
    }
}
