package dev.lathe.runtime.io;

/** A {@code .npy} file that cannot be read; the message names the file and the part that is wrong. */
public class NpyFormatException extends RuntimeException {
    public NpyFormatException(String message) {
        super(message);
    }
}
