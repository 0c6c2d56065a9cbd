package dev.lluvia.memory;

/**
 * The device cannot export memory to other APIs as asked: it lacks {@code VK_KHR_external_memory_fd}
 * (opaque file descriptors), or cannot export resources of the kind asked for.
 */
public class UnsupportedExternalMemoryException extends LluviaException {
    private static final long serialVersionUID = 1L;

    /**
     * The device cannot export memory.
     *
     * @param message which device and what it lacks
     */
    public UnsupportedExternalMemoryException(String message) {
        super(message);
    }
}
