package dev.lathe.runtime.ort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds which of the shared libraries that {@code onnxruntime_gpu} 1.29 loads are missing from the dynamic loader's
 * search path. ONNX Runtime only logs the missing soname to stderr and throws a generic "Failed to load shared
 * library", so we look for ourselves to say what to install.
 */
final class CudaLibraries {
    /** NEEDED entries of libonnxruntime_providers_cuda.so (CUDA 12) plus cuDNN 9, which it loads at run time. */
    static final List<String> REQUIRED = List.of("libcuda.so.1", "libcudart.so.12", "libcublas.so.12",
            "libcublasLt.so.12", "libcurand.so.10", "libcudnn.so.9");

    private CudaLibraries() {}

    static List<String> missing() {
        return missing(searchPath());
    }

    static List<String> missing(Set<Path> dirs) {
        List<String> missing = new ArrayList<>();
        for (String lib : REQUIRED) {
            boolean found = false;
            for (Path d : dirs) {
                if (Files.exists(d.resolve(lib))) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                missing.add(lib);
            }
        }
        return missing;
    }

    /** LD_LIBRARY_PATH, java.library.path, ld.so.conf entries and the usual CUDA folders. */
    static Set<Path> searchPath() {
        Set<Path> dirs = new LinkedHashSet<>();
        addAll(dirs, System.getenv("LD_LIBRARY_PATH"));
        addAll(dirs, System.getProperty("java.library.path"));
        for (String d : List.of("/lib", "/usr/lib", "/lib64", "/usr/lib64", "/lib/x86_64-linux-gnu",
                "/usr/lib/x86_64-linux-gnu", "/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib")) {
            dirs.add(Path.of(d));
        }
        List<Path> confs = new ArrayList<>();
        confs.add(Path.of("/etc/ld.so.conf"));
        Path confDir = Path.of("/etc/ld.so.conf.d");
        if (Files.isDirectory(confDir)) {
            try (Stream<Path> s = Files.list(confDir)) {
                s.filter(p -> p.toString().endsWith(".conf")).sorted().forEach(confs::add);
            } catch (IOException e) {
                // an unreadable folder only narrows the search; the message then lists more as missing
            }
        }
        for (Path conf : confs) {
            try {
                for (String line : Files.readAllLines(conf)) {
                    String t = line.trim();
                    if (t.startsWith("/")) {
                        dirs.add(Path.of(t));
                    }
                }
            } catch (IOException e) {
                // as above
            }
        }
        return dirs;
    }

    private static void addAll(Set<Path> dirs, String pathList) {
        if (pathList == null) {
            return;
        }
        for (String p : pathList.split(java.io.File.pathSeparator)) {
            if (!p.isBlank()) {
                dirs.add(Path.of(p));
            }
        }
    }
}
