package dev.lluvia.memory;

/** The driver ran out of host memory ({@code VK_ERROR_OUT_OF_HOST_MEMORY}). Nothing was allocated. */
public class OutOfHostMemoryException extends LluviaException {
    private static final long serialVersionUID = 1L;

    /**
     * The host ran out of memory for a driver call.
     *
     * @param message the call
     */
    public OutOfHostMemoryException(String message) {
        super(message);
    }
}
