package dev.lluvia.memory;

/** A mapping was asked of memory that is not {@link MemoryPropertyFlag#HOST_VISIBLE}. */
public class MemoryNotMappableException extends LluviaException {
    private static final long serialVersionUID = 1L;

    /**
     * The memory is not host-visible.
     *
     * @param message the object or Memory, and its flags
     */
    public MemoryNotMappableException(String message) {
        super(message);
    }
}
