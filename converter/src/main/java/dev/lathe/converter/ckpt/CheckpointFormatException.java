package dev.lathe.converter.ckpt;

import java.io.IOException;

/** A checkpoint file that is malformed, unsupported or refused; the message names the file and the part that broke. */
public class CheckpointFormatException extends IOException {
    public CheckpointFormatException(String message) {
        super(message);
    }

    public CheckpointFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
