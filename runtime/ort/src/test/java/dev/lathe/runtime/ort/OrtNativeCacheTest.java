package dev.lathe.runtime.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ORT's native libraries are extracted once per user and loaded from there, not from a new temporary folder. */
class OrtNativeCacheTest {
    @TempDir
    Path tmp;

    @Test
    void extractsOnceAndReusesTheFolder() throws Exception {
        Path root = tmp.resolve("cache");
        Path dir = OrtNativeCache.ensure(root);
        assumeTrue(dir != null, "no ORT library bundled for " + System.getProperty("os.name") + "/"
                + System.getProperty("os.arch"));
        Path lib = dir.resolve(System.mapLibraryName("onnxruntime"));
        assertTrue(Files.size(lib) > 1_000_000, "the runtime library is in the cache");
        assertTrue(Files.isRegularFile(dir.resolve(System.mapLibraryName("onnxruntime4j_jni"))));
        long modified = Files.getLastModifiedTime(lib).toMillis();
        assertEquals(dir, OrtNativeCache.ensure(root), "the second process finds the same folder");
        assertEquals(modified, Files.getLastModifiedTime(lib).toMillis(), "and does not extract again");
        try (Stream<Path> s = Files.list(root)) {
            assertEquals(List.of(dir), s.toList(), "no extraction leftovers");
        }
    }

    /** Run in a child JVM so ORT is not loaded yet: it prints where libonnxruntime was mapped from. */
    public static void main(String[] args) throws Exception {
        OrtRuntime.cpu();
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            maps.filter(l -> l.contains("libonnxruntime.so")).findFirst().ifPresent(System.out::println);
        }
    }

    @Test
    void aProcessLoadsOrtFromTheUserCache() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs Linux's /proc/self/maps");
        Path cache = Files.createDirectories(tmp.resolve("xdg"));
        Path javaTmp = Files.createDirectories(tmp.resolve("javatmp"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + javaTmp, "-cp", System.getProperty("java.class.path"),
                OrtNativeCacheTest.class.getName()).redirectErrorStream(true);
        pb.environment().put("XDG_CACHE_HOME", cache.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains(cache.resolve("lathe/onnxruntime").toString()), "loaded from the cache: " + out);
        try (Stream<Path> s = Files.list(javaTmp)) {
            assertEquals(List.of(), s.filter(f -> f.getFileName().toString().startsWith("onnxruntime-java")).toList(),
                    "no onnxruntime-java* folder is left in the temporary folder");
        }
        assertNotNull(OrtNativeCache.platform());
    }
}
