package dev.lluvia.memory;

/** The base of this library's own exceptions; argument errors are {@link IllegalArgumentException}s. */
public class LluviaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LluviaException(String message) {
        super(message);
    }

    public LluviaException(String message, Throwable cause) {
        super(message, cause);
    }
}
