package dev.lluvia.memory;

/**
 * A heap cannot give the bytes asked for: the heap is full, over its budget, the driver said
 * {@code VK_ERROR_OUT_OF_DEVICE_MEMORY}, or (when a Memory is created) its page is larger than the
 * whole heap. Unlike {@link OutOfMemoryError} this is recoverable: free
 * objects, or choose another memory, and try again. Nothing was allocated when it is thrown.
 */
public class OutOfDeviceMemoryException extends LluviaException {
    private static final long serialVersionUID = 1L;

    /** The heap that could not give the bytes, or -1. */
    private final int heapIndex;
    /** The bytes asked for. */
    private final long requested;

    /**
     * A heap could not give the bytes asked for.
     *
     * @param message   what was asked and of which heap
     * @param heapIndex the heap, or -1 if unknown
     * @param requested the bytes asked for
     */
    public OutOfDeviceMemoryException(String message, int heapIndex, long requested) {
        super(message);
        this.heapIndex = heapIndex;
        this.requested = requested;
    }

    /** {@return the heap that could not give the bytes, or -1 if unknown} */
    public int heapIndex() {
        return heapIndex;
    }

    /** {@return the bytes asked for} */
    public long requested() {
        return requested;
    }
}
