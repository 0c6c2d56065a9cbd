package dev.lluvia.memory;

/**
 * A heap cannot give the bytes asked for: the heap is full, over its budget, or the driver said
 * {@code VK_ERROR_OUT_OF_DEVICE_MEMORY}. Unlike {@link OutOfMemoryError} this is recoverable: free
 * objects, or choose another memory, and try again. Nothing was allocated when it is thrown.
 */
public class OutOfDeviceMemoryException extends LluviaException {
    private static final long serialVersionUID = 1L;

    private final int heapIndex;
    private final long requested;

    public OutOfDeviceMemoryException(String message, int heapIndex, long requested) {
        super(message);
        this.heapIndex = heapIndex;
        this.requested = requested;
    }

    /** The heap that could not give the bytes, or -1 if unknown. */
    public int heapIndex() {
        return heapIndex;
    }

    /** The bytes asked for. */
    public long requested() {
        return requested;
    }
}
