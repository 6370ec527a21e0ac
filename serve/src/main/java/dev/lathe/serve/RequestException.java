package dev.lathe.serve;

/** A request the server refuses: the HTTP status (4xx, 503) and a one-line message for the JSON error body. */
public final class RequestException extends RuntimeException {
    private final int status;

    public RequestException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
