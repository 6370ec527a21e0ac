package dev.lathe.runtime.ort;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.zip.CRC32;

/**
 * Extracts ONNX Runtime's native libraries once into a per-user cache and points ORT's loader at it with the system
 * property {@code onnxruntime.native.path} (read by {@code ai.onnxruntime.OnnxRuntime.init}). Without this, every
 * process copies about 30 MB (600 MB with the CUDA provider) into a new {@code /tmp/onnxruntime-java*} folder, and a
 * killed process leaves it there. ORT 1.29 still creates an (empty) temporary folder and deletes it at exit.
 *
 * <p>The cache folder is {@code $XDG_CACHE_HOME/lathe/onnxruntime/<os-arch>-<key>} (default {@code ~/.cache}), where
 * the key is the size and CRC-32 of the bundled {@code libonnxruntime}, so another ORT version gets its own folder. It
 * is filled in a temporary folder and renamed into place, so concurrent first runs never see half a library. A
 * property the user set already wins; when the cache cannot be written, ORT's own extraction is used.
 */
public final class OrtNativeCache {
    static final String PROPERTY = "onnxruntime.native.path";
    /** Libraries ORT may load from the folder: the runtime, its JNI glue, and provider libraries that must sit next to it. */
    private static final List<String> LIBRARIES = List.of("onnxruntime", "onnxruntime4j_jni",
            "onnxruntime_providers_shared", "onnxruntime_providers_cuda", "onnxruntime_providers_tensorrt");

    private static volatile boolean done;

    private OrtNativeCache() {}

    /** Sets {@code onnxruntime.native.path} to the cache, filling it first if needed; call before ORT loads. */
    public static synchronized void install() {
        if (done) {
            return;
        }
        done = true;
        if (System.getProperty(PROPERTY) != null) {
            return;
        }
        try {
            Path dir = ensure(cacheRoot());
            if (dir != null) {
                System.setProperty(PROPERTY, dir.toString());
            }
        } catch (IOException | RuntimeException e) {
            // ORT extracts to a temporary folder as it always did
        }
    }

    static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("lathe").resolve("onnxruntime");
    }

    /** The filled cache folder under {@code root} for the bundled ORT, or null when this platform has none bundled. */
    static Path ensure(Path root) throws IOException {
        String platform = platform();
        if (platform == null) {
            return null;
        }
        String prefix = "/ai/onnxruntime/native/" + platform + "/";
        URL main = OrtNativeCache.class.getResource(prefix + System.mapLibraryName("onnxruntime"));
        if (main == null) {
            return null;
        }
        Path dir = root.resolve(platform + "-" + key(main));
        if (Files.isRegularFile(dir.resolve(System.mapLibraryName("onnxruntime4j_jni")))) {
            return dir;
        }
        Files.createDirectories(root);
        Path work = Files.createTempDirectory(root, ".extract-");
        try {
            List<String> copied = new ArrayList<>();
            for (String lib : LIBRARIES) {
                String file = System.mapLibraryName(lib);
                try (InputStream in = OrtNativeCache.class.getResourceAsStream(prefix + file)) {
                    if (in != null) {
                        Files.copy(in, work.resolve(file));
                        copied.add(file);
                    }
                }
            }
            if (!copied.contains(System.mapLibraryName("onnxruntime4j_jni"))) {
                return null;
            }
            try {
                Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isDirectory(dir)) { // not another process's rename winning the race
                    throw e;
                }
            }
            return dir;
        } finally {
            deleteQuietly(work);
        }
    }

    /** Size and CRC-32 of the bundled library, from the jar's directory when it has one (no reading of 30 MB). */
    private static String key(URL lib) throws IOException {
        URLConnection c = lib.openConnection();
        if (c instanceof JarURLConnection jar) {
            jar.setUseCaches(false);
            JarEntry e = jar.getJarEntry();
            if (e.getCrc() >= 0 && e.getSize() >= 0) {
                return Long.toHexString(e.getSize()) + "-" + Long.toHexString(e.getCrc());
            }
        }
        CRC32 crc = new CRC32();
        long size = 0;
        try (InputStream in = lib.openStream()) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; size += n) {
                crc.update(buf, 0, n);
            }
        }
        return Long.toHexString(size) + "-" + Long.toHexString(crc.getValue());
    }

    /** ORT's name for this platform's folder, as in {@code ai/onnxruntime/native/<name>/}; null when unknown. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("linux") ? "linux" : os.contains("mac") || os.contains("darwin") ? "osx"
                : os.contains("win") ? "win" : null;
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch.equals("aarch64") ? "aarch64" : null;
        return o == null || a == null ? null : o + "-" + a;
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover .extract- folder is harmless and replaced by the next run
        }
    }
}
