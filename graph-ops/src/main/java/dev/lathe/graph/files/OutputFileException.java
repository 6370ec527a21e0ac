package dev.lathe.graph.files;

import java.io.IOException;

/**
 * A file the user asked for could not be written: the message names that file (never only a temporary path) and
 * the reason, e.g. {@code cannot write ro/o.onnx: permission denied}. The user can fix it, so the CLI exits 2.
 */
public class OutputFileException extends IOException {
    public OutputFileException(String message) {
        super(message);
    }

    public OutputFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
