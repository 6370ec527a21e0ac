package dev.lathe.converter.deploy;

/** A model that cannot be packaged as asked, or a package that fails verification; the message names the file. */
public class PackageException extends RuntimeException {
    public PackageException(String message) {
        super(message);
    }

    public PackageException(String message, Throwable cause) {
        super(message, cause);
    }
}
