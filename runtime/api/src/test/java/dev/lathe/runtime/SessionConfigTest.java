package dev.lathe.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings an engine builder needs (precision, shape ranges, a cache) and their checks. */
class SessionConfigTest {

    @Test
    void defaultsAreFp32WithoutProfilesOrCache() {
        SessionConfig c = SessionConfig.defaults();
        assertEquals(SessionConfig.Precision.FP32, c.precision());
        assertEquals(Map.of(), c.shapeProfiles());
        assertNull(c.cacheDir());
    }

    @Test
    void withersKeepEveryOtherSetting() {
        SessionConfig.ShapeProfile p = new SessionConfig.ShapeProfile(new long[] {1, 3, 224, 224},
                new long[] {8, 3, 224, 224}, new long[] {32, 3, 224, 224});
        SessionConfig c = SessionConfig.defaults().withThreads(2, 1).withExposedIntermediates(List.of("h"))
                .withPrecision(SessionConfig.Precision.INT8_QDQ).withShapeProfile("x", p)
                .withCacheDir(Path.of("cache")).withDevice(SessionConfig.Device.cuda(1))
                .withOptimization(SessionConfig.Optimization.BASIC).withIdleSpinning(false);
        assertEquals(new SessionConfig(SessionConfig.Device.cuda(1), 2, 1, SessionConfig.Optimization.BASIC,
                List.of("h"), SessionConfig.Precision.INT8_QDQ, Map.of("x", p), Path.of("cache"), false), c);
        assertArrayEquals(new long[] {8, 3, 224, 224}, c.shapeProfiles().get("x").opt());
    }

    @Test
    void aFixedProfileIsOneShapeThreeTimes() {
        SessionConfig.ShapeProfile p = SessionConfig.ShapeProfile.fixed(1, 3, 32, 32);
        assertArrayEquals(p.min(), p.max());
        assertEquals(new SessionConfig.ShapeProfile(new long[] {1, 3, 32, 32}, new long[] {1, 3, 32, 32},
                new long[] {1, 3, 32, 32}), p);
    }

    @Test
    void profilesMustBeOrderedAndOfOneRank() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SessionConfig.ShapeProfile(new long[] {1, 3}, new long[] {8, 3}, new long[] {4, 3}));
        assertEquals("shape profile needs 0 <= min <= opt <= max in every dimension, dimension 0 has 1, 8, 4",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new SessionConfig.ShapeProfile(new long[] {1}, new long[] {1, 3}, new long[] {1, 3}));
        assertTrue(e.getMessage().startsWith("shape profile ranks differ"), e.getMessage());
    }
}
