package dev.lathe.runtime.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes an image file (JPEG, PNG, BMP, GIF: whatever javax.imageio reads) to 8-bit RGB. A file the readers
 * reject, or one they read only with a warning (a truncated JPEG decodes "successfully" with a premature-end
 * warning and grey rows), is a {@link CorruptImageException}. Greyscale is replicated into R, G, B as PIL's
 * {@code convert("RGB")} does, not passed through Java's colour management.
 */
public final class ImageDecoder {
    static {
        ImageIO.setUseCache(false);
    }

    private ImageDecoder() {}

    public static Image read(Path file) {
        return decode(file.toFile(), file.toString());
    }

    /**
     * Decodes an encoded image (JPEG, PNG, ...) from memory and applies its EXIF orientation, as PIL's
     * {@code ImageOps.exif_transpose} followed by {@code convert("RGB")} does; {@code label} names it in errors.
     */
    public static Image decodeOriented(byte[] bytes, String label) {
        Image im = decode(new java.io.ByteArrayInputStream(bytes), label);
        return Orientation.apply(im, Orientation.read(bytes));
    }

    /** {@link #decodeOriented(byte[], String)} of a file. */
    public static Image readOriented(Path file) throws IOException {
        return decodeOriented(java.nio.file.Files.readAllBytes(file), file.toString());
    }

    private static Image decode(Object input, String label) {
        List<String> warnings = new ArrayList<>();
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(input)) {
            if (in == null) {
                throw new CorruptImageException(label, "cannot open", null);
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new CorruptImageException(label, "no image reader recognises the format", null);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                img = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof CorruptImageException) {
                throw (CorruptImageException) e;
            }
            String m = String.valueOf(e.getMessage());
            if (m.contains("Unsupported Image Type")) {
                m = "CMYK/YCCK JPEGs are not supported; convert the file to RGB (e.g. convert in.jpg -colorspace sRGB"
                        + " out.jpg)";
            }
            throw new CorruptImageException(label, m, e);
        }
        if (!warnings.isEmpty()) {
            throw new CorruptImageException(label, String.join("; ", warnings), null);
        }
        return toRgb(img);
    }

    static Image toRgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[3 * w * h];
        if (img.getType() == BufferedImage.TYPE_3BYTE_BGR) {
            byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            for (int p = 0; p < w * h; p++) {
                out[3 * p] = bgr[3 * p + 2];
                out[3 * p + 1] = bgr[3 * p + 1];
                out[3 * p + 2] = bgr[3 * p];
            }
        } else if (img.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            Raster r = img.getRaster();
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int o = 3 * (y * w + x);
                    out[o] = out[o + 1] = out[o + 2] = (byte) row[x];
                }
            }
        } else {
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
            for (int p = 0; p < argb.length; p++) {
                out[3 * p] = (byte) (argb[p] >> 16);
                out[3 * p + 1] = (byte) (argb[p] >> 8);
                out[3 * p + 2] = (byte) argb[p];
            }
        }
        return new Image(w, h, out);
    }
}
