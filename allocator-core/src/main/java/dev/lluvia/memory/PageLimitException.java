package dev.lluvia.memory;

/**
 * A create needed a new page and its Memory may not allocate one: it holds
 * {@link MemoryOptions#maxPages()} pages, or it was made with {@link MemoryOptions#neverAllocate()}.
 * Nothing was allocated or changed. Free objects of the Memory, or create from another Memory.
 */
public class PageLimitException extends OutOfDeviceMemoryException {
    private static final long serialVersionUID = 1L;

    /**
     * A new page was needed and the Memory may not allocate one.
     *
     * @param message   the page size asked for, the memory type, and which limit refused it
     * @param heapIndex the heap of the Memory's memory type
     * @param requested the bytes of the page that was needed
     */
    public PageLimitException(String message, int heapIndex, long requested) {
        super(message, heapIndex, requested);
    }
}
