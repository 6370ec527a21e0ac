package dev.lathe.runtime.data;

/** An image file that cannot be decoded; carries the file so the skip can be reported by path. */
public final class CorruptImageException extends RuntimeException {
    private final String path;

    public CorruptImageException(String path, String why, Throwable cause) {
        super(path + ": cannot decode image: " + why, cause);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
