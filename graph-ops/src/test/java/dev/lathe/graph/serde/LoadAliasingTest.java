package dev.lathe.graph.serde;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.graph.ir.Model;
import dev.lathe.graph.ir.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading aliases raw_data in the memory-mapped file instead of copying it onto the heap. */
class LoadAliasingTest {
    @TempDir
    Path dir;

    @Test
    void rawDataOfALoadedModelIsAMappedBufferNotAHeapCopy() throws Exception {
        Path p = dir.resolve("m.onnx");
        Onnx.save(RoundTripTest.smallNet(), p);
        Model m = Onnx.load(p);
        Tensor w = m.graph().initializer("conv1.weight").constValue();
        assertTrue(w.data().isDirect(), "conv1.weight should alias the mapped file, got a heap buffer");
        assertTrue(w.contentEquals(RoundTripTest.smallNet().graph().initializer("conv1.weight").constValue()));
    }
}
