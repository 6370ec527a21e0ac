package dev.lathe.runtime.data;

import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.ImageProcessingException;
import com.drew.metadata.Metadata;
import com.drew.metadata.MetadataException;
import com.drew.metadata.exif.ExifIFD0Directory;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * EXIF orientation (tag 0x0112, values 1..8), read with metadata-extractor and applied as PIL's
 * {@code ImageOps.exif_transpose} does: 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise,
 * 7 transverse, 8 rotate 90 counter-clockwise. Cameras store pixels as the sensor saw them and this tag says how to
 * show them, so a portrait photo is classified upright, as torchvision pipelines that call exif_transpose see it.
 */
final class Orientation {
    private Orientation() {}

    /** The orientation tag of an encoded image, 1 when it has none or its metadata cannot be read. */
    static int read(byte[] bytes) {
        try {
            Metadata md = ImageMetadataReader.readMetadata(new ByteArrayInputStream(bytes), bytes.length);
            for (ExifIFD0Directory d : md.getDirectoriesOfType(ExifIFD0Directory.class)) {
                if (d.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
                    int o = d.getInt(ExifIFD0Directory.TAG_ORIENTATION);
                    return o >= 1 && o <= 8 ? o : 1;
                }
            }
        } catch (ImageProcessingException | IOException | MetadataException | RuntimeException e) {
            // no readable metadata: the pixels are shown as stored, as PIL does
        }
        return 1;
    }

    /** The image as displayed under orientation {@code o}. */
    static Image apply(Image in, int o) {
        if (o <= 1 || o > 8) {
            return in;
        }
        int w = in.width();
        int h = in.height();
        boolean swap = o >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        byte[] src = in.rgb();
        byte[] out = new byte[src.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (o) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; } // 8
                }
                int s = 3 * (sy * w + sx);
                int d = 3 * (y * ow + x);
                out[d] = src[s];
                out[d + 1] = src[s + 1];
                out[d + 2] = src[s + 2];
            }
        }
        return new Image(ow, oh, out);
    }
}
