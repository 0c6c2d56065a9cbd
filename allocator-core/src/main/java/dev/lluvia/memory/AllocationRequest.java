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

    /** @throws IllegalArgumentException naming the value when a component is out of its range */
    public AllocationRequest {
        Objects.requireNonNull(kind, "kind");
        if (requirements == null && resource == 0) {
            throw new IllegalArgumentException("an allocation request needs the requirements or the resource's handle"
                    + " (both are missing)");
        }
        CreateChecks.requireMinAlignment(minAlignment);
    }

    /** Memory for a resource with these requirements and of this kind; no resource named. */
    public static AllocationRequest of(ResourceRequirements requirements, ResourceKind kind) {
        return new AllocationRequest(Objects.requireNonNull(requirements, "requirements"), kind, 0, 1);
    }

    /** Memory for the program's buffer {@code buffer} (a {@code VkBuffer}), whose requirements the backend queries. */
    public static AllocationRequest forBuffer(long buffer) {
        return new AllocationRequest(null, ResourceKind.BUFFER, requireHandle(buffer), 1);
    }

    /**
     * Memory for the program's image {@code image} (a {@code VkImage}), whose requirements the
     * backend queries; {@code tiling} is the tiling it was created with (Vulkan cannot be asked).
     */
    public static AllocationRequest forImage(long image, ImageTiling tiling) {
        return new AllocationRequest(null, Objects.requireNonNull(tiling, "tiling") == ImageTiling.LINEAR
                ? ResourceKind.LINEAR_IMAGE : ResourceKind.OPTIMAL_IMAGE, requireHandle(image), 1);
    }

    /** This request naming the resource it is for; see the {@code resource} component. */
    public AllocationRequest withResource(long newResource) {
        return new AllocationRequest(requirements, kind, newResource, minAlignment);
    }

    /** This request with a least alignment of the offset; see the {@code minAlignment} component. */
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
