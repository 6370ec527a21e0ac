package dev.lathe.cli;

/** Bad input from the user: printed as one line without a stack trace (unless --verbose), exit code 2. */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
