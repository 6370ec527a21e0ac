package dev.lathe.graph.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM (what Ctrl-C's SIGINT does too: the JVM runs its shutdown hooks) in the middle of a write leaves no temp. */
class InterruptedWriteTest {
    @TempDir
    Path dir;

    /** Child process: starts writing {@code args[0]} and a scratch folder, then hangs until it is killed. */
    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectory(Path.of(args[0] + ".work"));
        Files.writeString(work.resolve("step1.onnx"), "partial");
        AtomicFiles.register(work);
        AtomicFiles.write(Path.of(args[0]), tmp -> {
            Files.writeString(tmp, "half a model");
            System.out.println("writing");
            System.out.flush();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Test
    void sigtermDeletesTemporaryFilesAndFolders() throws Exception {
        Path target = dir.resolve("o.onnx");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), InterruptedWriteTest.class.getName(), target.toString())
                .redirectErrorStream(true).start();
        String first = new String(p.getInputStream().readNBytes("writing".length()));
        assertEquals("writing", first);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.count(), "a temporary file and the work folder exist while writing");
        }
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "nothing is left: no temporary file, no work folder, no output");
        }
    }
}
