package dev.lathe.cli;

import static dev.lathe.cli.CliRun.lathe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.converter.deploy.Bundle;
import dev.lathe.converter.deploy.PackageException;
import dev.lathe.runtime.data.Preprocessing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lathe package --format bundle}: manifest with SHA-256, verification naming the file, zip round trip. */
class PackageBundleTest {
    @TempDir
    Path dir;
    Path model;

    @BeforeEach
    void build() throws Exception {
        model = dir.resolve("m.onnx");
        assertEquals(0, lathe("zoo", "build", "cifar_resnet56", "--classes", "3", "-o", model.toString()).code());
        Path labels = dir.resolve("l.txt");
        Files.writeString(labels, "cat\ndog\nbird\n");
        assertEquals(0, lathe("meta", "set", model.toString(), "labels=@" + labels, "name=toy", "--in-place").code());
    }

    @Test
    void bundleVerifiesAndCarriesPreprocessingAndLabels() throws Exception {
        Path b = dir.resolve("toy");
        CliRun r = lathe("package", model.toString(), "--format", "bundle", "-o", b.toString(), "--zip");
        assertEquals(0, r.code(), r.err());
        for (Path p : List.of(b, dir.resolve("toy.zip"))) {
            Bundle bundle = Bundle.open(p);
            assertEquals("toy", bundle.name());
            assertEquals(List.of("cat", "dog", "bird"), bundle.labels());
            assertEquals(Preprocessing.cifar(32), Preprocessing.parse(bundle.preprocessingJson()));
            assertEquals(Files.size(model), Files.size(bundle.modelFile()));
        }
        r = lathe("package", model.toString(), "--format", "bundle", "-o", b.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("exists"), r.err());
    }

    @Test
    void tamperedTruncatedOrExtendedBundlesAreRefusedNamingTheFile() throws Exception {
        Path b = dir.resolve("toy");
        assertEquals(0, lathe("package", model.toString(), "--format", "bundle", "-o", b.toString(), "--zip").code());
        Path onnx = b.resolve("toy.onnx");
        byte[] bytes = Files.readAllBytes(onnx);

        bytes[bytes.length / 2] ^= 1;
        Files.write(onnx, bytes);
        PackageException e = assertThrows(PackageException.class, () -> Bundle.open(b));
        assertTrue(e.getMessage().contains("toy.onnx has been modified"), e.getMessage());
        bytes[bytes.length / 2] ^= 1;

        Files.write(onnx, Arrays.copyOf(bytes, bytes.length - 10));
        e = assertThrows(PackageException.class, () -> Bundle.open(b));
        assertTrue(e.getMessage().contains("toy.onnx is truncated"), e.getMessage());
        Files.write(onnx, bytes);
        Bundle.open(b);

        Files.writeString(b.resolve("evil.py"), "print(1)");
        e = assertThrows(PackageException.class, () -> Bundle.open(b));
        assertTrue(e.getMessage().contains("evil.py is not listed"), e.getMessage());
        Files.delete(b.resolve("evil.py"));

        Files.delete(b.resolve("labels.txt"));
        e = assertThrows(PackageException.class, () -> Bundle.open(b));
        assertTrue(e.getMessage().contains("labels.txt is missing"), e.getMessage());

        Path zip = dir.resolve("toy.zip");
        byte[] z = Files.readAllBytes(zip);
        Files.write(zip, Arrays.copyOf(z, z.length / 2), StandardOpenOption.TRUNCATE_EXISTING);
        e = assertThrows(PackageException.class, () -> Bundle.open(zip));
        assertTrue(e.getMessage().contains("toy.zip") || e.getMessage().contains("toy.onnx"), e.getMessage());

        // through the CLI: one line, exit 2
        CliRun r = lathe("infer", b.toString(), model.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("labels.txt is missing"), r.err());
    }

    /** Several models (a cascade's stages) with extra JSON (thresholds, costs) pack and verify as one bundle. */
    @Test
    void severalModelsWithExtraJsonMakeOneBundle() throws Exception {
        Path second = dir.resolve("second.onnx");
        assertEquals(0, lathe("meta", "set", model.toString(), "name=stage2", "-o", second.toString()).code());
        Path extra = dir.resolve("cascade.json");
        Files.writeString(extra, "{\"thresholds\": [0.9, 0.8], \"costs\": [1.0, 2.5]}");
        Path b = dir.resolve("cascade");
        CliRun r = lathe("package", model.toString(), second.toString(), "--format", "bundle", "-o", b.toString(),
                "--name", "cascade", "--extra", extra.toString());
        assertEquals(0, r.code(), r.err());
        Bundle bundle = Bundle.open(b);
        assertEquals(List.of("cascade", "stage2"), bundle.models().stream().map(Bundle.Entry::name).toList());
        assertEquals(0.8, bundle.extra().get("thresholds").get(1).asDouble());
        r = lathe("package", model.toString(), model.toString(), "--format", "bundle", "-o", dir.resolve("dup").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("two models of the bundle are named 'toy'"), r.err());
    }
}
