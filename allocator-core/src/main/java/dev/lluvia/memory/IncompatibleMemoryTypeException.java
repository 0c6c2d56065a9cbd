package dev.lluvia.memory;

/**
 * The driver cannot place an object in this Memory's type: the object's memoryTypeBits exclude
 * it (for example an optimal image in a host-visible type, which discrete GPUs commonly exclude). Create the object from a
 * Memory of another type.
 */
public class IncompatibleMemoryTypeException extends LluviaException {
    private static final long serialVersionUID = 1L;

    /**
     * An object cannot live in the memory type of the Memory asked.
     *
     * @param message the object, its memory type bits and the Memory's type
     */
    public IncompatibleMemoryTypeException(String message) {
        super(message);
    }
}
