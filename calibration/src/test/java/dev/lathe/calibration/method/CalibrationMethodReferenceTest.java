package dev.lathe.calibration.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.calibration.stats.TensorStats;
import dev.lathe.runtime.io.Npy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each method against NumPy references written from the published algorithms (fixtures/generate_fixtures.py, run
 * by hand; tests never run Python). Two levels:
 * <ul>
 * <li>on the reference's own 2048-bin |x| histogram, entropy and mse must choose the same bin index exactly (same
 * algorithm, same input);</li>
 * <li>end to end, Lathe's zero-anchored histogram (width max|x|/2048, signed bins folded to |x|) differs from
 * NumPy's by where edges fall, and ORT's percentile reports a bin's lower edge where Lathe reports the upper one, so
 * thresholds must agree within one bin of each histogram (reference width + Lathe width); minmax is exact.</li>
 * </ul>
 */
class CalibrationMethodReferenceTest {

    private static Properties expected() throws IOException {
        Properties p = new Properties();
        try (InputStream in = resource("expected.properties")) {
            p.load(in);
        }
        return p;
    }

    private static InputStream resource(String name) {
        return CalibrationMethodReferenceTest.class.getResourceAsStream("/dev/lathe/calibration/fixtures/" + name);
    }

    private static float[] tensor(String name) throws IOException {
        try (InputStream in = resource(name + ".npy")) {
            return Npy.parse(ByteBuffer.wrap(in.readAllBytes()), name).toFloats();
        }
    }

    private static double value(Properties p, String key) {
        return Double.parseDouble(p.getProperty(key));
    }

    @ParameterizedTest
    @ValueSource(strings = {"heavy_tailed", "gaussian"})
    void entropyAndMseChooseTheReferenceBinOnTheReferenceHistogram(String name) throws IOException {
        Properties p = expected();
        long[] hist;
        try (InputStream in = resource(name + "_abs_hist.npy")) {
            hist = Npy.parse(ByteBuffer.wrap(in.readAllBytes()), name).toLongs();
        }
        assertEquals(2048, hist.length);
        assertEquals((int) value(p, name + ".entropy.bins"), CalibrationMethod.entropyBins(hist), "entropy");
        assertEquals((int) value(p, name + ".mse.bins"), CalibrationMethod.mseBins(hist), "mse");
    }

    @ParameterizedTest
    @ValueSource(strings = {"heavy_tailed", "gaussian"})
    void thresholdsMatchTheReferencesWithinOneBinOfEachHistogram(String name) throws IOException {
        Properties p = expected();
        float[] x = tensor(name);
        TensorStats s = TensorStats.of(x, 0);
        double w = s.histogram().width();
        double absTol = w + value(p, name + ".abs_bin_width");
        double signedTol = w + value(p, name + ".signed_bin_width");

        CalibrationRange minmax = CalibrationMethod.MINMAX.range(s, 0, false);
        assertEquals(value(p, name + ".minmax.min"), minmax.min(), 0);
        assertEquals(value(p, name + ".minmax.max"), minmax.max(), 0);
        double maxAbs = Math.max(-minmax.min(), minmax.max());
        assertEquals(maxAbs, CalibrationMethod.MINMAX.range(s, 0, true).max(), 0);

        for (double pct : new double[] {99.999, 99.0}) {
            String key = name + ".percentile." + pct;
            assertEquals(value(p, key + ".symmetric"), CalibrationMethod.PERCENTILE.range(s, pct, true).max(),
                    absTol, key + " symmetric");
            CalibrationRange a = CalibrationMethod.PERCENTILE.range(s, pct, false);
            assertEquals(value(p, key + ".min"), a.min(), signedTol, key + " min");
            assertEquals(value(p, key + ".max"), a.max(), signedTol, key + " max");
        }
        assertEquals(value(p, name + ".entropy"), CalibrationMethod.ENTROPY.range(s, 0, true).max(), absTol,
                "entropy");
        assertEquals(value(p, name + ".mse"), CalibrationMethod.MSE.range(s, 0, true).max(), absTol, "mse");
    }

    @ParameterizedTest
    @ValueSource(strings = {"heavy_tailed"})
    void entropyClipsAHeavyTailWellBelowTheMaximum(String name) throws IOException {
        TensorStats s = TensorStats.of(tensor(name), 0);
        double threshold = CalibrationMethod.ENTROPY.range(s, 0, true).max();
        // ORT's Entropy with its defaults (128 bins, 128 quantized bins) has a single candidate: the full range
        assertTrue(threshold < 0.25 * s.maxAbs(), "entropy threshold " + threshold + " vs max|x| " + s.maxAbs());
        assertTrue(threshold > 0, "a positive threshold");
    }
}
