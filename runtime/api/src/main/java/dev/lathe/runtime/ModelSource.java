package dev.lathe.runtime;

import dev.lathe.graph.ir.Model;
import java.nio.file.Path;

/**
 * Where a session's model comes from: an {@code .onnx} file, a Lathe {@link Model} held in memory, or an engine
 * file that a runtime compiled earlier (only the runtime that wrote it can open it).
 */
public sealed interface ModelSource {

    /** A human-readable name for messages: the file path or the graph name. */
    String describe();

    record File(Path path) implements ModelSource {
        @Override
        public String describe() {
            return path.toString();
        }
    }

    /** An in-memory model; a runtime serialises it as it is when the session is opened and does not keep it. */
    record InMemory(Model model) implements ModelSource {
        @Override
        public String describe() {
            String name = model.graph().name();
            return "in-memory model '" + (name == null || name.isEmpty() ? "unnamed" : name) + "'";
        }
    }

    /** A prebuilt engine (e.g. a serialized TensorRT plan); runtimes that compile from ONNX refuse it. */
    record Engine(Path path) implements ModelSource {
        @Override
        public String describe() {
            return "engine " + path;
        }
    }

    static ModelSource file(Path path) {
        return new File(path);
    }

    static ModelSource engine(Path path) {
        return new Engine(path);
    }

    static ModelSource of(Model model) {
        return new InMemory(model);
    }
}
