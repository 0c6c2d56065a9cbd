package dev.lluvia.memory;

/** A mapping was asked of memory that is not {@link MemoryPropertyFlag#HOST_VISIBLE}. */
public class MemoryNotMappableException extends LluviaException {
    private static final long serialVersionUID = 1L;

    public MemoryNotMappableException(String message) {
        super(message);
    }
}
