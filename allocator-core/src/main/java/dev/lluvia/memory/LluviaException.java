package dev.lluvia.memory;

/** The base of this library's own exceptions; argument errors are {@link IllegalArgumentException}s. */
public class LluviaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An error of the library.
     *
     * @param message what went wrong, naming the value or call
     */
    public LluviaException(String message) {
        super(message);
    }

    /**
     * An error of the library caused by another exception.
     *
     * @param message what went wrong
     * @param cause   what was thrown
     */
    public LluviaException(String message, Throwable cause) {
        super(message, cause);
    }
}
