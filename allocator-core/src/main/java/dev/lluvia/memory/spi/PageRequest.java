package dev.lluvia.memory.spi;

/**
 * One page asked of a backend ({@link MemoryBackend#allocatePage(PageRequest)}): what Vulkan's
 * {@code VkMemoryAllocateInfo} and its {@code pNext} chain carry. New options become fields here,
 * never a new overload of the backend's method.
 *
 * @param memoryTypeIndex the memory type
 * @param size            bytes; positive
 * @param options         priority and export ({@link PageOptions#DEFAULT} for Vulkan's defaults)
 * @param dedicatedTo     the one resource the page will hold at offset 0, which the driver prefers or
 *                        requires ({@code VkMemoryDedicatedAllocateInfo}); {@code null} for a
 *                        regular page. A backend without dedicated allocations allocates a plain page.
 * @param extension       a backend's own addition to the request (for the Vulkan module, what its
 *                        documentation names), passed by the core unread; {@code null} for none.
 *                        A backend refuses one it does not know with an {@link IllegalArgumentException}.
 */
public record PageRequest(int memoryTypeIndex, long size, PageOptions options, Dedicated dedicatedTo, Object extension) {

    /**
     * The resource a dedicated page is for.
     *
     * @param resource the buffer or image, created and not yet bound: one the backend created, or the
     *                 program's own wrapped in a plain {@link Resource}
     * @param image    whether {@code resource} is an image (else a buffer)
     */
    public record Dedicated(Resource resource, boolean image) {
    }

    /**
     * Checks that the options are given.
     *
     * @param memoryTypeIndex the memory type
     * @param size            bytes; positive
     * @param options         priority and export
     * @param dedicatedTo     the resource of a dedicated page, or {@code null}
     * @param extension       a backend's own addition, or {@code null}
     */
    public PageRequest {
        java.util.Objects.requireNonNull(options, "options");
    }

    /**
     * {@return a regular page of {@code size} bytes of a memory type, with Vulkan's default options}
     *
     * @param memoryTypeIndex the memory type
     * @param size bytes; positive
     */
    public static PageRequest of(int memoryTypeIndex, long size) {
        return new PageRequest(memoryTypeIndex, size, PageOptions.DEFAULT, null, null);
    }

    /**
     * {@return this request with other options}
     *
     * @param options priority and export
     */
    public PageRequest withOptions(PageOptions options) {
        return new PageRequest(memoryTypeIndex, size, options, dedicatedTo, extension);
    }

    /**
     * {@return this request for a page dedicated to one buffer or image}
     *
     * @param resource the buffer or image; see {@link Dedicated#resource()}
     * @param image    whether {@code resource} is an image
     */
    public PageRequest withDedicatedTo(Resource resource, boolean image) {
        return new PageRequest(memoryTypeIndex, size, options, new Dedicated(resource, image), extension);
    }

    /**
     * {@return this request with a backend's own addition}
     *
     * @param extension see {@link #extension()}
     */
    public PageRequest withExtension(Object extension) {
        return new PageRequest(memoryTypeIndex, size, options, dedicatedTo, extension);
    }
}
