package dev.lluvia.memory;

import java.util.Objects;

/**
 * Everything {@link Memory#allocate(AllocationRequest)} can be told: memory for a resource the
 * program creates and owns itself (VMA's {@code vmaAllocateMemory}, {@code vmaAllocateMemoryForBuffer},
 * {@code vmaAllocateMemoryForImage}). Either the requirements are given ({@link #of}), or the
 * resource's handle is and the backend queries them ({@link #forBuffer}, {@link #forImage}: on
 * Vulkan, {@code vkGet*MemoryRequirements2} with {@code VkMemoryDedicatedRequirements}).
 *
 * @param requirements what the resource needs; {@code null} when the backend queries them from
 *                     {@code resource}
 * @param kind         buffer, linear image or optimal image, for {@code bufferImageGranularity}
 * @param resource     the program's {@code VkBuffer} or {@code VkImage} the allocation is for, or 0
 *                     (none named). When named, a dedicated allocation names it to the driver
 *                     ({@code VkMemoryDedicatedAllocateInfo}) and only it may then be bound there.
 *                     The library never destroys it.
 * @param minAlignment the offset is a multiple of this as well as of the requirement's alignment; a
 *                     positive power of two (1: nothing more)
 */
public record AllocationRequest(ResourceRequirements requirements, ResourceKind kind, long resource,
                                long minAlignment) {

    /**
     * Checks the components.
     *
     * @param requirements what the resource needs; {@code null} when the backend queries them from
     *                     {@code resource}
     * @param kind         buffer, linear image or optimal image
     * @param resource     the program's {@code VkBuffer} or {@code VkImage}, or 0 (none named)
     * @param minAlignment a positive power of two the offset is also a multiple of (1: nothing more)
     * @throws NullPointerException     if {@code kind} is null
     * @throws IllegalArgumentException naming the value when {@code minAlignment} is not a positive
     *                                  power of two, or when both {@code requirements} and
     *                                  {@code resource} are missing
     */
    public AllocationRequest {
        Objects.requireNonNull(kind, "kind");
        if (requirements == null && resource == 0) {
            throw new IllegalArgumentException("an allocation request needs the requirements or the resource's handle"
                    + " (both are missing)");
        }
        CreateChecks.requireMinAlignment(minAlignment);
    }

    /**
     * {@return a request for memory for a resource with these requirements and of this kind; no
     * resource named, no extra alignment}
     *
     * @param requirements what the resource needs
     * @param kind         buffer, linear image or optimal image
     * @throws NullPointerException if {@code requirements} or {@code kind} is null
     */
    public static AllocationRequest of(ResourceRequirements requirements, ResourceKind kind) {
        return new AllocationRequest(Objects.requireNonNull(requirements, "requirements"), kind, 0, 1);
    }

    /**
     * {@return a request for memory for the program's buffer, whose requirements the backend queries}
     *
     * @param buffer the program's {@code VkBuffer}; named in the request as its {@code resource}
     * @throws IllegalArgumentException if {@code buffer} is 0 ({@code VK_NULL_HANDLE})
     */
    public static AllocationRequest forBuffer(long buffer) {
        return new AllocationRequest(null, ResourceKind.BUFFER, requireHandle(buffer), 1);
    }

    /**
     * {@return a request for memory for the program's image, whose requirements the backend queries}
     *
     * @param image  the program's {@code VkImage}; named in the request as its {@code resource}
     * @param tiling the tiling the image was created with (Vulkan cannot be asked): {@code LINEAR}
     *               gives {@link ResourceKind#LINEAR_IMAGE}, any other {@link ResourceKind#OPTIMAL_IMAGE}
     * @throws NullPointerException     if {@code tiling} is null
     * @throws IllegalArgumentException if {@code image} is 0 ({@code VK_NULL_HANDLE})
     */
    public static AllocationRequest forImage(long image, ImageTiling tiling) {
        return new AllocationRequest(null, Objects.requireNonNull(tiling, "tiling") == ImageTiling.LINEAR
                ? ResourceKind.LINEAR_IMAGE : ResourceKind.OPTIMAL_IMAGE, requireHandle(image), 1);
    }

    /**
     * {@return this request naming the resource it is for; see the {@code resource} component}
     *
     * @param newResource the program's {@code VkBuffer} or {@code VkImage}, or 0 (none named)
     * @throws IllegalArgumentException if {@code newResource} is 0 and the request has no requirements
     */
    public AllocationRequest withResource(long newResource) {
        return new AllocationRequest(requirements, kind, newResource, minAlignment);
    }

    /**
     * {@return this request with a least alignment of the offset; see the {@code minAlignment} component}
     *
     * @param newMinAlignment a positive power of two (1: nothing more)
     * @throws IllegalArgumentException naming the value if it is not a positive power of two
     */
    public AllocationRequest withMinAlignment(long newMinAlignment) {
        return new AllocationRequest(requirements, kind, resource, newMinAlignment);
    }

    private static long requireHandle(long handle) {
        if (handle == 0) {
            throw new IllegalArgumentException("resource handle must not be VK_NULL_HANDLE (0)");
        }
        return handle;
    }
}
