package dev.lathe.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The preprocessing record: JSON round trip, presets, and equality with the data pipeline's evaluation path. */
class PreprocessingTest {
    @Test
    void jsonRoundTripsAndPresetsParse() {
        Preprocessing p = new Preprocessing(73, Interpolation.BICUBIC, 64, 48, new float[] {0.1f, 0.2f, 0.3f},
                new float[] {0.5f, 0.25f, 0.125f}, "bgr", "nhwc");
        assertEquals(p, Preprocessing.parse(p.toJson()));
        assertEquals(Preprocessing.imagenet(224), Preprocessing.parse("imagenet"));
        assertEquals(256, Preprocessing.parse("imagenet:224").resize());
        assertEquals(Preprocessing.cifar(32), Preprocessing.parse("cifar"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Preprocessing.parse("{\"crop\":[224,224],\"mean\":[0,0],\"std\":[1,1,1]}"));
        assertTrue(e.getMessage().contains("'mean'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Preprocessing.parse("{\"crop\":[224,224],"
                + "\"interpolation\":\"nearest\",\"mean\":[0,0,0],\"std\":[1,1,1]}"));
        assertTrue(e.getMessage().contains("'interpolation'"), e.getMessage());
    }

    /** write() is the data pipeline's transform + Normalize; BGR/NHWC only move the same values. */
    @Test
    void writeEqualsThePipelineAndPermutesForBgrNhwc() {
        byte[] px = new byte[3 * 40 * 30];
        new Random(1).nextBytes(px);
        Image im = new Image(40, 30, px);
        Preprocessing p = Preprocessing.imagenet(16);
        float[] expected = new float[3 * 16 * 16];
        Normalize.IMAGENET.write(Transforms.compose(Transforms.resizeShorter(18, Interpolation.BILINEAR),
                Transforms.centerCrop(16, 16)).apply(im, new Random(0)), FloatBuffer.wrap(expected));
        float[] got = new float[expected.length];
        p.write(im, FloatBuffer.wrap(got));
        assertArrayEquals(expected, got);
        Preprocessing bgrNhwc = new Preprocessing(18, Interpolation.BILINEAR, 16, 16, p.mean(), p.std(), "BGR", "NHWC");
        float[] perm = new float[expected.length];
        bgrNhwc.write(im, FloatBuffer.wrap(perm));
        int n = 16 * 16;
        for (int q = 0; q < n; q++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[(2 - c) * n + q], perm[3 * q + c]);
            }
        }
    }

    @Test
    void dataSpecEvaluationUsesThePreprocessingRecord() {
        assertEquals(Preprocessing.imagenet(160), DataSpec.parse("imagefolder:/x,res=160").evalPreprocessing());
        assertEquals(Preprocessing.cifar(32), DataSpec.parse("cifar100:/x").evalPreprocessing());
    }
}
