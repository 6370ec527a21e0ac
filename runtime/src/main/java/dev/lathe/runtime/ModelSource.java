package dev.lathe.runtime;

import dev.lathe.graph.ir.Model;
import java.nio.file.Path;

/** Where a session's model comes from: an {@code .onnx} file, or a Lathe {@link Model} held in memory. */
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

    static ModelSource file(Path path) {
        return new File(path);
    }

    static ModelSource of(Model model) {
        return new InMemory(model);
    }
}
