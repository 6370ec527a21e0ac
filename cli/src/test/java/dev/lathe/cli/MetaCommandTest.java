package dev.lathe.cli;

import static dev.lathe.cli.CliRun.lathe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.converter.meta.ModelMetadata;
import dev.lathe.graph.ir.Model;
import dev.lathe.graph.serde.Onnx;
import dev.lathe.runtime.data.Preprocessing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Self-describing models: zoo build fills the metadata, meta set/get edit it, inspect shows it, optimize carries it. */
class MetaCommandTest {
    @TempDir
    Path dir;

    @Test
    void zooBuildFillsOptimizeCarriesMetaEditsInspectShows() throws Exception {
        Path m = dir.resolve("r.onnx");
        CliRun b = lathe("zoo", "build", "cifar_resnet56", "--classes", "3", "-o", m.toString());
        assertEquals(0, b.code(), b.err());
        Model built = Onnx.load(m);
        assertEquals(Preprocessing.cifar(32), Preprocessing.parse(built.metadataProps().get(ModelMetadata.PREPROCESSING)));
        assertEquals("cifar_resnet56", built.metadataProps().get(ModelMetadata.ZOO));
        assertTrue(built.metadataProps().get(ModelMetadata.COMMAND).startsWith("lathe zoo build cifar_resnet56"));

        // a foreign key (another step's, e.g. quantization) is carried by every later command
        Path labels = dir.resolve("labels.txt");
        Files.writeString(labels, "cat\ndog\nbird\n");
        Path m2 = dir.resolve("r2.onnx");
        CliRun s = lathe("meta", "set", m.toString(), "labels=@" + labels, "preprocessing=imagenet:64",
                "lathe.quantization.method=qdq", "-o", m2.toString());
        assertEquals(0, s.code(), s.err());
        Path m3 = dir.resolve("r3.onnx");
        assertEquals(0, lathe("optimize", m2.toString(), "-o", m3.toString()).code());
        Model opt = Onnx.load(m3);
        assertEquals(List.of("cat", "dog", "bird"), ModelMetadata.labels(opt));
        assertEquals("qdq", opt.metadataProps().get("lathe.quantization.method"));
        assertEquals(Preprocessing.imagenet(64), Preprocessing.parse(opt.metadataProps().get(ModelMetadata.PREPROCESSING)));
        List<String> history = ModelMetadata.history(opt);
        assertEquals(3, history.size(), history.toString());
        assertTrue(history.get(2).startsWith("lathe optimize"));

        CliRun g = lathe("meta", "get", m3.toString(), "labels");
        assertEquals("[\"cat\",\"dog\",\"bird\"]", g.out().trim());
        JsonNode j = new ObjectMapper().readTree(lathe("inspect", m3.toString(), "--json").out());
        assertEquals("cifar_resnet56", j.get("metadata").get("lathe.provenance.zoo").asText());
        String text = lathe("inspect", m3.toString()).out();
        assertTrue(text.contains("3 labels: "), text);
        assertTrue(text.contains("lathe.provenance.version"), text);
    }

    @Test
    void badValuesAreOneLineNamingTheKey() throws Exception {
        Path m = dir.resolve("r.onnx");
        assertEquals(0, lathe("zoo", "build", "cifar_resnet56", "--classes", "3", "-o", m.toString()).code());
        CliRun r = lathe("meta", "set", m.toString(), "preprocessing={\"crop\":[1]}", "--in-place");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("lathe.preprocessing") && r.err().contains("'crop'"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        r = lathe("meta", "set", m.toString(), "labels=[1,2]", "--in-place");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("lathe.labels"), r.err());
        r = lathe("meta", "get", m.toString(), "nope");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no metadata key 'nope'"), r.err());
        r = lathe("meta", "set", m.toString(), "name=x");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--in-place"), r.err());
        assertEquals("cifar_resnet56", Onnx.load(m).metadataProps().get(ModelMetadata.NAME));
        assertEquals(0, lathe("meta", "set", m.toString(), "name=x", "--in-place").code());
        assertEquals("x", Onnx.load(m).metadataProps().get(ModelMetadata.NAME));
    }
}
